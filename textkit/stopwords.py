"""The one English stopword list (`stopwords.txt`), shared by keyword search and sentence matching."""

from __future__ import annotations

from pathlib import Path

__all__ = ["STOPWORDS"]

STOPWORDS: frozenset[str] = frozenset(
    word
    for line in Path(__file__).with_name("stopwords.txt").read_text(encoding="utf-8").splitlines()
    for word in line.split("#", 1)[0].split()
)
"""Function words and question filler ("please", "tell") that say nothing about what is asked."""
