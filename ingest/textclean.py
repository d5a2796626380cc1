"""Text clean-up shared by the parsers: joining wrapped lines, re-joining hyphenated words, bullets."""

from __future__ import annotations

import re
import unicodedata

__all__ = ["BULLET_RE", "join_lines", "normalise_for_match", "normalise_space", "table_text"]

BULLET_RE = re.compile(r"^\s*(?:[•●▪◦‣∙·]|-\s|–\s|\*\s|o\s{1,})")
# A hyphen at a line end is kept when the first part is one of these compound-forming words
# ("looked-\nafter" -> "looked-after"), and dropped for a word split by the typesetter ("educa-\ntion").
COMPOUND_PREFIXES = {
    "looked",
    "well",
    "non",
    "self",
    "co",
    "pre",
    "post",
    "multi",
    "inter",
    "cross",
    "long",
    "short",
    "full",
    "part",
    "year",
    "half",
    "high",
    "low",
    "one",
    "two",
    "three",
    "four",
    "five",
    "after",
    "school",
    "age",
    "child",
    "children",
    "care",
    "early",
    "sixth",
    "semi",
    "sub",
    "anti",
    "re",
    "de",
    "mid",
    "under",
    "over",
    "step",
    "ex",
    "on",
    "off",
    "in",
    "out",
    "up",
    "down",
    "in-year",
    "decision",
    "evidence",
    "face",
    "so",
    "good",
    "best",
    "top",
    "first",
    "second",
    "third",
    "case",
    "home",
    "court",
    "time",
    "risk",
    "team",
    "local",
    "special",
    "front",
    "end",
    "day",
    "life",
    "key",
    "re-",
    "well-",
}


def normalise_space(text: str) -> str:
    """Collapse runs of whitespace to single spaces and trim."""
    return re.sub(r"\s+", " ", text).strip()


def normalise_for_match(text: str) -> str:
    """Lowercase letters and digits only: robust comparison of headings against page lines."""
    text = unicodedata.normalize("NFKD", text).lower()
    return re.sub(r"[^a-z0-9]+", "", text)


def table_text(header: list[str], rows: list[list[str]], caption: str = "") -> str:
    """A table as text: its caption, then one '• ' line per row, each cell labelled with its column heading
    ("• Group: Looked-after children; Amount: £2,570"), so a row read alone still makes sense."""
    lines = [caption] if caption else []
    for row in rows:
        if len(header) == len(row):
            cells = [
                f"{heading}: {cell}" if heading else cell for heading, cell in zip(header, row, strict=True) if cell
            ]
            lines.append("• " + "; ".join(cells))
        elif any(row):
            lines.append("• " + " | ".join(cell for cell in row if cell))
    return "\n".join(line for line in lines if line)


def join_lines(lines: list[str]) -> str:
    """Join wrapped lines into text; bullets start a new line ('• item'), hyphenated words re-join."""
    out = ""
    for raw in lines:
        line = normalise_space(raw)
        if not line:
            continue
        if BULLET_RE.match(line):
            line = "• " + BULLET_RE.sub("", line, count=1).strip()
            out = f"{out}\n{line}" if out else line
        elif out.endswith("-") and line[:1].islower():
            out = _join_hyphenated(out, line)
        else:
            out = f"{out} {line}" if out else line
    return out.strip()


def _join_hyphenated(before: str, after: str) -> str:
    head = re.split(r"[\s(“‘\"/]", before[:-1])[-1].lower()
    if head in COMPOUND_PREFIXES or len(head) <= 2 or not head.isalpha():
        return f"{before}{after}"
    return f"{before[:-1]}{after}"
