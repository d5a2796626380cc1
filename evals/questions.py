"""Question sets: JSON Lines of questions with gold citations and key facts."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError

from settings import VshError

__all__ = ["EvalQuestion", "GoldCitation", "QuestionSetError", "load_questions", "set_hash"]


class GoldCitation(BaseModel):
    """A place in the corpus that answers the question."""

    doc_id: str
    section: str = ""
    paragraphs: list[str] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)


class EvalQuestion(BaseModel):
    """One question of a set. `answerable` is false when the corpus does not answer it."""

    id: str
    question: str
    audience: str = ""
    topic: str = "general"
    answerable: bool = True
    gold: list[GoldCitation] = Field(default_factory=list)
    key_facts: list[str] = Field(default_factory=list)
    notes: str = ""
    kind: Literal["question"] = "question"


class QuestionSetError(VshError, ValueError):
    """A question set that cannot be read; the message names the file and line."""


def load_questions(path: Path) -> list[EvalQuestion]:
    """Read a JSON Lines question set. Blank lines are skipped; ids must be unique."""
    questions: list[EvalQuestion] = []
    seen: set[str] = set()
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except OSError as exc:
        raise QuestionSetError(f"{path}: cannot read the question set ({exc.strerror or exc})") from exc
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            question = EvalQuestion.model_validate(json.loads(line))
        except (json.JSONDecodeError, ValidationError) as exc:
            first = str(exc).splitlines()[0]
            raise QuestionSetError(f"{path}:{number}: invalid question ({first})") from exc
        if question.id in seen:
            raise QuestionSetError(f"{path}:{number}: duplicate id {question.id!r}")
        seen.add(question.id)
        questions.append(question)
    if not questions:
        raise QuestionSetError(f"{path}: the question set is empty")
    return questions


def set_hash(path: Path) -> str:
    """Short content hash of a question set, recorded with each run."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:16]
