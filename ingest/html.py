"""GOV.UK-style HTML -> sections: h2/h3/h4 headings (with their ids) and numbered paragraphs."""

from __future__ import annotations

import re
from pathlib import Path

from ingest.errors import IngestError
from ingest.structure import Block, DocumentDraft, Section, slugify
from ingest.textclean import normalise_space

__all__ = ["parse_html"]

HEADING_LEVELS = {"h2": 0, "h3": 1, "h4": 2}
NUMBERED_RE = re.compile(r"^(\d{1,3}(?:\.\d{1,3})?)\.?\s+\S")
DROP_TAGS = ["script", "style", "nav", "header", "footer", "noscript", "form", "aside", "svg", "button"]


def parse_html(path: Path, raw: bytes) -> DocumentDraft:
    """Parse an HTML page. The main content is `<main>` (or the GOV.UK govspeak body) when present."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    meta = {
        str(tag.get("name") or tag.get("property")): str(tag.get("content"))
        for tag in soup.find_all("meta")
        if (tag.get("name") or tag.get("property")) and tag.get("content")
    }
    h1 = soup.find("h1")
    title = normalise_space(h1.get_text(" ")) if h1 else ""
    if not title and soup.title:
        title = normalise_space(soup.title.get_text(" ")).split(" - GOV.UK")[0]
    for tag in soup(DROP_TAGS):
        tag.decompose()
    root = soup.select_one(".govspeak") or soup.find("main") or soup.body or soup
    front_text = normalise_space(root.get_text(" "))[:3000]
    if not front_text:
        raise IngestError(path, "the HTML page has no text")

    sections: list[Section] = [Section(path=[title] if title else [], anchor="top")]
    stack: list[str] = []
    for element in root.find_all(["h2", "h3", "h4", "p", "li", "table"]):
        name = element.name
        if name in HEADING_LEVELS:
            level = HEADING_LEVELS[name]
            heading = normalise_space(element.get_text(" "))
            if not heading:
                continue
            stack = [*stack[:level], heading]
            anchor = str(element.get("id") or slugify(" ".join(stack)))
            sections.append(Section(path=list(stack), anchor=anchor))
            continue
        if name == "li" and element.find_parent("li") is not None:
            continue
        if name == "p" and element.find_parent(["li", "table"]) is not None:
            continue
        text = normalise_space(element.get_text(" "))
        if not text:
            continue
        sections[-1].blocks.extend(_blocks_for(element, text))
    return DocumentDraft(
        sections=[s for s in sections if s.blocks],
        title=title,
        front_text=front_text,
        html_meta=meta,
    )


def _blocks_for(element: object, text: str) -> list[Block]:
    """A numbered paragraph keeps its number; an <ol> item gets its list position; bullets get '• '."""
    name = getattr(element, "name", "")
    anchor = str(getattr(element, "get", lambda *_: "")("id") or "")
    if name == "li":
        parent = element.find_parent(["ol", "ul"])  # type: ignore[attr-defined]
        if parent is not None and parent.name == "ol" and "number" in " ".join(parent.get("class", []) or []):
            items = [li for li in parent.find_all("li", recursive=False)]
            start = int(parent.get("start", 1) or 1)
            number = str(start + items.index(element)) if element in items else None
            return [Block(text=f"{number}. {text}" if number else text, paragraph=number, anchor=anchor)]
        return [Block(text=f"• {text}", anchor=anchor)]
    match = NUMBERED_RE.match(text)
    return [Block(text=text, paragraph=match.group(1) if match else None, anchor=anchor)]
