"""Request and response bodies of the JSON API (they appear in the OpenAPI document at /docs)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from assistant.models import Answer
from ingest.models import DocumentMeta

__all__ = [
    "AskRequest",
    "AskResponse",
    "FeedbackRequest",
    "FeedbackResponse",
    "ErrorResponse",
    "SourceDocument",
    "SourceSection",
    "SourcePassage",
    "Health",
]

ID_PATTERN = r"^[A-Za-z0-9_-]{1,64}$"


class AskRequest(BaseModel):
    question: str = Field(
        description="The question. Do not include a child's name or other personal details.",
        examples=["Which children is the Virtual School Head responsible for?"],
    )
    conversation_id: str | None = Field(
        default=None,
        pattern=ID_PATTERN,
        description="Continue a conversation (follow-up questions) with the id a previous answer returned.",
    )


class AskResponse(BaseModel):
    """`POST /api/ask` and the `done` event of `POST /api/ask/stream`."""

    answer: Answer
    conversation_id: str
    transcript_id: str
    evidence_note: str = Field(
        default="", description="How well the guidance found answers the question, for people ('' for a decline)."
    )


class FeedbackRequest(BaseModel):
    transcript_id: str = Field(pattern=ID_PATTERN)
    helpful: bool
    comment: str | None = Field(default=None, max_length=2000)
    update: bool = Field(
        default=False,
        description="Change the feedback already given on this answer (the other button, or the comment) "
        "instead of recording a new click.",
    )
    feedback_id: int | None = Field(
        default=None,
        ge=1,
        le=2**31 - 1,  # the column is a 32-bit integer: a larger id is refused, not a database error
        description="The row to change (from the first response); without it, the latest.",
    )


class FeedbackResponse(BaseModel):
    ok: bool = True
    transcript_id: str
    feedback_id: int | None = Field(default=None, description="The row recorded (null while it waits in the queue).")


class ErrorResponse(BaseModel):
    """Every error: a stable code and a message for people."""

    error: str
    message: str


class SourcePassage(BaseModel):
    passage_id: str
    element_id: str
    paragraphs: list[str]
    pages: list[int]
    text: str


class SourceSection(BaseModel):
    title: str
    path: list[str]
    anchor: str
    passages: list[SourcePassage]


class SourceDocument(BaseModel):
    """`GET /api/sources/{doc_id}`: the document, what its status means, and its sections in order."""

    document: DocumentMeta
    status_label: str
    sections: list[SourceSection]


class Health(BaseModel):
    status: str
    index: dict[str, object]
    database: dict[str, object]
