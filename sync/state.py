"""What the last successful sync saw, in `<data_dir>/sync/state.json` (written atomically, after the index).

Per manifest path: the item's validators (ETag, Last-Modified), `public_updated_at`, title, change history,
withdrawal, the attachments held (URL, file size, validators, sha256, the doc_id and file they became) and
when it was last checked. Saved only after the index holds what it describes, so a sync killed at any point
is simply redone by the next one.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from pathlib import Path

from pydantic import BaseModel, Field, ValidationError

from ingest.models import DocumentVersion

__all__ = ["HeldFile", "SourceState", "SyncState", "load_state", "save_state", "sync_dir"]


class HeldFile(BaseModel):
    """One attachment (or the page itself) as held in the index."""

    doc_id: str
    kind: str
    title: str
    url: str
    file: str = Field(description="Path relative to the sync folder.")
    sha256: str
    file_size: int | None = None
    etag: str = ""
    last_modified: str = ""
    version_date: date | None = None
    gone: bool = Field(default=False, description="No longer attached to the GOV.UK page; kept, marked withdrawn.")


class SourceState(BaseModel):
    """One manifest entry as of its last successful check."""

    path: str
    url: str = Field(default="", description="The GOV.UK page.")
    title: str = ""
    etag: str = ""
    last_modified: str = ""
    public_updated_at: datetime | None = None
    first_published: date | None = None
    change_history: list[DocumentVersion] = Field(default_factory=list)
    withdrawn: bool = False
    withdrawn_note: str = ""
    files: list[HeldFile] = Field(default_factory=list)
    history_file: HeldFile | None = None
    last_checked: datetime | None = None


class SyncState(BaseModel):
    """Everything `vsh sync` remembers between runs."""

    sources: dict[str, SourceState] = Field(default_factory=dict)


def sync_dir(data_dir: Path) -> Path:
    """`<data_dir>/sync`: downloads (`files/`), partial downloads (`incoming/`) and `state.json`."""
    return Path(data_dir) / "sync"


def load_state(data_dir: Path) -> tuple[SyncState, str]:
    """The saved state, and a note when it was unreadable (then sync starts afresh: it re-checks everything)."""
    path = sync_dir(data_dir) / "state.json"
    if not path.is_file():
        return SyncState(), ""
    try:
        return SyncState.model_validate_json(path.read_text(encoding="utf-8")), ""
    except (OSError, ValidationError, ValueError) as exc:
        return SyncState(), f"the sync state {path} was unreadable ({type(exc).__name__}); every source is re-fetched"


def save_state(data_dir: Path, state: SyncState) -> None:
    """Write the state atomically (temporary file, fsync, rename)."""
    folder = sync_dir(data_dir)
    folder.mkdir(parents=True, exist_ok=True)
    temporary = folder / f".state-{os.getpid()}.json"
    with temporary.open("w", encoding="utf-8") as handle:
        handle.write(json.dumps(state.model_dump(mode="json"), indent=1))
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(temporary, folder / "state.json")
