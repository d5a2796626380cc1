"""Keep the guidance set current from GOV.UK: the sources manifest, `vsh sync`, versions and change notes.

Sits above `index` (it ingests through `index.build.ingest_paths`) and below `assistant`."""

from sync.errors import FetchError, ManifestError, SyncError
from sync.manifest import GovukSource, LocalSource, SourcesManifest, load_manifest
from sync.run import EntryOutcome, SyncReport, sync_sources

__all__ = [
    "EntryOutcome",
    "FetchError",
    "GovukSource",
    "LocalSource",
    "ManifestError",
    "SourcesManifest",
    "SyncError",
    "SyncReport",
    "load_manifest",
    "sync_sources",
]
