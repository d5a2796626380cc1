"""Sections of blocks -> passages sized for the embedding model, never crossing a section boundary."""

from __future__ import annotations

import re
from collections.abc import Callable

from ingest.models import Passage
from ingest.structure import Block, Section

__all__ = ["chunk_sections", "split_sentences"]

SENTENCE_END_RE = re.compile(r"(?<=[.!?;:])[”\"’)]?\s+(?=[A-Z“‘\"(•0-9])|\n(?=• )")


def split_sentences(text: str) -> list[str]:
    """Split text at sentence ends and before bullets; bullets stay whole."""
    return [piece.strip() for piece in SENTENCE_END_RE.split(text) if piece and piece.strip()]


def chunk_sections(doc_id: str, sections: list[Section], max_tokens: int, count: Callable[[str], int]) -> list[Passage]:
    """Pack each section's blocks into passages of at most `max_tokens` word pieces (a block that is
    longer on its own is split at sentence boundaries)."""
    passages: list[Passage] = []
    for section in sections:
        group: list[Block] = []
        used = 0
        for block in _fit_blocks(section.blocks, max_tokens, count):
            size = count(block.text)
            if group and (used + size > max_tokens or block.note != group[-1].note):
                passages.append(_passage(doc_id, len(passages), section, group))
                group, used = [], 0
            group.append(block)
            used += size
        if group:
            passages.append(_passage(doc_id, len(passages), section, group))
    return passages


def _fit_blocks(blocks: list[Block], max_tokens: int, count: Callable[[str], int]) -> list[Block]:
    fitted: list[Block] = []
    for block in blocks:
        if count(block.text) <= max_tokens:
            fitted.append(block)
            continue
        piece: list[str] = []
        used = 0
        for sentence in _bounded_sentences(block.text, max_tokens, count):
            size = count(sentence)
            if piece and used + size > max_tokens:
                fitted.append(_piece(block, piece))
                piece, used = [], 0
            piece.append(sentence)
            used += size
        if piece:
            fitted.append(_piece(block, piece))
    return fitted


def _bounded_sentences(text: str, max_tokens: int, count: Callable[[str], int]) -> list[str]:
    """Sentences of `text`; one longer than the budget is cut at word boundaries."""
    pieces: list[str] = []
    for sentence in split_sentences(text):
        if count(sentence) <= max_tokens:
            pieces.append(sentence)
            continue
        words = sentence.split(" ")
        step = max(1, int(len(words) * max_tokens / max(count(sentence), 1) * 0.9))
        pieces.extend(" ".join(words[i : i + step]) for i in range(0, len(words), step))
    return pieces


def _piece(block: Block, sentences: list[str]) -> Block:
    text = " ".join(sentences).replace(" • ", "\n• ")
    return Block(text=text, paragraph=block.paragraph, pages=block.pages, anchor=block.anchor, note=block.note)


def _passage(doc_id: str, order: int, section: Section, blocks: list[Block]) -> Passage:
    paragraphs: list[str] = []
    pages: list[int] = []
    for block in blocks:
        if block.paragraph and block.paragraph not in paragraphs and not block.note:
            paragraphs.append(block.paragraph)
        pages.extend(page for page in block.pages if page not in pages)
    anchor = next((block.anchor for block in blocks if block.anchor), "") or section.anchor
    return Passage(
        passage_id=f"{doc_id}:{order:05d}",
        doc_id=doc_id,
        order=order,
        section_path=list(section.path),
        section_anchor=anchor,
        paragraphs=paragraphs,
        pages=sorted(pages),
        text="\n".join(block.text for block in blocks),
    )
