"""What every channel refuses to ask: an empty question, or one longer than the configured limit."""

from __future__ import annotations

__all__ = ["question_problem"]


def question_problem(question: str, max_chars: int) -> tuple[int, str] | None:
    """(HTTP status, message for the user) when `question` cannot be asked; None when it can."""
    if not question.strip():
        return 422, "The question is empty: type a question about the guidance."
    if len(question) > max_chars:
        return 413, (
            f"The question is too long ({len(question)} characters); the limit is {max_chars}. Please shorten it."
        )
    return None
