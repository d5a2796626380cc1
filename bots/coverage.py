"""What the assistant can answer from: the documents the index holds, and the well-known VSH documents it does not.

The well-known documents are the sources manifest's GOV.UK entries (`sync/manifest.toml`, or the file
`VSH_SOURCES_MANIFEST` names): nothing here names a document. An entry counts as held when the index has a
document, other than an announcement about it, with the entry's `doc_id` (or one of its attachments,
`doc_id--...`) or whose official link is the entry's GOV.UK page.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from pathlib import Path
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from ingest.models import DocumentMeta
from sync.manifest import GovukSource, SourcesManifest, load_manifest

__all__ = ["Coverage", "HeldDocument", "MissingDocument", "coverage", "load_coverage"]

log = logging.getLogger("vsh.channels")
_STATUS_ORDER = {"statutory": 0, "non-statutory": 1, "local": 2, "announcement": 3, "unknown": 4}


class HeldDocument(BaseModel):
    doc_id: str
    title: str
    published: str = Field(description="The date of the version held, as the document words it.")
    status: str
    withdrawn: bool = False
    url: str = Field(description="The document in the source viewer.")


class MissingDocument(BaseModel):
    doc_id: str
    title: str
    status: str
    url: str = Field(description="The publication on GOV.UK.")


class Coverage(BaseModel):
    """`GET /api/coverage` and the chat page's "What I can answer from" panel."""

    held: list[HeldDocument] = Field(default_factory=list)
    not_held: list[MissingDocument] = Field(default_factory=list)
    note: str = Field(default="", description="Why the comparison with the sources manifest is missing, if it is.")


def _govuk_path(url: str) -> str:
    parts = urlsplit(url)
    return parts.path.rstrip("/") if parts.netloc.endswith("gov.uk") else ""


def _holds(entry: GovukSource, documents: Iterable[DocumentMeta]) -> bool:
    for doc in documents:
        if doc.status == "announcement":
            continue  # news about a publication is not the publication
        if doc.doc_id == entry.doc_id or doc.doc_id.startswith(entry.doc_id + "--"):
            return True
        if doc.source_url and _govuk_path(doc.source_url) == entry.path:
            return True
    return False


def _title(entry: GovukSource) -> str:
    if entry.short_title:
        return entry.short_title
    slug = entry.path.rstrip("/").rsplit("/", 1)[-1].removesuffix("--2")
    return slug.replace("-", " ").capitalize()


def coverage(documents: list[DocumentMeta], manifest: SourcesManifest | None, govuk_base_url: str) -> Coverage:
    """The documents held (statutory first, then by title) and the manifest's entries not held."""
    held = [
        HeldDocument(
            doc_id=d.doc_id,
            title=d.title,
            published=d.published_label or (d.published.strftime("%B %Y") if d.published else ""),
            status=d.status,
            withdrawn=d.withdrawn,
            url=f"/sources/{d.doc_id}",
        )
        for d in sorted(documents, key=lambda d: (_STATUS_ORDER.get(d.status, 9), d.title.lower()))
    ]
    if manifest is None:
        return Coverage(
            held=held, note="The list of well-known VSH documents (the sources manifest) could not be read."
        )
    base = govuk_base_url.rstrip("/")
    missing = [
        MissingDocument(doc_id=e.doc_id, title=_title(e), status=e.status, url=base + e.path)
        for e in manifest.govuk
        if not _holds(e, documents)
    ]
    return Coverage(held=held, not_held=missing)


def load_coverage(documents: list[DocumentMeta], manifest_path: Path | None, govuk_base_url: str) -> Coverage:
    """`coverage` against the manifest at `manifest_path` (None = the one shipped); an unreadable manifest is
    logged and said in `note`."""
    from sync.errors import ManifestError

    try:
        manifest = load_manifest(manifest_path)
    except ManifestError as exc:
        log.warning("sources manifest unreadable: %s", exc)
        manifest = None
    return coverage(documents, manifest, govuk_base_url)
