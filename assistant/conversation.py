"""Conversation state the web and Slack layers store and pass back to `Assistant.ask`."""

from __future__ import annotations

import uuid

from pydantic import BaseModel, Field

from assistant.models import Answer, QuestionType

__all__ = ["Conversation", "Turn"]


class Turn(BaseModel):
    """One answered question. Only redacted text is ever stored here."""

    question: str = Field(description="The question as asked, personal data redacted.")
    resolved_question: str = Field(default="", description="The stand-alone question actually searched.")
    answer: str = Field(default="", description="The answer text.")
    doc_ids: list[str] = Field(default_factory=list)
    sections: list[str] = Field(default_factory=list)
    question_type: QuestionType = "general"
    declined: bool = False


class Conversation(BaseModel):
    """An exchange of turns. `Assistant.ask(question, conversation)` appends one Turn per question."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex)
    turns: list[Turn] = Field(default_factory=list)

    @property
    def last(self) -> Turn | None:
        return self.turns[-1] if self.turns else None

    def add(self, answer: Answer, resolved_question: str = "") -> Turn:
        """Record an answer as a turn (the Assistant calls this for you)."""
        turn = Turn(
            question=answer.question,
            resolved_question=resolved_question or answer.question,
            answer=answer.text,
            doc_ids=list(dict.fromkeys(c.doc_id for c in answer.citations)),
            sections=list(dict.fromkeys(c.section for c in answer.citations)),
            question_type=answer.question_type,
            declined=answer.declined,
        )
        self.turns.append(turn)
        return turn
