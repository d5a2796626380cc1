"""Markdown and plain text -> sections. Markdown '#' headings; plain-text headings found heuristically.

Shared rules: one block per numbered paragraph ("12. ..."); a list numbered from 1 after a lead-in that ends
with ':' stays in that paragraph as bullets; a "Contents" section is left out. Markdown also: indented
numbered items are list items, a pipe table becomes one '• ' line per row with its cells labelled, and
footnotes ("[^1]: ...") become "Footnote 1 ..." blocks with their marks dropped from the text."""

from __future__ import annotations

import re

from ingest.structure import Block, DocumentDraft, Section, slugify
from ingest.textclean import BULLET_RE, join_lines, normalise_space, table_text

__all__ = ["parse_markdown", "parse_text"]

# A numbered paragraph: "12. ...", "3.4. ..." or "3.4 The ..." (not "1.5 million ...").
NUMBERED_RE = re.compile(r"^(?:(\d{1,3}(?:\.\d{1,3})?)\.|(\d{1,3}\.\d{1,3})(?=\s+[A-Z“‘\"'(]))\s+\S")
# A numbered heading: "1. Introduction", "1.2 Who this is for" (its depth: one less than its numbers).
HEADING_NUMBER_RE = re.compile(r"^(\d{1,2}\.(?:\d{1,2}\.?){0,2})\s+(\S.*)$")
MD_HEADING_RE = re.compile(r"^(#{1,6})\s+(.*?)\s*#*\s*$")
UNDERLINE_RE = re.compile(r"^(=+|-+)\s*$")
MD_TABLE_RULE_RE = re.compile(r"^\s*\|?(\s*:?-{3,}:?\s*\|?)+\s*$")
MD_FOOTNOTE_RE = re.compile(r"^\[\^([^\]]+)\]:\s*(.*)$")
# Page furniture of republished web pages: sections with these headings are not guidance text.
BOILERPLATE_HEADINGS = {
    "comments",
    "write a comment",
    "share this",
    "related articles",
    "recent comments",
    "follow us",
    "follow us on twitter",
    "social media",
    "media assets",
    "embedded media",
    "contents",
    "table of contents",
}


def parse_markdown(text: str) -> DocumentDraft:
    """Markdown: '# Title', '## Section', '### Sub-section'; blank lines separate paragraphs."""
    title = ""
    sections: list[Section] = [Section(path=[], anchor="top")]
    stack: list[str] = []
    paragraph: list[str] = []
    table: list[str] = []
    notes: list[Block] = []

    def close() -> None:
        if paragraph:
            sections[-1].blocks.extend(_paragraph_blocks(paragraph))
            paragraph.clear()
        if table:
            sections[-1].blocks.append(Block(text=_markdown_table(table)))
            table.clear()

    for line in text.splitlines():
        match = MD_HEADING_RE.match(line)
        note = MD_FOOTNOTE_RE.match(line)
        if note:
            close()
            notes.append(Block(text=f"Footnote {note.group(1)} {_strip_markdown(note.group(2))}".strip(), note=True))
        elif line.lstrip().startswith("|"):
            if paragraph:
                close()
            table.append(line)
        elif match:
            close()
            level, heading = len(match.group(1)), _strip_markdown(match.group(2))
            if level == 1 and not title:
                title = heading
                continue
            depth = max(level - 2, 0)
            stack = [*stack[:depth], heading]
            sections.append(Section(path=list(stack), anchor=slugify(" ".join(stack))))
        elif not line.strip():
            close()
        else:
            if table:
                close()
            paragraph.append(_strip_markdown(line))
    close()
    if notes:
        sections.append(Section(path=["Footnotes"], anchor="footnotes", blocks=notes))
    return _draft(sections, title, text)


def parse_text(text: str) -> DocumentDraft:
    """Plain text: a short line without final punctuation that stands alone between blank lines (or is
    underlined) starts a section; a numbered one ("1. Introduction", "1.1 Purpose") nests by its number.
    When the first such line opens the file it is the title; otherwise the title is taken from the start
    of the first paragraph, which stays in the text (so a file of one paragraph is indexed whole)."""
    lines = text.splitlines()
    nonblank = [index for index, line in enumerate(lines) if line.strip()]
    first = nonblank[0] if nonblank else 0
    following = lines[first + 1] if first + 1 < len(lines) else ""
    opening = lines[first].strip() if nonblank else ""
    title_line = (
        bool(opening)
        and not following.strip()
        and len(opening.split()) <= 12
        and opening[-1] not in '.,;:!?"”'
        and len(nonblank) > 1
    )
    title = normalise_space(lines[first]) if title_line else _title_from(lines[first] if nonblank else "")
    sections: list[Section] = [Section(path=[], anchor="top")]
    paragraph: list[str] = []
    stack: list[str] = []

    def close() -> None:
        if paragraph:
            sections[-1].blocks.extend(_paragraph_blocks(paragraph))
            paragraph.clear()

    def open_section(heading: str) -> None:
        nonlocal stack
        stack = [*stack[: _heading_depth(heading, len(stack))], heading]
        sections.append(Section(path=list(stack), anchor=slugify(" ".join(stack))))

    start = first + 1 if title_line else first
    for index in range(start, len(lines)):
        line = lines[index]
        following = lines[index + 1] if index + 1 < len(lines) else ""
        if UNDERLINE_RE.match(line.strip()) and paragraph:
            heading = paragraph.pop()
            close()
            open_section(normalise_space(heading))
        elif not line.strip():
            close()
        elif _is_heading(line, lines[index - 1] if index else "", following):
            close()
            open_section(normalise_space(line))
        else:
            paragraph.append(line)
    close()
    return _draft(sections, title, text)


def _title_from(line: str, limit: int = 90) -> str:
    """A title from the opening of a paragraph: its first sentence, cut at a word within `limit` characters."""
    text = normalise_space(line)
    sentence = re.split(r"(?<=[.!?])\s", text, maxsplit=1)[0]
    if len(sentence) <= limit:
        return sentence.rstrip(".")
    return sentence[:limit].rsplit(" ", 1)[0].rstrip(",;:") + "…"


def _is_heading(line: str, previous: str, following: str) -> bool:
    stripped = line.strip()
    numbered = HEADING_NUMBER_RE.match(line)  # at the line start: an indented "3. We have" is a list item
    words = numbered.group(2) if numbered else stripped
    return (
        not previous.strip()
        and not following.strip()
        and (1 if numbered else 2) <= len(words.split()) <= 12
        and stripped[-1] not in '.,;:!?)"”'
        and words[:1].isupper()
        and not BULLET_RE.match(stripped)
    )


def _heading_depth(heading: str, open_levels: int) -> int:
    """Where a heading goes in the path: '1.2 ...' under '1. ...'; an unnumbered heading at the top."""
    numbered = HEADING_NUMBER_RE.match(heading)
    levels = len(re.findall(r"\d+", numbered.group(1))) - 1 if numbered else 0
    return min(levels, open_levels)


def _paragraph_blocks(lines: list[str]) -> list[Block]:
    """One block per numbered paragraph; otherwise the lines form one block (bullets included). A list
    numbered from 1 after a line ending with ':' ("They should:", "1. talk ...", "2. meet ...") is bullets
    of that block, not paragraphs 1 and 2."""
    blocks: list[list[str]] = []
    numbers: list[str | None] = []
    item = 0  # the number of the last list item in the open block
    for line in lines:
        match = NUMBERED_RE.match(line.strip())
        number = (match.group(1) or match.group(2)) if match else None
        if (
            match
            and blocks
            and (number == str(item + 1) if item else number == "1" and blocks[-1][-1].rstrip().endswith(":"))
        ):
            item += 1
            blocks[-1].append("• " + line.strip()[match.end() - 1 :])
        elif match or not blocks:
            item = 0
            blocks.append([line])
            numbers.append(number)
        else:
            blocks[-1].append(line)
    return [Block(text=join_lines(block), paragraph=number) for block, number in zip(blocks, numbers, strict=True)]


def _markdown_table(lines: list[str]) -> str:
    """A pipe table: the row above the '|---|' rule is the header."""
    rows = [[_strip_markdown(cell).strip() for cell in line.strip().strip("|").split("|")] for line in lines]
    rules = {index for index, line in enumerate(lines) if MD_TABLE_RULE_RE.match(line)}
    header = rows[0] if 1 in rules else []
    return table_text(
        header, [row for index, row in enumerate(rows) if index not in rules and not (header and index == 0)]
    )


def _strip_markdown(line: str) -> str:
    line = re.sub(r"\[\^[^\]]+\]", "", line)
    line = re.sub(r"^\s{2,}\d{1,3}[.)]\s+", "• ", line)
    line = re.sub(r"!\[[^\]]*\]\([^)]*\)", "", line)
    line = re.sub(r"\[([^\]]+)\]\([^)]*\)", r"\1", line)
    line = re.sub(r"(\*\*|__|`)", "", line)
    return re.sub(r"^\s*[*+]\s+", "• ", line)


def _draft(sections: list[Section], title: str, text: str) -> DocumentDraft:
    kept = [s for s in sections if s.blocks and not (s.path and s.path[-1].lower() in BOILERPLATE_HEADINGS)]
    return DocumentDraft(sections=kept, title=title, front_text=text[:3000])
