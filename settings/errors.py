"""The one error root of the product: every error raised on purpose derives from `VshError`.

`VshError(message, hint=...)`: `message` says what went wrong, `hint` (one sentence, for the user) says what
to do about it. A subclass sets its usual hint once as a class attribute (for example `index.IndexUnavailable`
carries how to rebuild the index); `str(error)` is the message followed by the hint, so every channel shows
both without writing the hint again.
"""

from __future__ import annotations

__all__ = ["VshError"]


class VshError(Exception):
    """Root of the product's errors. `hint` is what the user can do about it ('' when nothing)."""

    hint: str = ""

    def __init__(self, message: str = "", *, hint: str | None = None) -> None:
        super().__init__(message)
        if hint is not None:
            self.hint = hint

    @property
    def message(self) -> str:
        """What went wrong, without the hint."""
        return str(self.args[0]) if self.args else ""

    def __str__(self) -> str:
        message = self.message.strip()
        if not self.hint or self.hint in message:
            return message or self.hint
        return f"{message} {self.hint}" if message else self.hint
