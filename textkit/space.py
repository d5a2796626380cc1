"""Whitespace and quote normalisation, the one place text is collapsed for comparison and display."""

from __future__ import annotations

import re

__all__ = ["collapse_space", "fold_for_match"]

_WS = re.compile(r"\s+")
_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def collapse_space(text: str) -> str:
    """Collapse every whitespace run to one space and strip the ends."""
    return _WS.sub(" ", text).strip()


def fold_for_match(text: str) -> str:
    """Lower case, straight quotes, collapsed spaces: the form two texts are compared in."""
    return collapse_space(text.translate(_QUOTES).lower())
