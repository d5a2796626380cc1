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
import hashlib
import json
import os
import shutil
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from index.build import IngestReport, ingest_paths
from ingest.models import DocumentMeta, DocumentVersion
from ingest.structure import slugify
from sync.catalogue import apply_metadata, indexed_documents, version_label
from sync.client import Fetched, GovukClient
from sync.errors import FetchError, SyncError
from sync.govuk import Attachment, ContentItem, api_url, page_html, parse_item, web_url
from sync.manifest import GovukSource, SourcesManifest, load_manifest
from sync.state import HeldFile, SourceState, SyncState, load_state, save_state, sync_dir
from vsh.settings import Settings

__all__ = ["EntryOutcome", "SyncReport", "sync_sources", "HISTORY_ANCHOR"]

Action = Literal["added", "updated", "unchanged", "withdrawn", "failed"]
HISTORY_ANCHOR = "full-publication-update-history"
ProgressFn = Callable[[str, int, int], None]


class EntryOutcome(BaseModel):
    """What happened (or, in a dry run, would happen) to one manifest entry."""

    path: str
    doc_id: str
    title: str = ""
    action: Action
    fetched: list[str] = Field(default_factory=list, description="Attachments downloaded (or to download).")
    documents: list[str] = Field(default_factory=list, description="doc_ids held for this entry.")
    new_notes: list[DocumentVersion] = Field(default_factory=list)
    error: str = ""
    notes: list[str] = Field(default_factory=list)


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


@dataclass
class _Target:
    """One document an entry yields: an attachment, or the page itself (kind 'page')."""

    doc_id: str
    kind: str
    title: str
    url: str
    file_size: int | None = None
    filename: str = ""

    @property
    def suffix(self) -> str:
        return ".pdf" if self.kind == "pdf" else ".html"


@dataclass
class _Plan:
    """The result of checking one entry: its outcome, the state to save, and staged files."""

    outcome: EntryOutcome
    state: SourceState | None
    staged: list[tuple[Path, Path]] = field(default_factory=list)  # (incoming file, final file)
    sidecars: dict[Path, dict[str, Any]] = field(default_factory=dict)


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
    plans: list[tuple[GovukSource, _Plan]] = []
    try:
        for number, source in enumerate(manifest.govuk):
            progress(source.doc_id, number, total)
            checker = _Checker(settings, source, state.sources.get(source.path), held, own, root, dry_run)
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
    updates = _metadata_updates(manifest, state, settings, indexed_documents(data_dir))
    report.index_version = apply_metadata(data_dir, updates) or (report.ingest.version if report.ingest else "")
    save_state(data_dir, state)
    shutil.rmtree(incoming, ignore_errors=True)
    report.notes.extend(_overlap_notes(state, indexed_documents(data_dir)))
    report.seconds = round(time.perf_counter() - started, 3)
    return report


class _Checker:
    """Checks one GOV.UK entry against its last-synced state and stages what changed."""

    def __init__(
        self,
        settings: Settings,
        source: GovukSource,
        previous: SourceState | None,
        held: dict[str, DocumentMeta],
        client: GovukClient,
        root: Path,
        dry_run: bool,
    ) -> None:
        self.base = settings.govuk_base_url.rstrip("/")
        self.source = source
        self.previous = previous
        self.client = client
        self.root = root
        self.dry_run = dry_run
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.intact = previous is not None and all(
            (root / f.file).is_file() and f.doc_id in held and held[f.doc_id].sha256 == f.sha256
            for f in [*previous.files, *([previous.history_file] if previous.history_file else [])]
        )
        self.outcome = EntryOutcome(path=source.path, doc_id=source.doc_id, action="unchanged")

    def run(self) -> _Plan:
        previous = self.previous if self.intact else None
        try:
            response = self.client.get(
                api_url(self.base, self.source.path),
                etag=previous.etag if previous else "",
                last_modified=previous.last_modified if previous else "",
            )
        except FetchError as exc:
            return self._failed(str(exc))
        if response.status == 304 and previous is not None:
            self.outcome.title = previous.title
            self.outcome.documents = [f.doc_id for f in previous.files]
            return _Plan(self.outcome, previous.model_copy(update={"last_checked": self.now}))
        if response.status in (404, 410):
            return self._gone(response.status)
        if response.status != 200:
            return self._failed(f"{api_url(self.base, self.source.path)}: HTTP {response.status}")
        try:
            item = parse_item(json.loads(response.body), self.base)
        except ValueError as exc:
            return self._failed(f"{api_url(self.base, self.source.path)}: {exc}")
        return self._item(item, response)

    def _failed(self, error: str) -> _Plan:
        self.outcome.action = "failed"
        self.outcome.error = error
        return _Plan(self.outcome, self.previous)

    def _gone(self, status: int) -> _Plan:
        if self.previous is None or not self.previous.files:
            return self._failed(
                f"{web_url(self.base, self.source.path)} is not on GOV.UK (HTTP {status}): check the path in the manifest"
            )
        self.outcome.title = self.previous.title
        self.outcome.documents = [f.doc_id for f in self.previous.files]
        if self.previous.withdrawn:
            return _Plan(self.outcome, self.previous.model_copy(update={"last_checked": self.now}))
        self.outcome.action = "withdrawn"
        note = f"Removed from GOV.UK (HTTP {status}, found {self.now:%-d %B %Y})"
        self.outcome.notes.append(note)
        state = self.previous.model_copy(update={"withdrawn": True, "withdrawn_note": note, "last_checked": self.now})
        return _Plan(self.outcome, state)

    def _targets(self, item: ContentItem) -> list[_Target]:
        chosen: list[Attachment] = [
            a for a in item.attachments if a.kind in self.source.formats and self.source.wants(a.title, a.filename)
        ]
        if not chosen:
            if item.body.strip():
                return [_Target(self.source.doc_id, "page", item.title, web_url(self.base, item.base_path))]
            return []
        single = len(chosen) == 1
        return [
            _Target(
                doc_id=self.source.doc_id if single else f"{self.source.doc_id}--{slugify(a.title, limit=40)}",
                kind=a.kind,
                title=a.title,
                url=a.url,
                file_size=a.file_size,
                filename=a.filename,
            )
            for a in chosen
        ]

    def _item(self, item: ContentItem, response: Fetched) -> _Plan:
        self.outcome.title = item.title
        targets = self._targets(item)
        if not targets:
            found = ", ".join(f"'{a.title}' ({a.kind})" for a in item.attachments) or "none"
            return self._failed(
                f"{web_url(self.base, self.source.path)}: no attachment matches the manifest (found: {found})"
            )
        self.outcome.documents = [t.doc_id for t in targets]
        previous = self.previous if self.intact else None
        seen = {(f.url, f.file_size) for f in previous.files if not f.gone} if previous else set()
        if (
            previous is not None
            and previous.public_updated_at == item.public_updated_at
            and seen == {(t.url, t.file_size) for t in targets}
            and previous.change_history == item.change_history
            and previous.withdrawn == item.withdrawn
        ):
            state = previous.model_copy(
                update={"etag": response.etag, "last_modified": response.last_modified, "last_checked": self.now}
            )
            return _Plan(self.outcome, state)

        old_notes = {(v.updated, v.note) for v in self.previous.change_history} if self.previous else set()
        self.outcome.new_notes = [v for v in item.change_history if (v.updated, v.note) not in old_notes]
        if self.previous is None or not self.previous.files:
            self.outcome.action = "added"
        elif item.withdrawn and not self.previous.withdrawn:
            self.outcome.action = "withdrawn"
        else:
            self.outcome.action = "updated"
        if self.dry_run:
            changed = [t for t in targets if (t.url, t.file_size) not in seen or self.previous is None]
            self.outcome.fetched = [t.title for t in (changed or targets)]
            return _Plan(self.outcome, None)

        plan = _Plan(self.outcome, None)
        held_files = {f.doc_id: f for f in self.previous.files} if self.previous and self.intact else {}
        files: list[HeldFile] = []
        try:
            for target in targets:
                files.append(self._fetch(target, item, held_files.get(target.doc_id), plan))
        except FetchError as exc:
            for staged, _ in plan.staged:
                staged.unlink(missing_ok=True)
            return self._failed(str(exc))
        target_ids = {t.doc_id for t in targets}
        for old in self.previous.files if self.previous else []:
            if old.doc_id not in target_ids:
                files.append(old.model_copy(update={"gone": True}))
                if not old.gone:
                    self.outcome.notes.append(f"{old.title} is no longer on the GOV.UK page: kept, marked withdrawn")
        state = SourceState(
            path=self.source.path,
            url=web_url(self.base, item.base_path),
            title=item.title,
            etag=response.etag,
            last_modified=response.last_modified,
            public_updated_at=item.public_updated_at,
            first_published=(item.first_published_at.date() if item.first_published_at else None),
            change_history=item.change_history,
            withdrawn=item.withdrawn,
            withdrawn_note=item.withdrawn_note,
            files=files,
            last_checked=self.now,
        )
        state.history_file = self._history(item, state, plan)
        if self.outcome.action == "updated" and not plan.staged and not self.outcome.new_notes:
            self.outcome.action = "unchanged"
        plan.state = state
        return plan

    def _fetch(self, target: _Target, item: ContentItem, old: HeldFile | None, plan: _Plan) -> HeldFile:
        """Fetch one target (conditionally when held), stage it if its bytes changed; its HeldFile."""
        final = self.root / "files" / f"{target.doc_id}{target.suffix}"
        staged = self.root / "incoming" / final.name
        have = old is not None and final.is_file() and old.url == target.url
        etag = old.etag if have and old else ""
        last_modified = old.last_modified if have and old else ""
        version = item.version_date
        sidecar = self._sidecar(target, item)
        if target.kind == "page":
            content = page_html(item.title, item.body, target.url)
            fetched = Fetched(status=200, url=target.url, body=content)
        elif target.kind == "html":
            path = urlsplit(target.url).path
            fetched = self.client.get(api_url(self.base, path), etag=etag, last_modified=last_modified)
            if fetched.status == 200:
                try:
                    child = parse_item(json.loads(fetched.body), self.base)
                except ValueError as exc:
                    raise FetchError(api_url(self.base, path), str(exc)) from exc
                version = child.version_date or version
                fetched.body = page_html(child.title, child.body, target.url)
        else:
            fetched = self.client.get(
                target.url,
                etag=etag,
                last_modified=last_modified,
                dest=staged,
                expected_size=target.file_size,
                pdf=True,
            )
        if fetched.status == 304 and old is not None:
            plan.sidecars[final] = sidecar
            return old.model_copy(update={"title": target.title, "file_size": target.file_size})
        if fetched.status != 200:
            staged.unlink(missing_ok=True)
            raise FetchError(target.url, f"HTTP {fetched.status} for the attachment '{target.title}'")
        if fetched.path is None:
            staged.write_bytes(fetched.body)
            fetched.sha256 = hashlib.sha256(fetched.body).hexdigest()
        held = HeldFile(
            doc_id=target.doc_id,
            kind=target.kind,
            title=target.title,
            url=target.url,
            file=str(final.relative_to(self.root)),
            sha256=fetched.sha256,
            file_size=target.file_size,
            etag=fetched.etag,
            last_modified=fetched.last_modified,
            version_date=version,
        )
        if old is not None and old.sha256 == fetched.sha256 and final.is_file():
            staged.unlink(missing_ok=True)
        else:
            plan.staged.append((staged, final))
            self.outcome.fetched.append(target.title)
        plan.sidecars[final] = sidecar | {"published": (version or date.today()).isoformat()}
        return held

    def _sidecar(self, target: _Target, item: ContentItem) -> dict[str, Any]:
        """Metadata beside a synced file (read by ingest), so even a plain `vsh ingest` of it cites it right."""
        page = web_url(self.base, item.base_path)
        return {
            "doc_id": target.doc_id,
            "title": target.title,
            "short_title": _short_title(self.source, target, item),
            "publisher": item.publisher or "Department for Education",
            "published": (item.version_date or date.today()).isoformat(),
            "published_label": version_label(_first(item), item.version_date),
            "status": self.source.status,
            "source_url": target.url if target.kind in ("html", "page") else page,
        }

    def _history(self, item: ContentItem, state: SourceState, plan: _Plan) -> HeldFile | None:
        """The change-history document (`<doc_id>-changes`), staged when its text changed."""
        if not item.change_history and not item.withdrawn:
            return None
        doc_id = f"{self.source.doc_id}-changes"
        final = self.root / "files" / f"{doc_id}.md"
        name = self.source.short_title or item.title
        text = history_markdown(item.title, name, item.change_history, item.withdrawn_note if item.withdrawn else "")
        content = text.encode()
        sha = hashlib.sha256(content).hexdigest()
        old = self.previous.history_file if self.previous else None
        if old is None or old.sha256 != sha or not final.is_file():
            staged = self.root / "incoming" / final.name
            staged.write_bytes(content)
            plan.staged.append((staged, final))
        latest = item.change_history[0].updated if item.change_history else item.version_date
        plan.sidecars[final] = {
            "doc_id": doc_id,
            "title": f"Change history: {item.title}",
            "short_title": f"{name}: change history",
            "publisher": item.publisher or "Department for Education",
            "published": (latest or date.today()).isoformat(),
            "published_label": version_label(None, latest),
            "status": "announcement",
            "source_url": f"{web_url(self.base, item.base_path)}#{HISTORY_ANCHOR}",
        }
        return HeldFile(
            doc_id=doc_id,
            kind="history",
            title=f"Change history: {item.title}",
            url=f"{web_url(self.base, item.base_path)}#{HISTORY_ANCHOR}",
            file=str(final.relative_to(self.root)),
            sha256=sha,
            version_date=latest,
        )


def _follow_renames(plans: list[tuple[GovukSource, _Plan]], ingest: IngestReport, root: Path, notes: list[str]) -> None:
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


def _first(item: ContentItem) -> date | None:
    return item.first_published_at.date() if item.first_published_at else None


def _short_title(source: GovukSource, target: _Target, item: ContentItem) -> str:
    base = source.short_title or item.title
    return base if target.doc_id == source.doc_id else f"{base}: {target.title}"


def _write_sidecar(path: Path, fields: dict[str, Any]) -> None:
    """`<file>.meta.toml` (every value a string: JSON string escapes are valid TOML basic strings)."""
    body = "".join(f"{key} = {json.dumps(str(value), ensure_ascii=False)}\n" for key, value in fields.items())
    temporary = path.with_name(f".{path.name}.meta.toml.tmp")
    temporary.write_text("# Written by `vsh sync`; rewritten on every sync.\n" + body, encoding="utf-8")
    os.replace(temporary, path.with_name(path.name + ".meta.toml"))


def _metadata_updates(
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


def _overlap_notes(state: SyncState, held: dict[str, DocumentMeta]) -> list[str]:
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
