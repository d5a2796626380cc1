"""The sources manifest (`sync/manifest.toml`): GOV.UK pages by path, and local documents, to keep indexed.

One source of truth per fact: the manifest says *which* publications make up the guidance set, the doc_id
citations use, their status and audience. GOV.UK says everything that changes (titles, dates, change notes,
attachments, withdrawal). `ingest/sources.toml` stays the metadata of files obtained some other way (the
corpus folder), matched by file name.
"""

from __future__ import annotations

import fnmatch
import re
import tomllib
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, Field, ValidationError, field_validator

from ingest.models import DocStatus

__all__ = ["DEFAULT_MANIFEST", "GovukSource", "LocalSource", "SourcesManifest", "load_manifest"]

DEFAULT_MANIFEST = Path(__file__).with_name("manifest.toml")
AttachmentKind = Literal["html", "pdf"]
ATTACHMENT_KINDS: tuple[AttachmentKind, ...] = ("html", "pdf")
DOC_ID_RE = re.compile(r"^[a-z0-9][a-z0-9-]{0,79}$")


class GovukSource(BaseModel):
    """One GOV.UK page (publication, detailed guide, ...) whose attachments are kept in the index."""

    path: str
    doc_id: str
    status: DocStatus
    audience: list[str] = Field(default_factory=list)
    short_title: str = ""
    attachments: list[str] = Field(default_factory=list, description="Globs of attachment titles to take.")
    skip: list[str] = Field(default_factory=list, description="Globs of attachment titles to leave out.")
    formats: list[AttachmentKind] = Field(default_factory=lambda: list(ATTACHMENT_KINDS))

    model_config = {"extra": "forbid"}

    @field_validator("path")
    @classmethod
    def _path(cls, value: str) -> str:
        value = value.strip()
        if value.startswith(("http://", "https://")):
            value = "/" + value.split("://", 1)[1].split("/", 1)[-1]
        value = value.removeprefix("/api/content").rstrip("/")
        if not value.startswith("/") or any(char in value for char in "?# "):
            raise ValueError("must be a GOV.UK path such as /government/publications/<slug>")
        return value

    @field_validator("doc_id")
    @classmethod
    def _doc_id(cls, value: str) -> str:
        if not DOC_ID_RE.match(value):
            raise ValueError("must be a lowercase slug (letters, digits and hyphens)")
        return value

    def wants(self, title: str, filename: str = "") -> bool:
        """Whether an attachment with this title (or file name) is selected by `attachments` and `skip`."""
        names = [title.lower(), filename.lower()]

        def matches(patterns: list[str]) -> bool:
            return any(fnmatch.fnmatch(name, pattern.lower()) for pattern in patterns for name in names if name)

        return (not self.attachments or matches(self.attachments)) and not matches(self.skip)


class LocalSource(BaseModel):
    """A local file or folder `vsh sync` ingests too (no network); status and audience apply to its documents."""

    path: Path
    status: DocStatus | None = None
    audience: list[str] = Field(default_factory=list)

    model_config = {"extra": "forbid"}


class SourcesManifest(BaseModel):
    """The whole manifest: GOV.UK entries and local entries (local paths already resolved)."""

    govuk: list[GovukSource] = Field(default_factory=list)
    local: list[LocalSource] = Field(default_factory=list)
    file: Path | None = None

    model_config = {"extra": "forbid"}


def load_manifest(path: Path | None = None) -> SourcesManifest:
    """Read and check a manifest (default: the one shipped in `sync/`). Raises ManifestError naming the entry."""
    from sync.errors import ManifestError

    file = Path(path) if path else DEFAULT_MANIFEST
    try:
        with file.open("rb") as handle:
            data = tomllib.load(handle)
    except FileNotFoundError as exc:
        raise ManifestError(f"{file}: no such sources manifest (set VSH_SOURCES_MANIFEST)") from exc
    except (OSError, tomllib.TOMLDecodeError) as exc:
        raise ManifestError(f"{file}: cannot read the sources manifest ({exc})") from exc
    unknown = set(data) - {"govuk", "local"}
    if unknown:
        raise ManifestError(f"{file}: unknown table(s) {sorted(unknown)}; expected [[govuk]] and [[local]]")
    govuk: list[GovukSource] = []
    local: list[LocalSource] = []
    for kind, items in (("govuk", data.get("govuk", [])), ("local", data.get("local", []))):
        for number, item in enumerate(items, start=1):
            try:
                if kind == "govuk":
                    govuk.append(GovukSource.model_validate(item))
                else:
                    entry = LocalSource.model_validate(item)
                    if not entry.path.is_absolute():
                        entry.path = (file.parent / entry.path).resolve()
                    local.append(entry)
            except ValidationError as exc:
                problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or kind}: {e['msg']}" for e in exc.errors())
                raise ManifestError(f"{file}: [[{kind}]] entry {number}: {problems}") from exc
    seen: dict[str, str] = {}
    for source in govuk:
        for key in (source.doc_id, source.path):
            if key in seen:
                raise ManifestError(f"{file}: {key} appears twice ({seen[key]} and {source.path})")
            seen[key] = source.path
    return SourcesManifest(govuk=govuk, local=local, file=file)
