"""`sync_sources`: bring the guidance set of the sources manifest up to date from GOV.UK.

Per GOV.UK entry: one conditional request for its Content API item. When the item, its attachments (URL and
size), change history and withdrawal are as last seen, and the index still holds what was synced, that is
all (one request). Otherwise the selected attachments are fetched (HTML publications through the Content
API, PDFs from the asset host, conditionally), compared by sha256, and what changed is staged. A page with no
selected attachments is itself the document. The change history becomes a small document of its own
(`<doc_id>-changes`, one passage per dated note) so questions about what changed find the notes.

Then, in order: staged files move into `<data_dir>/sync/files/`, are ingested by the ordinary incremental
ingest (only new text is embedded), the version metadata (version date, change notes, withdrawal, last
check) is applied to the index in one atomic snapshot write, and the state is saved. Each step is atomic
and the state is written last, so a failure or a kill at any point leaves the previous good index live and
the next run redoes what was missing. A failed entry (network, 5xx, 429 for too long, truncated download,
404 for a path never synced) keeps what the index held; 404/410 or a withdrawn notice for a held document
keeps it, marked withdrawn.
"""

from __future__ import annotations

import fcntl
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from pydantic import BaseModel, Field

from index.build import IngestReport, ingest_paths
from settings import Settings
from sync.catalogue import apply_metadata, indexed_documents
from sync.check import Action, Checker, EntryOutcome, Plan
from sync.client import GovukClient
from sync.errors import SyncError
from sync.manifest import GovukSource, SourcesManifest, load_manifest
from sync.state import load_state, save_state, sync_dir
from sync.versions import metadata_updates, overlap_notes

__all__ = ["EntryOutcome", "ProgressFn", "SyncReport", "sync_sources"]

ProgressFn = Callable[[str, int, int], None]


class SyncReport(BaseModel):
    """The outcome of one `vsh sync`."""

    entries: list[EntryOutcome] = Field(default_factory=list)
    requests: int = 0
    seconds: float = 0.0
    dry_run: bool = False
    ingest: IngestReport | None = None
    index_version: str = ""
    notes: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(entry.action != "failed" for entry in self.entries) and (
            self.ingest is None or not self.ingest.failed
        )

    def count(self, action: Action) -> int:
        return sum(1 for entry in self.entries if entry.action == action)


def sync_sources(
    settings: Settings,
    *,
    manifest: SourcesManifest | None = None,
    dry_run: bool = False,
    on_progress: ProgressFn | None = None,
    client: GovukClient | None = None,
) -> SyncReport:
    """Sync every manifest entry (see module docstring) and return the report. Nothing is written in a dry run."""
    manifest = manifest or load_manifest(settings.sources_manifest)
    if dry_run:
        return _sync(settings, manifest, True, on_progress, client)
    with _exclusive(sync_dir(Path(settings.data_dir))):
        return _sync(settings, manifest, False, on_progress, client)


@contextmanager
def _exclusive(folder: Path) -> Iterator[None]:
    """One `vsh sync` at a time per data directory (an advisory lock the OS drops if the process dies)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / ".lock").open("w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            raise SyncError(
                f"another `vsh sync` is running on {folder.parent}; try again when it has finished"
            ) from exc
        yield


def _sync(
    settings: Settings,
    manifest: SourcesManifest,
    dry_run: bool,
    on_progress: ProgressFn | None,
    client: GovukClient | None,
) -> SyncReport:
    started = time.perf_counter()
    data_dir = Path(settings.data_dir)
    state, note = load_state(data_dir)
    report = SyncReport(dry_run=dry_run, notes=[note] if note else [])
    held = indexed_documents(data_dir)
    root = sync_dir(data_dir)
    incoming = root / "incoming"
    if not dry_run:
        shutil.rmtree(incoming, ignore_errors=True)
        incoming.mkdir(parents=True, exist_ok=True)
        (root / "files").mkdir(parents=True, exist_ok=True)
    own = client or GovukClient(
        timeout_s=settings.sync_timeout_s,
        retries=settings.sync_retries,
        backoff_s=settings.sync_backoff_s,
        max_retry_wait_s=settings.sync_max_retry_wait_s,
    )
    progress = on_progress or (lambda label, done, total: None)
    total = len(manifest.govuk)
    plans: list[tuple[GovukSource, Plan]] = []
    try:
        for number, source in enumerate(manifest.govuk):
            progress(source.doc_id, number, total)
            checker = Checker(settings, source, state.sources.get(source.path), held, own, root, dry_run)
            plans.append((source, checker.run()))
        progress("", total, total)
    finally:
        if client is None:
            own.close()
    report.requests = own.requests
    report.entries = [plan.outcome for _, plan in plans]
    if dry_run:
        report.seconds = round(time.perf_counter() - started, 3)
        return report

    to_ingest: list[Path] = []
    for _, plan in plans:
        for staged, final in plan.staged:
            os.replace(staged, final)
            to_ingest.append(final)
        for final, sidecar in plan.sidecars.items():
            _write_sidecar(final, sidecar)
    to_ingest.extend(entry.path for entry in manifest.local if entry.path.exists())
    report.notes.extend(
        f"local source {entry.path} does not exist" for entry in manifest.local if not entry.path.exists()
    )
    if to_ingest:
        progress("ingesting", total, total)
        report.ingest = ingest_paths(to_ingest, settings, progress=False)
        failed = {str(Path(failure.path).resolve()) for failure in report.ingest.failed}
        for source, plan in plans:
            bad = {str(final.resolve()) for _, final in plan.staged} & failed
            if bad:
                plan.outcome.action = "failed"
                plan.outcome.error = "; ".join(
                    f.error for f in report.ingest.failed if str(Path(f.path).resolve()) in bad
                )
                plan.state = state.sources.get(source.path)
    if report.ingest is not None:
        _follow_renames(plans, report.ingest, root, report.notes)
    for source, plan in plans:
        if plan.state is not None:
            state.sources[source.path] = plan.state
    updates = metadata_updates(manifest, state, settings, indexed_documents(data_dir))
    report.index_version = apply_metadata(data_dir, updates) or (report.ingest.version if report.ingest else "")
    save_state(data_dir, state)
    shutil.rmtree(incoming, ignore_errors=True)
    report.notes.extend(overlap_notes(state, indexed_documents(data_dir)))
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _follow_renames(plans: list[tuple[GovukSource, Plan]], ingest: IngestReport, root: Path, notes: list[str]) -> None:
    """Ingest gives a file another doc_id when its id is taken by a different file: record the id it got."""
    got = {str(Path(doc.path).resolve()): doc.doc_id for doc in ingest.documents}
    for _, plan in plans:
        if plan.state is None:
            continue
        for held in [*plan.state.files, *([plan.state.history_file] if plan.state.history_file else [])]:
            actual = got.get(str((root / held.file).resolve()))
            if actual and actual != held.doc_id:
                notes.append(f"doc_id {held.doc_id} is taken by another document; {held.title} is indexed as {actual}")
                held.doc_id = actual


def _write_sidecar(path: Path, fields: dict[str, Any]) -> None:
    """`<file>.meta.toml` (every value a string: JSON string escapes are valid TOML basic strings)."""
    body = "".join(f"{key} = {json.dumps(str(value), ensure_ascii=False)}\n" for key, value in fields.items())
    temporary = path.with_name(f".{path.name}.meta.toml.tmp")
    temporary.write_text("# Written by `vsh sync`; rewritten on every sync.\n" + body, encoding="utf-8")
    os.replace(temporary, path.with_name(path.name + ".meta.toml"))
