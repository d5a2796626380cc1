"""GOV.UK-style HTML -> sections: h2/h3/h4 headings (with their ids) and numbered paragraphs.

The main content is GOV.UK's govspeak body (`.govuk-govspeak` today, `.govspeak` before; the one with the most
text when there are several), else `<main>`, else `<body>`. The page's address (`og:url`, else its canonical
link, else a browser's "saved from url" note) is the source URL. Rules:
- h2/h3/h4 start sections; a heading's `id` is the section anchor (so `source_url#id` opens that heading
  on GOV.UK), a slug of the heading path when it has none.
- A paragraph starting with its number ("12. The virtual school head ...", "3.4 The ...") is that numbered
  paragraph (a date or figure is not: "1 September 2024 ...", "1.5 million ..."); an item of an `<ol class="number">` list is numbered by its position.
- A bullet list keeps to the paragraph that leads into it (as in PDFs): its items join that paragraph's
  block, so a passage holding the bullets also cites the paragraph's number.
- A table is one block: its caption, then a "• " line per row, each cell labelled with its column heading
  ("• Group: Looked-after children; Amount: £2,570"), so a row read alone still makes sense.
- Footnote marks in the text ("[footnote 3]") are dropped, and the footnotes (`div.footnotes`) become
  "Footnote N ..." blocks packed only with other footnotes, as PDF footnotes are.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from ingest.errors import IngestError
from ingest.structure import Block, DocumentDraft, Section, slugify
from ingest.textclean import normalise_space, table_text

__all__ = ["parse_html"]

HEADING_LEVELS = {"h2": 0, "h3": 1, "h4": 2}
# "12. ..." or "3.4 The ..."; not "1 September 2024 ..." or "1.5 million ...".
NUMBERED_RE = re.compile(r"^(?:(\d{1,3})\.|(\d{1,3}\.\d{1,3})\.?(?=\s+[A-Z“‘\"'(]))\s+\S")
DROP_TAGS = ["script", "style", "nav", "header", "footer", "noscript", "form", "aside", "svg", "button"]
FOOTNOTE_MARK_SELECTOR = "sup[role=doc-noteref], a.footnote, sup > a[href^='#fn']"
GOVSPEAK_SELECTOR = ".govuk-govspeak, .gem-c-govspeak, .govspeak"
SAVED_FROM_RE = re.compile(rb"<!-- saved from url=\(\d+\)(https?://[^\s>]+?) -->")


def parse_html(path: Path, raw: bytes) -> DocumentDraft:
    """Parse an HTML page (or a GOV.UK Content API body wrapped in a page) into sections."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(raw, "html.parser")
    meta = {
        str(tag.get("name") or tag.get("property")): str(tag.get("content"))
        for tag in soup.find_all("meta")
        if (tag.get("name") or tag.get("property")) and tag.get("content")
    }
    if not meta.get("og:url") and _page_url(soup, raw):
        meta["og:url"] = _page_url(soup, raw)
    h1 = soup.find("h1")
    title = normalise_space(h1.get_text(" ")) if h1 else ""
    if not title and soup.title:
        title = normalise_space(soup.title.get_text(" ")).split(" - GOV.UK")[0]
    for tag in soup(DROP_TAGS):
        tag.decompose()
    bodies = soup.select(GOVSPEAK_SELECTOR)
    root = max(bodies, key=lambda body: len(body.get_text()), default=None) or soup.find("main") or soup.body or soup
    footnotes = _take_footnotes(root)
    for mark in root.select(FOOTNOTE_MARK_SELECTOR):
        mark.decompose()
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
        if name == "li" and element.find_parent(["li", "table"]) is not None:
            continue
        if name == "p" and element.find_parent(["li", "table"]) is not None:
            continue
        text = _table_text(element) if name == "table" else normalise_space(element.get_text(" "))
        if not text:
            continue
        blocks = sections[-1].blocks
        if name == "li" and _continues_lead_in(element, blocks):
            blocks[-1].text += f"\n• {text}"
            continue
        blocks.extend(_blocks_for(element, text))
    if footnotes:
        sections.append(Section(path=["Footnotes"], anchor="footnotes", blocks=footnotes))
    return DocumentDraft(
        sections=[s for s in sections if s.blocks],
        title=title,
        front_text=front_text,
        html_meta=meta,
    )


def _page_url(soup: Any, raw: bytes) -> str:
    """The page's canonical link, else the address a browser noted when saving it ("saved from url")."""
    canonical = soup.find("link", rel="canonical", href=True)
    saved_from = SAVED_FROM_RE.search(raw[:2048])
    url = str(canonical["href"]) if canonical else saved_from.group(1).decode("ascii", "replace") if saved_from else ""
    return url if url.startswith(("http://", "https://")) else ""


def _take_footnotes(root: Any) -> list[Block]:
    """Remove the footnotes list (kramdown's `div.footnotes`) and return one note block per footnote."""
    blocks: list[Block] = []
    for container in root.select("div.footnotes, section.footnotes"):
        for number, item in enumerate(container.find_all("li"), start=1):
            for backlink in item.select("a.reversefootnote, a[href^='#fnref']"):
                backlink.decompose()
            text = normalise_space(item.get_text(" "))
            anchor = str(item.get("id") or "")
            label = anchor.split(":")[-1] if anchor.split(":")[-1].isdigit() else str(number)
            if text:
                blocks.append(Block(text=f"Footnote {label} {text}", anchor=anchor, note=True))
        container.decompose()
    return blocks


def _table_text(table: Any) -> str:
    """A table's caption, then one '• ' line per body row, its cells labelled with the column headings."""
    rows = [
        [normalise_space(cell.get_text(" ")) for cell in row.find_all(["th", "td"], recursive=False)]
        for row in table.find_all("tr")
    ]
    rows = [row for row in rows if any(row)]
    first = table.find("tr")
    header = rows.pop(0) if rows and first is not None and first.find("td", recursive=False) is None else []
    caption = table.find("caption")
    return table_text(header, rows, normalise_space(caption.get_text(" ")) if caption else "")


def _continues_lead_in(item: Any, blocks: list[Block]) -> bool:
    """A bullet of a `<ul>` that directly follows the paragraph block it completes."""
    parent = item.find_parent(["ol", "ul"])
    if parent is None or parent.name != "ul" or not blocks or blocks[-1].note:
        return False
    previous = parent.find_previous_sibling()
    if previous is None or previous.name != "p":
        return False
    lead_in = normalise_space(previous.get_text(" "))
    return bool(lead_in) and blocks[-1].text.startswith(lead_in[:60])


def _blocks_for(element: Any, text: str) -> list[Block]:
    """A numbered paragraph keeps its number; an <ol class="number"> item gets its list position; bullets get '• '."""
    name = getattr(element, "name", "")
    anchor = str(element.get("id") or "")
    if name == "li":
        parent = element.find_parent(["ol", "ul"])
        if parent is not None and parent.name == "ol" and "number" in " ".join(parent.get("class", []) or []):
            items = [li for li in parent.find_all("li", recursive=False)]
            start = int(parent.get("start", 1) or 1)
            number = str(start + items.index(element)) if element in items else None
            return [Block(text=f"{number}. {text}" if number else text, paragraph=number, anchor=anchor)]
        return [Block(text=f"• {text}", anchor=anchor)]
    match = NUMBERED_RE.match(text)
    return [Block(text=text, paragraph=(match.group(1) or match.group(2)) if match else None, anchor=anchor)]
