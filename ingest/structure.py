"""Format-independent structure every parser produces: sections of text blocks with locators."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Block", "Section", "DocumentDraft", "slugify"]


@dataclass
class Block:
    """A unit of body text that chunking never splits mid-sentence: a numbered paragraph, a plain
    paragraph (with any bullet list that follows its lead-in), or a footnote."""

    text: str
    paragraph: str | None = None
    pages: list[int] = field(default_factory=list)
    anchor: str = ""
    note: bool = False  # a footnote: packed only with other footnotes


@dataclass
class Section:
    """One heading and the blocks under it (not those of its sub-sections)."""

    path: list[str]
    blocks: list[Block] = field(default_factory=list)
    anchor: str = ""


@dataclass
class DocumentDraft:
    """What a parser read from a file, before metadata is settled and text is chunked."""

    sections: list[Section]
    title: str = ""
    pages: int = 0
    front_text: str = ""
    html_meta: dict[str, str] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def slugify(text: str, limit: int = 80) -> str:
    """Lowercase ASCII slug: 'Pupil Premium Plus (PP+)' -> 'pupil-premium-plus-pp'."""
    slug = re.sub(r"[^a-z0-9]+", "-", text.lower().replace("’", "").replace("'", "")).strip("-")
    return slug[:limit].rstrip("-") or "section"
