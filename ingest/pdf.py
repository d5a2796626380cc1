"""PDF guidance -> sections of numbered-paragraph blocks, using the bookmarks for the section tree.

Steps: read each page's lines; drop running headers, footers and page numbers; split off footnotes (below
the long blank separator line or, without one, from the first line that starts with a number seen above as
a mark glued to a word) and remove those marks from the text (these steps are `ingest.pdf_pages`); place
each bookmark heading on its page; then read the body between headings into blocks, one per numbered
paragraph ("39. Looked-after children ..."), re-joining words hyphenated across lines and keeping bullet
lists with their lead-in. A PDF without bookmarks falls back to the headings of its own Contents page, and
failing that to one section.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from ingest.errors import IngestError
from ingest.pdf_pages import Page, clean_pages
from ingest.structure import Block, DocumentDraft, Section, slugify
from ingest.textclean import BULLET_RE, join_lines, normalise_for_match

if TYPE_CHECKING:
    from pypdf import PdfReader

__all__ = ["parse_pdf"]

logging.getLogger("pypdf").setLevel(logging.ERROR)

PARAGRAPH_RE = re.compile(r"^((?:[A-H]\.)?\d{1,3}(?:\.\d{1,3})?)\.?\s+(?=[A-Z“‘\"'(•a-z0-9])")
"""A numbered paragraph's opening: "12", "3.4" or, in an annex, "B.1"."""
ANNEX_BASE = 1000
"""`_number_key` puts an annex letter above any chapter number ("B.1" -> (1001, 1))."""
CONTENTS_ENTRY_RE = re.compile(r"^(?P<title>.*?\S)\s*\.{0,}\s+(?P<page>\d{1,3})\s*$")
MIN_TEXT_CHARS = 200
UNREADABLE = (ValueError, KeyError, TypeError, OSError, AttributeError, IndexError, NotImplementedError)
"""What pypdf raises, besides its own errors, reading a damaged PDF (NotImplementedError: a garbled filter name)."""


@dataclass
class _Heading:
    level: int
    title: str
    page: int  # 0-based
    path: list[str] = field(default_factory=list)
    line: int = 0  # index of the first body line after the heading on its page


def parse_pdf(path: Path) -> DocumentDraft:
    """Parse a PDF into a draft. Raises IngestError for encrypted, corrupt, empty or image-only files."""
    from pypdf import PdfReader
    from pypdf.errors import DependencyError, PdfReadError

    try:
        reader = PdfReader(str(path), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise IngestError(path, "the PDF is encrypted with a password; save an unencrypted copy and retry")
        raw_pages = [page.extract_text() or "" for page in reader.pages]
    except IngestError:
        raise
    except DependencyError as exc:  # AES needs the `cryptography` package, which is not installed
        raise IngestError(
            path,
            "the PDF is encrypted (AES), which this installation cannot decrypt; save an unencrypted copy and retry",
        ) from exc
    except (PdfReadError, *UNREADABLE) as exc:
        reason = " ".join(str(exc).split()) or type(exc).__name__
        if "decrypt" in reason.lower() or "encrypt" in reason.lower():
            raise IngestError(path, "the PDF is encrypted; save an unencrypted copy and retry") from exc
        raise IngestError(path, "the PDF is corrupt or unreadable" + _readable(reason)) from exc
    if not raw_pages:
        raise IngestError(path, "the PDF has no pages")
    if sum(len(text.strip()) for text in raw_pages) < MIN_TEXT_CHARS:
        raise IngestError(path, "the PDF has no extractable text (image-only or scanned?); OCR it first")

    pages = clean_pages(raw_pages)
    warnings: list[str] = []
    headings = _outline_headings(reader)
    if not headings:
        headings = _contents_headings(pages)
        if headings:
            warnings.append("no bookmarks: sections taken from the document's contents page")
        else:
            warnings.append("no bookmarks and no contents page: the document is one section")
    front_text = "\n".join(line for page in pages[:3] for line in page.lines)
    metadata_title = _metadata_title(reader)
    sections = _read_sections(pages, headings, warnings)
    return DocumentDraft(
        sections=sections,
        title=_title_from_cover(pages) or metadata_title,
        pages=len(pages),
        front_text=front_text,
        warnings=warnings,
    )


def _metadata_title(reader: PdfReader) -> str:
    """The document information's title; '' when there is none or it is damaged (the pages were read)."""
    try:
        metadata = reader.metadata
        return str(metadata.get("/Title", "") if metadata else "").strip()
    except Exception:
        return ""


def _readable(reason: str, limit: int = 120) -> str:
    """' (reason)', shortened to about `limit` characters, when pypdf's reason is plain text; '' when it
    quotes the file's raw bytes (b'\\xff...' or characters decoded from them), which no one can read."""
    if not (reason.isascii() and reason.isprintable()) or "b'" in reason or 'b"' in reason or "\\x" in reason:
        return ""
    return f" ({reason if len(reason) <= limit else reason[: limit - 3].rstrip() + '...'})"


def _title_from_cover(pages: list[Page]) -> str:
    """The title on the cover page: the first lines before a date, the document's kind ('Statutory guidance',
    'Non-statutory advice for ...') or the publisher."""
    for page in pages[:3]:
        lines = [line.strip() for line in page.lines if line.strip()]
        if not lines or normalise_for_match(lines[0]).startswith("contents"):
            continue
        title: list[str] = []
        for line in lines:
            lowered = line.lower()
            if re.search(
                r"(statutory guidance|guidance for|19\d\d|20\d\d|departmental advice|statutory advice|"
                r"^advice for|^department for education)",
                lowered,
            ):
                break
            title.append(line)
        if 0 < len(title) <= 6:
            return join_lines(title)
    return ""


# --- headings -----------------------------------------------------------------------------------


def _outline_headings(reader: object) -> list[_Heading]:
    """Flatten the PDF outline into headings with their nesting path, in reading order."""
    headings: list[_Heading] = []

    def walk(items: list[object], level: int, parents: list[str]) -> None:
        last_title: str | None = None
        for item in items:
            if isinstance(item, list):
                walk(item, level + 1, [*parents, last_title] if last_title else parents)
                continue
            title = _clean_heading(str(getattr(item, "title", "")))
            try:
                page = reader.get_destination_page_number(item)  # type: ignore[attr-defined]
            except Exception:
                continue
            if not title or page is None or page < 0:
                continue
            headings.append(_Heading(level=level, title=title, page=page, path=[*parents, title]))
            last_title = title

    try:
        outline = reader.outline  # type: ignore[attr-defined]
    except Exception:
        return []
    walk(list(outline), 0, [])
    headings.sort(key=lambda heading: heading.page)  # stable: keeps outline order within a page
    return headings


def _clean_heading(title: str) -> str:
    """Strip footnote markers fused to bookmark titles ('... pathway plan7F' -> '... pathway plan', '...
    orders77F79F  80F' -> '... orders', '... for volunteers 104F' -> '... for volunteers')."""
    title = re.sub(r"\s+", " ", title).strip()
    return re.sub(r"(?<=[a-z)])(?:\s?\d{1,3}F)+$", "", title)


def _heading_text(line: str, target: str) -> str:
    """A page line normalised for matching against a heading's normalised `target`, without the footnote
    number(s) printed after the heading ("... for volunteers 105", "... orders80") when the heading does not
    end with them."""
    text = normalise_for_match(line)
    if target.startswith(text):
        return text
    bare = re.sub(r"\d{1,3}$", "", text)
    return bare if bare and target.startswith(bare) and re.search(r"[a-z)]\s?\d{1,3}\s*$", line) else text


def _contents_headings(pages: list[Page]) -> list[_Heading]:
    """Headings from a 'Contents' page ('Heading text 16' lines, possibly wrapped) when there are no bookmarks."""
    start = next(
        (i for i, page in enumerate(pages[:6]) if any(line.strip().lower() == "contents" for line in page.lines)),
        None,
    )
    if start is None:
        return []
    headings: list[_Heading] = []
    pending = ""
    for page in pages[start : start + 4]:
        found_here = 0
        for line in page.lines:
            text = line.strip()
            if not text or text.lower() == "contents":
                continue
            match = CONTENTS_ENTRY_RE.match(f"{pending} {text}".strip())
            if match:
                title = match.group("title").rstrip(" .")
                target = int(match.group("page")) - 1
                if 0 <= target < len(pages):
                    headings.append(_Heading(level=0, title=title, page=target, path=[title]))
                    found_here += 1
                pending = ""
            else:
                pending = f"{pending} {text}".strip()
        if page is not pages[start] and found_here == 0:
            break
    return sorted(headings, key=lambda heading: heading.page)


def _locate(heading: _Heading, lines: list[str], start: int) -> int | None:
    """Index just past the heading's text in `lines` (searching from `start`), or None if absent."""
    target = normalise_for_match(heading.title)
    if not target:
        return None
    for index in range(start, len(lines)):
        candidate = _heading_text(lines[index], target)
        if not candidate or not target.startswith(candidate[: max(len(candidate), 1)]):
            continue
        joined = candidate
        end = index + 1
        while len(joined) < len(target) and end < len(lines):
            following = _heading_text(lines[end], target[len(joined) :])
            if not following:
                end += 1
                continue
            if not target.startswith(f"{joined}{following}"[: len(target)]):
                break
            joined = f"{joined}{following}"
            end += 1
        if joined == target or (len(joined) >= len(target) and joined.startswith(target)):
            while end < len(lines) and re.fullmatch(r"\d{1,3}", lines[end].strip()):
                end += 1  # a footnote number set on the line below the heading ("... orders80" / "81")
            return end
    return None


# --- body ---------------------------------------------------------------------------------------


def _read_sections(pages: list[Page], headings: list[_Heading], warnings: list[str]) -> list[Section]:
    """Walk the pages in order, switching section at each located heading, and collect blocks."""
    by_page: dict[int, list[_Heading]] = {}
    for heading in headings:
        by_page.setdefault(heading.page, []).append(heading)
    skip_titles = {"contents"}

    reader = _BlockReader()
    current: Section | None = None if headings else Section(path=[])
    sections: list[Section] = [] if headings else [current]  # type: ignore[list-item]
    for page in pages:
        cursor = 0
        lines = page.lines
        marks: list[tuple[int, int, _Heading]] = []
        for heading in by_page.get(page.number - 1, []):
            end = _locate(heading, lines, cursor)
            if end is None:
                start, end = cursor, cursor
            else:
                start = _heading_start(heading, lines, cursor, end)
            marks.append((start, end, heading))
            cursor = end
        position = 0
        for start, end, heading in marks:
            if current is not None:
                reader.feed(lines[position:start], page.number)
                current.blocks.extend(reader.flush())
            if normalise_for_match(heading.title) in skip_titles:
                current = None
            else:
                current = Section(path=heading.path, anchor=slugify(" ".join(heading.path)))
                sections.append(current)
            position = end
        if current is not None:
            reader.feed(lines[position:], page.number)
            current.blocks.extend(reader.take_complete())
            reader.defer([Block(text=f"Footnote {note}", pages=[page.number], note=True) for note in page.footnotes])
    if current is not None:
        current.blocks.extend(reader.flush())
    empty = [section for section in sections if not section.blocks]
    if headings and len(empty) == len(sections):
        warnings.append("no body text found under any heading")
    return [section for section in sections if section.blocks or section.path]


def _heading_start(heading: _Heading, lines: list[str], cursor: int, end: int) -> int:
    """First line index of the located heading text (walks back from `end`)."""
    target = normalise_for_match(heading.title)
    start = end - 1
    while start > cursor and not target.startswith(_heading_text(lines[start], target)):
        start -= 1
    while start > cursor and target.startswith(normalise_for_match(" ".join(lines[start - 1 : end]))[: len(target)]):
        start -= 1
    return max(start, cursor)


class _BlockReader:
    """Accumulates body lines into blocks: a new block at each numbered paragraph or blank line
    between plain paragraphs; bullets stay in the block of their lead-in."""

    def __init__(self) -> None:
        self._lines: list[str] = []
        self._pages: list[int] = []
        self._paragraph: str | None = None
        self._done: list[Block] = []
        self._deferred: list[Block] = []
        self._last_number: tuple[int, ...] = ()

    def defer(self, blocks: list[Block]) -> None:
        """Blocks (footnotes) to emit after the block that is open now, so it is not cut in two."""
        self._deferred.extend(blocks)

    def feed(self, lines: list[str], page: int) -> None:
        for raw in lines:
            line = raw.strip()
            if not line:
                if self._paragraph is None and self._lines and not self._ends_mid_sentence():
                    self._close()
                continue
            match = PARAGRAPH_RE.match(line)
            if match and self._plausible_number(match.group(1)):
                self._close()
                self._paragraph = match.group(1)
                self._last_number = _number_key(match.group(1))
            elif self._paragraph is None and self._lines and _looks_like_subheading(line, self._lines):
                self._close()
            self._lines.append(line)
            if page not in self._pages:
                self._pages.append(page)

    def _ends_mid_sentence(self) -> bool:
        last = self._lines[-1].rstrip()
        return bool(last) and last[-1] not in '.:;!?)”"' and not BULLET_RE.match(last)

    def _plausible_number(self, number: str) -> bool:
        key = _number_key(number)
        last = self._last_number
        if key[0] >= ANNEX_BASE:
            # an annex opens at "X.1" (the next letter, or any after the body); goes on "X.2", "X.3", ...
            if last and last[0] >= ANNEX_BASE and key[0] == last[0]:
                return 0 < key[1] - last[1] <= 6
            return key[1] == 1 and (not last or last[0] < ANNEX_BASE or key[0] == last[0] + 1)
        if last and last[0] >= ANNEX_BASE:
            return False  # a plain number inside an annex is a list number or a stray, not a paragraph
        if not self._last_number:
            return key[0] <= 5 or len(key) == 2
        if len(key) != len(self._last_number):
            return False  # '2' after '1.5' is a stray number, not the next paragraph
        if len(key) == 2:
            return key > self._last_number and key[0] - self._last_number[0] <= 1
        return key > self._last_number and key[0] - self._last_number[0] <= 6

    def _close(self) -> None:
        if self._lines:
            self._done.append(Block(text=join_lines(self._lines), paragraph=self._paragraph, pages=self._pages))
        self._done.extend(self._deferred)
        self._lines, self._pages, self._paragraph, self._deferred = [], [], None, []

    def take_complete(self) -> list[Block]:
        """Blocks finished so far; an open block carries over to the next page."""
        done, self._done = self._done, []
        return done

    def flush(self) -> list[Block]:
        """Close the open block (at a section end) and return all finished blocks."""
        self._close()
        return self.take_complete()


def _number_key(number: str) -> tuple[int, ...]:
    """A paragraph number as comparable parts: "3.4" -> (3, 4); an annex's "B.1" -> (ANNEX_BASE + 1, 1)."""
    head, _, rest = number.partition(".")
    if head.isalpha():
        return (ANNEX_BASE + ord(head.upper()) - ord("A"), *(int(part) for part in rest.split(".")))
    return tuple(int(part) for part in number.split("."))


def _looks_like_subheading(line: str, previous: list[str]) -> bool:
    """A short title-like line after a finished sentence (an unbookmarked sub-heading)."""
    last = previous[-1].rstrip()
    return (
        len(line) < 70
        and not line.endswith((".", ",", ";", ":"))
        and line[:1].isupper()
        and bool(last)
        and last[-1] in ".:;?!"
        and not BULLET_RE.match(line)
        and len(line.split()) <= 10
    )
