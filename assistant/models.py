"""The `Answer` schema: the stable JSON every channel and the evaluations read."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from ingest.models import DocStatus

__all__ = ["Citation", "AnswerPoint", "ClosestSection", "Answer", "EvidenceLevel", "QuestionType", "Reviewed"]

EvidenceLevel = Literal["strong", "moderate", "weak", "none"]
QuestionType = Literal["scope", "duties", "kinship", "funding", "general", "out_of_scope", "safeguarding"]


class Citation(BaseModel):
    """One cited passage. `number` matches the [n] markers in the answer text."""

    number: int
    passage_id: str
    doc_id: str
    title: str
    status: DocStatus
    status_label: str = Field(description="What the status means for 'must' and 'should'.")
    published: str = Field(default="", description="Publication date as the document words it.")
    section: str
    paragraphs: list[str] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)
    quote: str = Field(description="The exact passage text.")
    url: str = Field(description="Link to the source viewer, e.g. /sources/{doc_id}?passage=...#p-39.")
    source_url: str = Field(default="", description="The official publication, when known.")
    score: float = 0.0

    @property
    def locator(self) -> str:
        """'Designated teacher guidance (Feb 2018), Pupil Premium Plus (PP+), paras 39-40, p.21'."""
        parts = [self.title]
        if self.section:
            parts.append(self.section.split(" > ")[-1])
        if self.paragraphs:
            paras = self.paragraphs
            label = f"para {paras[0]}" if len(paras) == 1 else f"paras {paras[0]}-{paras[-1]}"
            parts.append(label)
        if self.pages:
            pages = self.pages
            parts.append(f"p.{pages[0]}" if len(pages) == 1 else f"pp.{pages[0]}-{pages[-1]}")
        return ", ".join(parts)


class AnswerPoint(BaseModel):
    """One statement of the answer: text taken from the cited passages, and the citations behind it."""

    text: str
    citations: list[int] = Field(default_factory=list, description="Citation numbers.")
    supported: bool = Field(default=True, description="False if a generated sentence failed the check.")
    focus: str = Field(default="", description="The sentence of `text` that answers most directly (a substring).")


class ClosestSection(BaseModel):
    """A section offered as a link: the closest sections of a decline, or related sections of an answer."""

    doc_id: str
    title: str
    section: str
    paragraphs: list[str] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)
    url: str
    score: float = 0.0


class Reviewed(BaseModel):
    """Set when the answer is one a Virtual School Head approved (or corrected) for this question."""

    label: str = Field(description="'Reviewed by a Virtual School Head on 3 December 2026'.")
    date: dt.date
    approved_id: str = Field(description="The approved answer served (for the review pages).")


class Answer(BaseModel):
    """A cited answer, or a reasoned decline. This schema is documented in the README and stable."""

    question: str = Field(description="The question as stored: personal data redacted.")
    text: str = Field(description="The full answer as plain text with [n] citation markers.")
    points: list[AnswerPoint] = Field(default_factory=list)
    declined: bool = False
    decline_reason: str = ""
    evidence: EvidenceLevel = "none"
    confidence: float = Field(default=0.0, ge=0.0, le=1.0)
    question_type: QuestionType = "general"
    citations: list[Citation] = Field(default_factory=list)
    closest_sections: list[ClosestSection] = Field(default_factory=list)
    related_sections: list[ClosestSection] = Field(
        default_factory=list, description="Further sections worth reading, as links without quotes."
    )
    legend: str = Field(default="", description="How to read 'must' and 'should' in the documents cited (once).")
    safeguarding_notice: str = ""
    personal_data_notice: str = ""
    redactions: list[str] = Field(default_factory=list, description="Kinds of personal data removed.")
    mode: Literal["extractive", "generative"] = "extractive"
    generation_note: str = Field(default="", description="Why generative output was dropped or flagged.")
    conversation_id: str = ""
    latency_ms: float = 0.0
    reviewed: Reviewed | None = Field(
        default=None, description="Set when this is an answer a Virtual School Head approved; null otherwise."
    )
