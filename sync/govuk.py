"""The GOV.UK Content API response shape, read leniently into what sync needs.

`GET /api/content/<path>` returns a content item: `title`, `base_path`, `schema_name`, `public_updated_at`,
`first_published_at`, optional `withdrawn_notice` {`explanation`, `withdrawn_at`}, and `details` with `body`
(govspeak HTML), `change_history` [{`public_timestamp`, `note`}], `attachments` [{`attachment_type`
"file" | "html" | "external", `id`, `title`, `url`, `content_type`, `filename`, `file_size`}] and, on older
items, `documents` (rendered attachment HTML, read for its links when `attachments` is absent). HTML
publications are content items too (`schema_name` "html_publication", text in `details.body`).
"""

from __future__ import annotations

import html
from datetime import date, datetime
from typing import Any, Literal
from urllib.parse import urljoin, urlsplit

from pydantic import BaseModel, Field

from ingest.models import DocumentVersion

__all__ = ["Attachment", "ContentItem", "api_url", "page_html", "parse_item", "web_url"]

AttachmentKind = Literal["html", "pdf"]


class Attachment(BaseModel):
    """An attachment sync can ingest: an HTML publication or a PDF file."""

    id: str
    title: str
    url: str
    kind: AttachmentKind
    filename: str = ""
    file_size: int | None = None


class ContentItem(BaseModel):
    """The parts of a content item sync reads."""

    base_path: str
    title: str
    schema_name: str = ""
    document_type: str = ""
    publisher: str = ""
    public_updated_at: datetime | None = None
    first_published_at: datetime | None = None
    withdrawn: bool = False
    withdrawn_note: str = ""
    body: str = ""
    change_history: list[DocumentVersion] = Field(default_factory=list, description="Newest first.")
    attachments: list[Attachment] = Field(default_factory=list)

    @property
    def version_date(self) -> date | None:
        """The date of the version GOV.UK serves now."""
        when = self.public_updated_at or self.first_published_at
        return when.date() if when else None


def api_url(base_url: str, path: str) -> str:
    """`https://www.gov.uk/api/content/<path>` for a GOV.UK path."""
    return base_url.rstrip("/") + "/api/content" + path


def web_url(base_url: str, path: str) -> str:
    """The public page of a GOV.UK path."""
    return base_url.rstrip("/") + path


def _when(value: Any) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None


def parse_item(data: dict[str, Any], base_url: str) -> ContentItem:
    """Read a Content API JSON object. Raises ValueError when it is not a content item."""
    if not isinstance(data, dict) or not isinstance(data.get("base_path"), str):
        raise ValueError("the response is not a GOV.UK content item (no base_path)")
    details = data.get("details") if isinstance(data.get("details"), dict) else {}
    assert isinstance(details, dict)
    notice = data.get("withdrawn_notice") if isinstance(data.get("withdrawn_notice"), dict) else {}
    assert isinstance(notice, dict)
    history: list[DocumentVersion] = []
    for change in details.get("change_history") or []:
        when = _when(change.get("public_timestamp")) if isinstance(change, dict) else None
        if when is not None:
            history.append(DocumentVersion(updated=when.date(), note=str(change.get("note") or "").strip()))
    history.sort(key=lambda version: version.updated, reverse=True)
    page = web_url(base_url, str(data["base_path"]))
    attachments = _attachments(details, page)
    return ContentItem(
        base_path=str(data["base_path"]),
        title=str(data.get("title") or data["base_path"]).strip(),
        schema_name=str(data.get("schema_name") or ""),
        document_type=str(data.get("document_type") or ""),
        publisher=_publisher(data.get("links")),
        public_updated_at=_when(data.get("public_updated_at")),
        first_published_at=_when(data.get("first_published_at")),
        withdrawn=bool(notice),
        withdrawn_note=_withdrawn_note(notice) if notice else "",
        body=str(details.get("body") or ""),
        change_history=history,
        attachments=attachments,
    )


def _publisher(links: Any) -> str:
    """The primary publishing organisation's title (else the first organisation's)."""
    if not isinstance(links, dict):
        return ""
    for key in ("primary_publishing_organisation", "organisations"):
        items = links.get(key)
        if isinstance(items, list) and items and isinstance(items[0], dict) and items[0].get("title"):
            return str(items[0]["title"])
    return ""


def _withdrawn_note(notice: dict[str, Any]) -> str:
    """'Withdrawn 3 March 2025: <explanation as text>'."""
    withdrawn_at = _when(notice.get("withdrawn_at"))
    explanation = _text(str(notice.get("explanation") or ""))
    return (f"Withdrawn {withdrawn_at:%-d %B %Y}" if withdrawn_at else "Withdrawn") + (
        f": {explanation}" if explanation else ""
    )


def _attachments(details: dict[str, Any], page: str) -> list[Attachment]:
    found: list[Attachment] = []
    for raw in details.get("attachments") or []:
        if not isinstance(raw, dict) or not raw.get("url"):
            continue
        url = urljoin(page, str(raw["url"]))
        kind: AttachmentKind | None = None
        if raw.get("attachment_type") == "html":
            kind = "html"
        elif raw.get("attachment_type") == "file" and (
            "pdf" in str(raw.get("content_type", "")).lower() or url.lower().endswith(".pdf")
        ):
            kind = "pdf"
        if kind is None:
            continue
        size = raw.get("file_size")
        found.append(
            Attachment(
                id=str(raw.get("id") or url),
                title=str(raw.get("title") or raw.get("filename") or url.rsplit("/", 1)[-1]).strip(),
                url=url,
                kind=kind,
                filename=str(raw.get("filename") or urlsplit(url).path.rsplit("/", 1)[-1]),
                file_size=size if isinstance(size, int) and size > 0 else None,
            )
        )
    if found or not details.get("documents"):
        return found
    return _links_in_documents([str(d) for d in details["documents"]], page)


def _links_in_documents(documents: list[str], page: str) -> list[Attachment]:
    """Older items: the attachments are only in `details.documents` (HTML); take their links."""
    from bs4 import BeautifulSoup

    found: list[Attachment] = []
    seen: set[str] = set()
    page_path = urlsplit(page).path
    for fragment in documents:
        for link in BeautifulSoup(fragment, "html.parser").find_all("a", href=True):
            url = urljoin(page, str(link["href"]))
            path = urlsplit(url).path
            kind: AttachmentKind | None = None
            if path.lower().endswith(".pdf"):
                kind = "pdf"
            elif path.startswith(page_path + "/"):
                kind = "html"
            title = " ".join(link.get_text(" ").split())
            if kind is None or url in seen or not title:
                continue
            seen.add(url)
            found.append(Attachment(id=url, title=title, url=url, kind=kind, filename=path.rsplit("/", 1)[-1]))
    return found


def _text(fragment: str) -> str:
    """Plain text of a short HTML fragment (a withdrawal explanation)."""
    from bs4 import BeautifulSoup

    return " ".join(BeautifulSoup(fragment, "html.parser").get_text(" ").split())


def page_html(title: str, body: str, url: str) -> bytes:
    """A whole HTML page around a Content API body, for the HTML parser: `<h1>` title, govspeak body.

    Deterministic in its inputs, so an unchanged body gives the same bytes (and the same hash).
    """
    return (
        '<!doctype html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(title)} - GOV.UK</title>"
        f'<link rel="canonical" href="{html.escape(url)}"></head>\n'
        f'<body><main><h1>{html.escape(title)}</h1>\n<div class="govspeak">\n{body}\n</div></main></body></html>\n'
    ).encode()
