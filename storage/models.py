"""SQLAlchemy 2 ORM models. Other packages add their tables to `Base` (one metadata, one migration chain)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = ["Base", "DeliveryClaim", "Transcript", "Feedback", "utcnow", "new_id"]


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    """Declarative base of every table of the product (transcripts, feedback, evaluation runs...)."""


class Transcript(Base):
    """One answered question on one channel. `question` is always the redacted text."""

    __tablename__ = "transcripts"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    conversation_id: Mapped[str] = mapped_column(String(64), index=True)
    channel: Mapped[str] = mapped_column(String(16))  # 'web' | 'slack' | 'cli' | 'eval'
    question: Mapped[str] = mapped_column(Text)
    resolved_question: Mapped[str | None] = mapped_column(Text, nullable=True)
    answer_json: Mapped[str] = mapped_column(Text)
    answer_text: Mapped[str] = mapped_column(Text)
    declined: Mapped[bool] = mapped_column(Boolean, default=False)
    evidence: Mapped[str] = mapped_column(String(16), default="none")
    confidence: Mapped[float] = mapped_column(Float, default=0.0)
    question_type: Mapped[str] = mapped_column(String(32), default="general")
    top_score: Mapped[float] = mapped_column(Float, default=0.0)
    citations_json: Mapped[str] = mapped_column(Text, default="[]")
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    run_id: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    external_ref: Mapped[str | None] = mapped_column(String(255), nullable=True, index=True)


class Feedback(Base):
    """A user's verdict on one transcript."""

    __tablename__ = "feedback"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transcript_id: Mapped[str] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    helpful: Mapped[bool] = mapped_column(Boolean)
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    channel: Mapped[str] = mapped_column(String(16), default="web")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class DeliveryClaim(Base):
    """A delivery handled once across every serving process: the first process to insert a key (a Slack event
    id, a message reference) answers it; a retry or a second delivery of the same key, to any replica, finds
    the key taken (primary key) and is dropped."""

    __tablename__ = "delivery_claims"

    key: Mapped[str] = mapped_column(String(255), primary_key=True)
    channel: Mapped[str] = mapped_column(String(16), default="slack")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
