"""Approved answers: stored with the reviewer, the date, the question and the content hashes of the cited
documents; served again by `StoredApprovedAnswers` (the assistant's `ApprovedAnswers` source).

An approved answer is *active* until a document it cites changes (its sha256 in the index differs from the
one recorded at approval, or the document is gone): it is then *stale*, is no longer served, and is listed
for re-review. A newer approval of the same question *supersedes* the older one. A reviewer can *withdraw* an
active or stale one (`withdraw`): it is no longer served nor listed for re-review.
"""

from __future__ import annotations

import json
import logging
import threading
from datetime import datetime

import numpy as np
from sqlalchemy import DateTime, ForeignKey, String, Text, func, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from assistant.approved import WordVectors, mismatch, reviewed_answer
from assistant.models import Answer
from assistant.retrieve import Retriever
from ingest.models import DocumentMeta
from settings import Settings
from storage.models import Base, new_id, utcnow
from storage.store import TranscriptStore

__all__ = [
    "KINDS",
    "ApprovedAnswer",
    "StoredApprovedAnswers",
    "approve",
    "approved_answers",
    "approved_answers_for",
    "cited_hashes",
    "mark_stale",
    "stale_reason",
    "withdraw",
]

log = logging.getLogger("vsh.approved")
KINDS = ("approved", "corrected")


class ApprovedAnswer(Base):
    """An answer a reviewer approved as it was, or corrected, for one question."""

    __tablename__ = "approved_answers"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    question: Mapped[str] = mapped_column(Text)
    answer_json: Mapped[str] = mapped_column(Text)
    kind: Mapped[str] = mapped_column(String(16))  # approved | corrected
    reviewer: Mapped[str] = mapped_column(String(100))
    transcript_id: Mapped[str | None] = mapped_column(
        ForeignKey("transcripts.id", ondelete="SET NULL"), nullable=True, index=True
    )
    doc_hashes_json: Mapped[str] = mapped_column(Text, default="{}")
    """{doc_id: sha256} of every cited document when approved."""
    status: Mapped[str] = mapped_column(String(16), default="active", index=True)
    """active | stale | superseded | withdrawn"""
    stale_reason: Mapped[str] = mapped_column(Text, default="")
    """Why it is not served: a changed document (stale), or who withdrew it."""
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, index=True)

    @property
    def answer(self) -> Answer:
        return Answer.model_validate_json(self.answer_json)

    @property
    def doc_hashes(self) -> dict[str, str]:
        return dict(json.loads(self.doc_hashes_json or "{}"))


def cited_hashes(answer: Answer, documents: list[DocumentMeta]) -> dict[str, str]:
    """{doc_id: sha256} of the documents `answer` cites, from the index's documents."""
    by_id = {d.doc_id: d.sha256 for d in documents}
    return {c.doc_id: by_id.get(c.doc_id, "") for c in answer.citations}


def stale_reason(row: ApprovedAnswer, current: dict[str, DocumentMeta]) -> str:
    """Why `row` no longer rests on the documents held ('' while every cited document is unchanged)."""
    for doc_id, sha in row.doc_hashes.items():
        doc = current.get(doc_id)
        if doc is None:
            return f"{doc_id} is no longer in the index"
        if doc.sha256 != sha:
            return f"{doc.citation_name} changed since the answer was approved"
    return ""


def approve(
    store: TranscriptStore,
    *,
    question: str,
    answer: Answer,
    reviewer: str,
    kind: str,
    documents: list[DocumentMeta],
    transcript_id: str | None = None,
) -> str:
    """Store an approved (or corrected) answer; earlier active ones for the same question are superseded."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {', '.join(KINDS)}")
    clean = answer.model_copy(
        update={"reviewed": None, "conversation_id": "", "latency_ms": 0.0, "redactions": [], "question": question}
    )
    row = ApprovedAnswer(
        question=question,
        answer_json=clean.model_dump_json(),
        kind=kind,
        reviewer=reviewer,
        transcript_id=transcript_id,
        doc_hashes_json=json.dumps(cited_hashes(answer, documents), sort_keys=True),
    )
    now = utcnow()
    with store.session() as session:
        session.execute(
            update(ApprovedAnswer)
            .where(ApprovedAnswer.question == question, ApprovedAnswer.status == "active")
            .values(status="superseded", updated_at=now)
        )
        session.add(row)
        session.flush()
        return row.id


def approved_answers(store: TranscriptStore, status: str | None = "active") -> list[ApprovedAnswer]:
    """Approved answers with this status (all when None), newest first."""
    query = select(ApprovedAnswer).order_by(ApprovedAnswer.created_at.desc())
    if status is not None:
        query = query.where(ApprovedAnswer.status == status)
    with store.session() as session:
        rows = list(session.scalars(query))
        session.expunge_all()
    return rows


def mark_stale(store: TranscriptStore, documents: list[DocumentMeta]) -> int:
    """Mark every active approved answer whose cited documents changed as stale; returns how many."""
    current = {d.doc_id: d for d in documents}
    marked = 0
    for row in approved_answers(store):
        reason = stale_reason(row, current)
        if reason:
            _set_stale(store, row.id, reason)
            marked += 1
    return marked


def _set_stale(store: TranscriptStore, approved_id: str, reason: str) -> None:
    with store.session() as session:
        session.execute(
            update(ApprovedAnswer)
            .where(ApprovedAnswer.id == approved_id, ApprovedAnswer.status == "active")
            .values(status="stale", stale_reason=reason, updated_at=utcnow())
        )


def withdraw(store: TranscriptStore, approved_id: str, reviewer: str) -> bool:
    """Stop serving an active (or stale) approved answer; False when there was none to withdraw."""
    with store.session() as session:
        result = session.execute(
            update(ApprovedAnswer)
            .where(ApprovedAnswer.id == approved_id, ApprovedAnswer.status.in_(("active", "stale")))
            .values(status="withdrawn", stale_reason=f"withdrawn by {reviewer}", updated_at=utcnow())
        )
        return bool(getattr(result, "rowcount", 0))


class StoredApprovedAnswers:
    """The assistant's `ApprovedAnswers` source over the database (thread-safe).

    `lookup` reads the active answers (cached until `generation()` changes), embeds their questions once
    with the index's model, and serves the most similar one that passes `assistant.approved.mismatch` and
    whose cited documents are unchanged (a changed one is marked stale on the way). A database that cannot
    be read serves nothing: the question is then answered from the guidance as usual.
    """

    def __init__(self, store: TranscriptStore, *, threshold: float, word_threshold: float) -> None:
        self.store = store
        self.threshold = threshold
        self.word_threshold = word_threshold
        self._lock = threading.Lock()
        self._rows: tuple[str, list[ApprovedAnswer]] = ("", [])
        self._vectors: dict[str, np.ndarray] = {}
        self._words: WordVectors | None = None

    def generation(self) -> str:
        try:
            with self.store.session() as session:
                count, newest = session.execute(
                    select(func.count(ApprovedAnswer.id), func.max(ApprovedAnswer.updated_at))
                ).one()
        except (SQLAlchemyError, OSError) as exc:
            log.info("approved answers unavailable: %s", type(exc).__name__)  # e.g. before the first migration
            return "unavailable"
        return f"{count}:{newest.isoformat() if newest else ''}"

    def _active(self) -> list[ApprovedAnswer]:
        generation = self.generation()
        with self._lock:
            if self._rows[0] == generation:
                return self._rows[1]
        rows = approved_answers(self.store) if generation != "unavailable" else []
        with self._lock:
            self._rows = (generation, rows)
        return rows

    def _matrix(self, rows: list[ApprovedAnswer], index: Retriever) -> np.ndarray:
        missing = [r.question for r in rows if r.question not in self._vectors]
        if missing:
            vectors = np.asarray(index.embed(missing), dtype=np.float32)
            with self._lock:
                self._vectors.update(zip(missing, vectors, strict=True))
        return np.stack([self._vectors[r.question] for r in rows])

    def lookup(self, question: str, vector: np.ndarray, index: Retriever) -> Answer | None:
        try:
            rows = self._active()
        except (SQLAlchemyError, OSError) as exc:
            log.warning("approved answers unavailable: %s", type(exc).__name__)
            return None
        if not rows:
            return None
        similarity = self._matrix(rows, index) @ np.asarray(vector, dtype=np.float32)
        if self._words is None:
            self._words = WordVectors(index.embed)
        current: dict[str, DocumentMeta] | None = None
        for i in np.argsort(-similarity):
            if similarity[i] < self.threshold:
                break
            row = rows[int(i)]
            if mismatch(question, row.question, self._words, self.word_threshold):
                continue
            current = current if current is not None else {d.doc_id: d for d in index.documents()}
            reason = stale_reason(row, current)
            if reason:
                try:
                    _set_stale(self.store, row.id, reason)
                except (SQLAlchemyError, OSError) as exc:
                    log.warning("could not mark an approved answer stale: %s", type(exc).__name__)
                continue
            reviewed_on = (row.created_at or utcnow()).date()
            return reviewed_answer(row.answer, asked=question, reviewed_on=reviewed_on, approved_id=row.id)
        return None


def approved_answers_for(settings: Settings, store: TranscriptStore | None = None) -> StoredApprovedAnswers | None:
    """The approved-answer source the channels give their assistant (None when `settings.approved_answers`
    is off). Without `store`, one on `settings.resolved_database_url` is opened."""
    if not settings.approved_answers:
        return None
    return StoredApprovedAnswers(
        store or TranscriptStore(settings.resolved_database_url),
        threshold=settings.approved_match_threshold,
        word_threshold=settings.approved_word_threshold,
    )
