"""The data every other package reads: document metadata and citable passages."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, Field

__all__ = ["DocStatus", "DocumentMeta", "DocumentVersion", "Passage", "ParsedDocument", "STATUS_LABELS"]

DocStatus = Literal["statutory", "non-statutory", "announcement", "local", "unknown"]

STATUS_LABELS: dict[str, str] = {
    "statutory": "Statutory guidance: 'must' is a legal duty; 'should' is expected unless there is good reason not to",
    "non-statutory": "Non-statutory guidance: advice on good practice, not a legal duty",
    "announcement": "Announcement: news or a publication notice, not guidance",
    "local": "Local authority document: local policy, not national guidance",
    "unknown": "Status unknown: check the source before relying on it",
}


class DocumentVersion(BaseModel):
    """One published version of a document (from GOV.UK's change history): its date, change note and URL."""

    updated: date
    note: str = ""
    url: str = ""


class DocumentMeta(BaseModel):
    """One ingested document. `doc_id` is a stable slug used in citations and URLs.

    `published`/`published_label` carry the date of the version held (for a document kept current from
    GOV.UK by `vsh sync`: the version date, e.g. '16 June 2021, updated 15 December 2023'), so citations show
    which version they quote. `versions` is the change history, newest first.
    """

    doc_id: str
    title: str
    short_title: str = Field(default="", description="e.g. 'Designated teacher guidance (Feb 2018)'.")
    publisher: str = ""
    published: date | None = None
    published_label: str = Field(default="", description="Date as the document words it, e.g. 'February 2018'.")
    status: DocStatus = "unknown"
    source_url: str = ""
    sha256: str
    path: str = Field(description="Path the document was ingested from.")
    format: Literal["pdf", "html", "markdown", "text"]
    pages: int = 0
    first_published: date | None = None
    versions: list[DocumentVersion] = Field(default_factory=list, description="Change history, newest first.")
    withdrawn: bool = Field(default=False, description="Withdrawn or removed from GOV.UK; kept, but flagged.")
    withdrawn_note: str = ""
    audience: list[str] = Field(default_factory=list, description="Who the document is for (sources manifest).")
    last_checked: datetime | None = Field(default=None, description="When `vsh sync` last checked GOV.UK for it.")

    def source_link(self, anchor: str = "") -> str:
        """The official URL, pointing at the heading `anchor` for an HTML document (`source_url#anchor`)."""
        if not self.source_url or "#" in self.source_url or self.format != "html" or anchor in ("", "top"):
            return self.source_url
        return f"{self.source_url}#{anchor}"

    @property
    def citation_name(self) -> str:
        """Short name used in a citation line."""
        return self.short_title or self.title


class Passage(BaseModel):
    """A chunk of one section, with the locator needed to cite it precisely.

    A passage never crosses a section boundary. `paragraphs` are the document's own paragraph
    numbers ("39", "40"); `pages` are 1-based physical page numbers (empty for HTML/text).
    """

    passage_id: str = Field(description="f'{doc_id}:{order:05d}', stable for an unchanged file.")
    doc_id: str
    order: int = Field(description="Position of the passage in the document.")
    section_path: list[str] = Field(default_factory=list)
    section_anchor: str = Field(default="", description="Slug of the section, for the source viewer.")
    paragraphs: list[str] = Field(default_factory=list)
    pages: list[int] = Field(default_factory=list)
    text: str

    @property
    def section(self) -> str:
        """The section path joined for display: 'Parent > Child'."""
        return " > ".join(self.section_path)

    @property
    def heading(self) -> str:
        """The innermost section heading."""
        return self.section_path[-1] if self.section_path else ""


class ParsedDocument(BaseModel):
    """The result of parsing one file: its metadata, passages and any warnings for the report."""

    meta: DocumentMeta
    passages: list[Passage]
    sections: int = 0
    warnings: list[str] = Field(default_factory=list)
