"""Checking one GOV.UK manifest entry against what the last sync saw, and staging what changed.

One conditional request for the Content API item; when the item, its attachments (URL and size), change
history and withdrawal are as last seen and the index still holds what was synced, that is all. Otherwise the
selected attachments are fetched (HTML publications through the Content API, PDFs conditionally from the asset
host), compared by sha256, and changed bytes are staged under `incoming/` with the metadata for their sidecar.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, Field

from ingest.models import DocumentMeta, DocumentVersion
from ingest.structure import slugify
from settings import Settings
from sync.catalogue import version_label
from sync.client import Fetched, GovukClient
from sync.errors import FetchError
from sync.govuk import Attachment, ContentItem, api_url, page_html, parse_item, web_url
from sync.manifest import GovukSource
from sync.state import HeldFile, SourceState
from sync.versions import history_markdown

__all__ = ["Action", "Checker", "EntryOutcome", "HISTORY_ANCHOR", "Plan"]

Action = Literal["added", "updated", "unchanged", "withdrawn", "failed"]
HISTORY_ANCHOR = "full-publication-update-history"


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
class Plan:
    """The result of checking one entry: its outcome, the state to save, and staged files."""

    outcome: EntryOutcome
    state: SourceState | None
    staged: list[tuple[Path, Path]] = field(default_factory=list)  # (incoming file, final file)
    sidecars: dict[Path, dict[str, Any]] = field(default_factory=dict)


class Checker:
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

    def run(self) -> Plan:
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
            return Plan(self.outcome, previous.model_copy(update={"last_checked": self.now}))
        if response.status in (404, 410):
            return self._gone(response.status)
        if response.status != 200:
            return self._failed(f"{api_url(self.base, self.source.path)}: HTTP {response.status}")
        try:
            item = parse_item(json.loads(response.body), self.base)
        except ValueError as exc:
            return self._failed(f"{api_url(self.base, self.source.path)}: {exc}")
        return self._item(item, response)

    def _failed(self, error: str) -> Plan:
        self.outcome.action = "failed"
        self.outcome.error = error
        return Plan(self.outcome, self.previous)

    def _gone(self, status: int) -> Plan:
        if self.previous is None or not self.previous.files:
            return self._failed(
                f"{web_url(self.base, self.source.path)} is not on GOV.UK (HTTP {status}): check the path in the manifest"
            )
        self.outcome.title = self.previous.title
        self.outcome.documents = [f.doc_id for f in self.previous.files]
        if self.previous.withdrawn:
            return Plan(self.outcome, self.previous.model_copy(update={"last_checked": self.now}))
        self.outcome.action = "withdrawn"
        note = f"Removed from GOV.UK (HTTP {status}, found {self.now:%-d %B %Y})"
        self.outcome.notes.append(note)
        state = self.previous.model_copy(update={"withdrawn": True, "withdrawn_note": note, "last_checked": self.now})
        return Plan(self.outcome, state)

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

    def _item(self, item: ContentItem, response: Fetched) -> Plan:
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
            return Plan(self.outcome, state)

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
            return Plan(self.outcome, None)

        plan = Plan(self.outcome, None)
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

    def _fetch(self, target: _Target, item: ContentItem, old: HeldFile | None, plan: Plan) -> HeldFile:
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

    def _history(self, item: ContentItem, state: SourceState, plan: Plan) -> HeldFile | None:
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


def _first(item: ContentItem) -> date | None:
    return item.first_published_at.date() if item.first_published_at else None


def _short_title(source: GovukSource, target: _Target, item: ContentItem) -> str:
    base = source.short_title or item.title
    return base if target.doc_id == source.doc_id else f"{base}: {target.title}"
