"""Evaluation tables on the shared `Base`: runs, per-question results, reviewer annotations, reviewers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, DateTime, Float, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from storage.models import Base, new_id, utcnow

__all__ = ["VERDICTS", "Annotation", "EvalResult", "EvalRun", "Reviewer"]

VERDICTS = ("correct", "partly_correct", "wrong", "unsafe")


class EvalRun(Base):
    """One run of a question set through the answer pipeline."""

    __tablename__ = "eval_runs"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    set_path: Mapped[str] = mapped_column(Text)
    set_hash: Mapped[str] = mapped_column(String(32))
    started_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True), nullable=True)
    settings_json: Mapped[str] = mapped_column(Text, default="{}")
    model: Mapped[str] = mapped_column(Text, default="")
    index_version: Mapped[str] = mapped_column(String(100), default="")
    git_commit: Mapped[str] = mapped_column(String(64), default="")
    summary_json: Mapped[str] = mapped_column(Text, default="{}")


class EvalResult(Base):
    """The scores of one question in one run, and the transcript holding its answer."""

    __tablename__ = "eval_results"
    __table_args__ = (UniqueConstraint("run_id", "question_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    run_id: Mapped[str] = mapped_column(ForeignKey("eval_runs.id", ondelete="CASCADE"), index=True)
    question_id: Mapped[str] = mapped_column(String(100))
    topic: Mapped[str] = mapped_column(String(64), default="general", index=True)
    answerable: Mapped[bool] = mapped_column(Boolean, default=True)
    transcript_id: Mapped[str] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    declined: Mapped[bool] = mapped_column(Boolean, default=False)
    recall: Mapped[float | None] = mapped_column(Float, nullable=True)
    reciprocal_rank: Mapped[float | None] = mapped_column(Float, nullable=True)
    citation_precision: Mapped[float | None] = mapped_column(Float, nullable=True)
    fact_coverage: Mapped[float | None] = mapped_column(Float, nullable=True)
    lead: Mapped[float | None] = mapped_column(Float, nullable=True)
    cited_gold: Mapped[float | None] = mapped_column(Float, nullable=True)
    citations: Mapped[int] = mapped_column(Integer, default=0)
    evidence: Mapped[str] = mapped_column(String(20), default="")
    latency_ms: Mapped[float] = mapped_column(Float, default=0.0)
    question_json: Mapped[str] = mapped_column(Text, default="{}")


class Annotation(Base):
    """A reviewer's verdict on a transcript (eval or live)."""

    __tablename__ = "annotations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    transcript_id: Mapped[str] = mapped_column(ForeignKey("transcripts.id", ondelete="CASCADE"), index=True)
    reviewer: Mapped[str] = mapped_column(String(100))
    verdict: Mapped[str] = mapped_column(String(20))
    comment: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class Reviewer(Base):
    """An account that may use the /review pages. Passwords are stored as argon2 hashes."""

    __tablename__ = "reviewers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    """Part of every session cookie; logout, removal and a password change bump it, revoking the cookies."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
