"""PDF page text -> body lines and footnotes: running headers, footers and page numbers dropped.

Footnotes are the lines below the long blank separator line or, without one, from the first line that
starts with a number seen above as a mark glued to a word ("Heads53 manage"); those marks are removed from
the body text, ordinary numbers are not ("1989 c.41", "s.128").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from ingest.textclean import join_lines, normalise_for_match

__all__ = ["Page", "clean_pages"]

FOOTNOTE_SEPARATOR_RE = re.compile(r"^\s{20,}$")
FOOTNOTE_START_RE = re.compile(r"^(\d{1,3})\s+\S")
GLUED_MARK_RE = re.compile(r"(?:(?<=[a-z]{2})|(?<=[a-z]{2}[.,;:)’”]))(\d{1,3})(?=[\s.,;:)’”]|$)")
"""A number glued to the word before it, as footnote marks come out of the text layer ("Heads53 manage")."""
SPACED_END_MARK_RE = re.compile(r"(?<=[a-z)’”])\s+(\d{1,3})\s*$")
"""A footnote mark set apart from the last word of a line ("... for volunteers 105")."""
SPLIT_WORD_RE = re.compile(r"(?<![A-Za-z0-9’'-])([A-Za-z]+) ([a-z]{2,})\b")
"""Two pieces of text that may be one word the text layer split ("G overning", "c hildren", "gu idance")."""
WORD_RE = re.compile(r"[A-Za-z]+")
REFERENCE_WORD_END_RE = re.compile(
    r"\b(?:sections?|regulations?|paragraphs?|paras?|parts?|schedules?|articles?|chapters?|annex|page|s\.|"
    r"age|aged|year|years|key stage|under|no\.)\s*$",
    re.I,
)


@dataclass
class Page:
    """One PDF page: its body lines and its footnotes (each joined into one line)."""

    number: int  # 1-based
    lines: list[str]
    footnotes: list[str]


def clean_pages(raw_pages: list[str]) -> list[Page]:
    """Split each page into body lines and footnotes, dropping page numbers and running headers."""
    split = [_split_footnotes(text.splitlines()) for text in raw_pages]
    edge_counts: Counter[str] = Counter()
    for body, _ in split:
        edges = {normalise_for_match(line) for line in _nonblank(body)[:2] + _nonblank(body)[-2:]}
        edge_counts.update(edge for edge in edges if edge)
    running = {line for line, count in edge_counts.items() if count >= max(3, len(raw_pages) // 3) and len(line) < 120}
    pages: list[Page] = []
    for number, (body, footnotes) in enumerate(split, start=1):
        lines = [line.rstrip() for line in body]
        lines = _drop_page_number(lines, number)
        lines = [line for line in lines if normalise_for_match(line) not in running]
        if not footnotes:
            lines, footnotes = _trailing_footnotes(lines)
        lines = _strip_footnote_marks(lines, footnotes)
        pages.append(Page(number=number, lines=lines, footnotes=footnotes))
    return _join_split_words(pages)


def _join_split_words(pages: list[Page]) -> list[Page]:
    """Re-join a word the text layer split ("G overning", "c hildren", "gu idance") when the document uses the
    joined word elsewhere and each piece (but a single letter) only in such splits; "I am", "a new", "B does"
    and "Annex C for" are left as they are."""
    texts = [line for page in pages for line in page.lines + page.footnotes]
    words = Counter(word.lower() for line in texts for word in WORD_RE.findall(line))
    pairs = [
        (match.group(1).lower(), match.group(2))
        for line in texts
        for match in _overlapping(line)
        if words[(match.group(1) + match.group(2)).lower()]
    ]
    firsts, seconds = Counter(first for first, _ in pairs), Counter(second for _, second in pairs)

    def joined(line: str) -> str:
        spaces = set()
        for match in _overlapping(line):
            first, second = match.group(1), match.group(2)
            alone = len(first) == 1 or words[first.lower()] == firsts[first.lower()]
            if words[(first + second).lower()] and alone and words[second] == seconds[second]:
                spaces.add(match.end(1))
        return "".join(char for position, char in enumerate(line) if position not in spaces)

    for page in pages:
        page.lines = [joined(line) for line in page.lines]
        page.footnotes = [joined(line) for line in page.footnotes]
    return pages


def _overlapping(line: str) -> list[re.Match[str]]:
    """Every pair of neighbouring pieces `SPLIT_WORD_RE` could join, overlapping ones included."""
    found = []
    position = 0
    while (match := SPLIT_WORD_RE.search(line, position)) is not None:
        found.append(match)
        position = match.start(2)
    return found


def _nonblank(lines: list[str]) -> list[str]:
    return [line for line in lines if line.strip()]


def _drop_page_number(lines: list[str], number: int) -> list[str]:
    """Remove a bare page-number line at the top or bottom of the page."""
    result = list(lines)
    for index in (0, 1, -1, -2):
        if -len(result) <= index < len(result):
            value = result[index].strip()
            if value.isdigit() and abs(int(value) - number) <= 3:
                del result[index]
                break
    return result


def _split_footnotes(lines: list[str]) -> tuple[list[str], list[str]]:
    """Body lines and footnote lines (those after the long blank separator that precedes footnotes)."""
    for index in range(len(lines) - 1, -1, -1):
        if FOOTNOTE_SEPARATOR_RE.match(lines[index]) and index + 1 < len(lines):
            rest = lines[index + 1 :]
            if rest and FOOTNOTE_START_RE.match(rest[0].strip()):
                return lines[:index], _group_footnotes(rest)
    return lines, []


def _trailing_footnotes(lines: list[str]) -> tuple[list[str], list[str]]:
    """Body lines and footnotes of a page without a separator line: the footnotes start at the first line
    that begins with a number ("53 Section 22(3B) ...") already seen as a mark glued to a word above it
    ("Heads53"), and run to the foot of the page."""
    seen: set[str] = set()
    previous = ""
    for index, line in enumerate(lines):
        start = FOOTNOTE_START_RE.match(line.strip())
        if start and index > 0 and start.group(1) in seen and _can_start_footnote(line.strip(), previous):
            return lines[:index], _group_footnotes(lines[index:])
        seen.update(GLUED_MARK_RE.findall(line))
        previous = line.strip() or previous
    return lines, []


def _can_start_footnote(line: str, previous: str) -> bool:
    """A footnote's text starts with a capital, digit, quote or link, and the line before it does not end
    with a word that a number completes (so "... as defined in section / 22 of the Children Act" stays)."""
    parts = line.split(maxsplit=1)
    if len(parts) < 2 or parts[1][0].islower():
        return False
    return not REFERENCE_WORD_END_RE.search(previous)


def _strip_footnote_marks(lines: list[str], footnotes: list[str]) -> list[str]:
    """Remove footnote marks glued to the word before them ("Heads53 manage", "children;54 and"), but only
    numbers that start a footnote on the same page (or a footnote-like line left in the body), so ordinary
    numbers stay ("1989 c.41", "s.128"); and a mark set apart at the end of a line ("... for volunteers
    105", "... relating to children 107") when a footnote below starts with it and the words before it do
    not call for a number ("aged 16", "section 22")."""
    numbers = {m.group(1) for note in [*footnotes, *lines] if (m := FOOTNOTE_START_RE.match(note.strip()))}
    if not numbers:
        return lines
    below = {m.group(1) for note in footnotes if (m := FOOTNOTE_START_RE.match(note.strip()))}
    out: list[str] = []
    for line in lines:
        line = GLUED_MARK_RE.sub(lambda m: "" if m.group(1) in numbers else m.group(0), line)
        spaced = SPACED_END_MARK_RE.search(line)
        if spaced and spaced.group(1) in below and not REFERENCE_WORD_END_RE.search(line[: spaced.start()]):
            line = line[: spaced.start()]
        out.append(line)
    return out


def _group_footnotes(lines: list[str]) -> list[str]:
    notes: list[list[str]] = []
    for line in lines:
        if not line.strip():
            continue
        starts = FOOTNOTE_START_RE.match(line.strip()) and _can_start_footnote(
            line.strip(), notes[-1][-1] if notes else ""
        )
        if starts or not notes:
            notes.append([line.strip()])
        else:
            notes[-1].append(line.strip())
    return [join_lines(note) for note in notes if note]
