"""Version metadata of synced documents: the change-history document, and the fields applied to the index
(version date and label, change notes, withdrawal, last check, status and audience from the manifest)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ingest.models import DocumentMeta, DocumentVersion
from settings import Settings
from sync.catalogue import version_label
from sync.govuk import web_url
from sync.manifest import SourcesManifest
from sync.state import SyncState

__all__ = ["history_markdown", "metadata_updates", "overlap_notes"]


def history_markdown(title: str, name: str, history: list[DocumentVersion], withdrawn_note: str = "") -> str:
    """The change history as markdown: one section (so one citable passage) per dated change note."""
    lines = [f"# Change history: {title}", "", "## Change history", ""]
    if withdrawn_note:
        lines += ["### Withdrawn", "", f"{name} has been withdrawn from GOV.UK. {withdrawn_note}", ""]
    for version in history:
        when = f"{version.updated:%-d %B %Y}"
        note = " ".join(version.note.split()) or "(no change note)"
        lines += [f"### {when}", "", f"What changed in {name} on {when}: {note}", ""]
    return "\n".join(lines)


def metadata_updates(
    manifest: SourcesManifest, state: SyncState, settings: Settings, held: dict[str, DocumentMeta]
) -> dict[str, dict[str, Any]]:
    """The version metadata of every synced document, and status/audience of local documents."""
    base = settings.govuk_base_url.rstrip("/")
    updates: dict[str, dict[str, Any]] = {}
    for source in manifest.govuk:
        entry = state.sources.get(source.path)
        if entry is None:
            continue
        page = entry.url or web_url(base, source.path)
        withdrawn_on = entry.last_checked.date() if entry.withdrawn and entry.last_checked else None
        for held_file in entry.files:
            current = held_file.version_date or (entry.public_updated_at.date() if entry.public_updated_at else None)
            versions = [
                v.model_copy(update={"url": held_file.url if i == 0 else page})
                for i, v in enumerate(entry.change_history)
            ]
            gone = entry.withdrawn or held_file.gone
            updates[held_file.doc_id] = {
                "title": held_file.title,
                "status": source.status,
                "audience": list(source.audience),
                "published": current,
                "published_label": version_label(entry.first_published, current, withdrawn_on if gone else None),
                "first_published": entry.first_published,
                "versions": versions,
                "withdrawn": gone,
                "withdrawn_note": entry.withdrawn_note
                if entry.withdrawn
                else ("No longer on the GOV.UK page" if gone else ""),
                "last_checked": entry.last_checked,
            }
        if entry.history_file is not None:
            updates[entry.history_file.doc_id] = {
                "audience": list(source.audience),
                "versions": list(entry.change_history),
                "withdrawn": entry.withdrawn,
                "withdrawn_note": entry.withdrawn_note,
                "last_checked": entry.last_checked,
            }
    for local in manifest.local:
        fields: dict[str, Any] = {}
        if local.status:
            fields["status"] = local.status
        if local.audience:
            fields["audience"] = list(local.audience)
        if not fields:
            continue
        for doc in held.values():
            doc_path = Path(doc.path).resolve()
            if doc_path == local.path or local.path in doc_path.parents:
                updates.setdefault(doc.doc_id, {}).update(fields)
    return updates


def overlap_notes(state: SyncState, held: dict[str, DocumentMeta]) -> list[str]:
    """Local documents that are copies of a synced publication (same GOV.UK page): both are in the index."""
    synced = {f.doc_id for entry in state.sources.values() for f in entry.files}
    pages: dict[str, str] = {}
    for doc_id in synced:
        if doc_id in held and held[doc_id].source_url:
            pages[held[doc_id].source_url.split("#")[0]] = doc_id
    notes = []
    for doc in held.values():
        if doc.doc_id in synced or doc.doc_id.endswith("-changes"):
            continue
        twin = pages.get(doc.source_url.split("#")[0]) if doc.source_url else None
        if twin:
            notes.append(f"{doc.doc_id} ({doc.path}) looks like a local copy of the synced {twin}: both are indexed")
    return notes
