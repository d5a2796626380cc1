"""Document metadata that changes without the document's text changing (version, change notes, withdrawal,
last check): applied to the live index snapshot in one atomic write, reusing every vector."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from pathlib import Path
from typing import Any

from index.errors import IndexUnavailable
from index.store import read_snapshot, write_snapshot
from ingest.models import DocumentMeta

__all__ = ["apply_metadata", "indexed_documents", "version_label"]


def version_label(first: date | None, current: date | None, withdrawn_on: date | None = None) -> str:
    """'16 June 2021', '16 June 2021, updated 15 December 2023', '..., withdrawn 3 March 2025'."""
    label = ""
    if first and current and current > first:
        label = f"{first:%-d %B %Y}, updated {current:%-d %B %Y}"
    elif current or first:
        label = f"{(current or first):%-d %B %Y}"
    if withdrawn_on:
        label = f"{label}, withdrawn {withdrawn_on:%-d %B %Y}" if label else f"withdrawn {withdrawn_on:%-d %B %Y}"
    return label


def indexed_documents(data_dir: Path) -> dict[str, DocumentMeta]:
    """The documents of the live index by doc_id; empty when there is no usable index."""
    try:
        snapshot, _ = read_snapshot(data_dir, with_vectors=False)
    except IndexUnavailable:
        return {}
    return {doc.doc_id: doc for doc in snapshot.documents}


def apply_metadata(data_dir: Path, updates: Mapping[str, Mapping[str, Any]]) -> str:
    """Set fields of indexed documents (by doc_id; unknown ids are ignored). Writes a new snapshot only when
    something differs, and returns its version ('' when nothing was written)."""
    try:
        snapshot, _ = read_snapshot(data_dir)
    except IndexUnavailable:
        return ""
    changed = False
    documents: list[DocumentMeta] = []
    for doc in snapshot.documents:
        fields = updates.get(doc.doc_id)
        if fields:
            updated = DocumentMeta.model_validate(doc.model_dump() | dict(fields))
            changed = changed or updated != doc
            doc = updated
        documents.append(doc)
    if not changed:
        return ""
    snapshot.documents = documents
    return write_snapshot(data_dir, snapshot)
