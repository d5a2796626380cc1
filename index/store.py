"""Index snapshots on disk, written atomically.

Layout under `<data_dir>/index/`: one folder per snapshot (`v-<time>-<random>/` holding `manifest.json`,
`documents.json`, `passages.jsonl`, `vectors.npy`, `dense.faiss`, the sentence units of every passage
(`units.json`: offsets, texts, paragraphs; `unit_vectors.npy`) and the passages' headings with their vectors
(`headings.json`, `heading_vectors.npy`), the passages' keyword tokens (`keyword.json`)) and a `CURRENT`
file naming the live one.
A snapshot is written in a temporary folder, fsynced, renamed into place, and only then is `CURRENT`
replaced (os.replace), so a crash at any point leaves the previous snapshot live and whole. The manifest
records the model, dimension, documents with their hashes, the ONNX export of the model that serving embeds
questions with (`onnx`, a folder under `<data_dir>/onnx/`), and checksums of every data file.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import time
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

from index.errors import IndexDamagedError, IndexMissingError
from index.keyword import passage_tokens, tokenizer_key
from index.units import UnitTable
from ingest.models import DocumentMeta, Passage

__all__ = ["Snapshot", "current_version", "index_root", "read_snapshot", "write_snapshot", "FORMAT_VERSION"]

FORMAT_VERSION = 2
"""2: sentence units and heading vectors stored in the snapshot."""
DATA_FILES = (
    "documents.json",
    "passages.jsonl",
    "vectors.npy",
    "dense.faiss",
    "units.json",
    "unit_vectors.npy",
    "headings.json",
    "heading_vectors.npy",
    "keyword.json",
)
SECOND_VECTORS = "second_vectors.npy"
"""Optional: the passages' second-view vectors (`index.second_view`), named in the manifest's checksums."""
KEEP_SNAPSHOTS = 2


@dataclass
class Snapshot:
    """Everything the index holds: documents, passages (in order per document) and their vectors, the
    passages' sentence units (`units`, row i = passage i) and the vectors of their headings."""

    documents: list[DocumentMeta]
    passages: list[Passage]
    vectors: np.ndarray
    model: str
    dimension: int
    units: UnitTable
    headings: list[str]
    heading_vectors: np.ndarray
    onnx: str = ""
    second_model: str = ""
    """The second-view model (`index.second_view`) of `second_vectors`; '' when the snapshot has none."""
    second_vectors: np.ndarray | None = None
    """One second-view vector per passage (row i = passage i), or None."""
    keyword_tokens: list[list[str]] | None = None
    """The passages' keyword tokens (`index.keyword.passage_tokens`); computed when written if None."""
    keyword_key: str = ""
    version: str = ""
    created: str = ""


def index_root(data_dir: Path) -> Path:
    """Folder holding the snapshots of the index."""
    return Path(data_dir) / "index"


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def write_snapshot(data_dir: Path, snapshot: Snapshot) -> str:
    """Write `snapshot` atomically and make it the live one. Returns its version name."""
    import faiss

    root = index_root(data_dir)
    root.mkdir(parents=True, exist_ok=True)
    version = f"v-{datetime.now(UTC).strftime('%Y%m%dT%H%M%S')}-{uuid.uuid4().hex[:8]}"
    staging = root / f".tmp-{version}"
    staging.mkdir()
    try:
        (staging / "documents.json").write_text(
            json.dumps([doc.model_dump(mode="json") for doc in snapshot.documents], indent=1), encoding="utf-8"
        )
        with (staging / "passages.jsonl").open("w", encoding="utf-8") as handle:
            for passage in snapshot.passages:
                handle.write(passage.model_dump_json() + "\n")
        vectors = np.ascontiguousarray(snapshot.vectors, dtype=np.float32)
        np.save(staging / "vectors.npy", vectors)
        dense = faiss.IndexFlatIP(snapshot.dimension)
        if len(vectors):
            dense.add(vectors)
        faiss.write_index(dense, str(staging / "dense.faiss"))
        units = snapshot.units
        if units.passages != len(snapshot.passages):
            raise ValueError(f"{units.passages} passages' units for {len(snapshot.passages)} passages")
        (staging / "units.json").write_text(
            json.dumps(
                {"offsets": [int(x) for x in units.offsets], "texts": units.texts, "paragraphs": units.paragraphs}
            ),
            encoding="utf-8",
        )
        np.save(staging / "unit_vectors.npy", np.ascontiguousarray(units.vectors, dtype=np.float32))
        (staging / "headings.json").write_text(json.dumps(snapshot.headings), encoding="utf-8")
        np.save(staging / "heading_vectors.npy", np.ascontiguousarray(snapshot.heading_vectors, dtype=np.float32))
        tokens = snapshot.keyword_tokens
        if tokens is None or len(tokens) != len(snapshot.passages):
            tokens = passage_tokens(snapshot.passages)
        keyword = {"key": tokenizer_key(), "tokens": tokens}
        (staging / "keyword.json").write_text(json.dumps(keyword), encoding="utf-8")
        files = list(DATA_FILES)
        second = snapshot.second_vectors if snapshot.second_model else None
        if second is not None:
            if len(second) != len(snapshot.passages):
                raise ValueError(f"{len(second)} second-view vectors for {len(snapshot.passages)} passages")
            np.save(staging / SECOND_VECTORS, np.ascontiguousarray(second, dtype=np.float32))
            files.append(SECOND_VECTORS)
        manifest = {
            "format": FORMAT_VERSION,
            "version": version,
            "created": datetime.now(UTC).isoformat(timespec="seconds"),
            "model": snapshot.model,
            "dimension": snapshot.dimension,
            "passages": len(snapshot.passages),
            "units": len(units.texts),
            "onnx": snapshot.onnx,
            "second_model": snapshot.second_model if second is not None else "",
            "documents": [
                {"doc_id": d.doc_id, "path": d.path, "sha256": d.sha256, "title": d.title} for d in snapshot.documents
            ],
            "checksums": {name: _sha256(staging / name) for name in files},
        }
        (staging / "manifest.json").write_text(json.dumps(manifest, indent=1), encoding="utf-8")
        _fsync_tree(staging)
        final = root / version
        os.replace(staging, final)
        pointer = root / f".CURRENT-{version}"
        pointer.write_text(version, encoding="utf-8")
        _fsync_file(pointer)
        os.replace(pointer, root / "CURRENT")
        _fsync_file(root)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _prune(root, keep=version)
    return version


def current_version(data_dir: Path) -> str:
    """The version named by `CURRENT` ('' when there is no index): cheap, for noticing a re-ingest."""
    try:
        return (index_root(data_dir) / "CURRENT").read_text(encoding="utf-8").strip()
    except (OSError, ValueError):  # unreadable or not text: no new version to follow
        return ""


def read_snapshot(data_dir: Path, *, with_vectors: bool = True) -> tuple[Snapshot, dict[str, Any]]:
    """Load the live snapshot. Raises IndexMissingError / IndexDamagedError with a rebuild hint.
    Without `with_vectors` the vectors (of passages, units and headings) are left empty."""
    root = index_root(data_dir)
    pointer = root / "CURRENT"
    if not pointer.is_file():
        raise IndexMissingError(f"No index found in {root}.")
    try:
        version = pointer.read_text(encoding="utf-8").strip()
    except (OSError, ValueError) as exc:
        raise IndexDamagedError(f"The index pointer {pointer} is damaged ({type(exc).__name__}).") from exc
    folder = root / version
    empty = np.zeros((0, 0), dtype=np.float32)
    try:
        manifest = json.loads((folder / "manifest.json").read_text(encoding="utf-8"))
        if manifest.get("format") != FORMAT_VERSION:
            raise IndexDamagedError(
                f"The index in {folder} has format {manifest.get('format')}; this version reads format "
                f"{FORMAT_VERSION} (sentence units stored at ingest)."
            )
        for name, expected in manifest["checksums"].items():
            if _sha256(folder / name) != expected:
                raise IndexDamagedError(f"The index file {folder / name} does not match its checksum.")
        documents = [
            DocumentMeta.model_validate(item)
            for item in json.loads((folder / "documents.json").read_text(encoding="utf-8"))
        ]
        with (folder / "passages.jsonl").open(encoding="utf-8") as handle:
            passages = [Passage.model_validate_json(line) for line in handle if line.strip()]
        table = json.loads((folder / "units.json").read_text(encoding="utf-8"))
        offsets = np.asarray(table["offsets"], dtype=np.int64)
        headings = list(json.loads((folder / "headings.json").read_text(encoding="utf-8")))
        keyword_file = folder / "keyword.json"  # optional: without it the index tokenises when opened
        keyword = json.loads(keyword_file.read_text(encoding="utf-8")) if keyword_file.is_file() else {}
        if with_vectors:
            vectors = np.load(folder / "vectors.npy")
            unit_vectors = np.load(folder / "unit_vectors.npy")
            heading_vectors = np.load(folder / "heading_vectors.npy")
        else:
            vectors, heading_vectors = empty, empty
            unit_vectors = np.zeros((int(offsets[-1]) if len(offsets) else 0, 0), dtype=np.float32)
        units = UnitTable(offsets, list(table["texts"]), list(table["paragraphs"]), unit_vectors)
        second_model = str(manifest.get("second_model", ""))
        second = np.load(folder / SECOND_VECTORS) if second_model and with_vectors else None
    except (OSError, ValueError, KeyError, TypeError, IndexError) as exc:
        raise IndexDamagedError(f"The index in {folder} is damaged ({type(exc).__name__}: {exc}).") from exc
    dimension = int(manifest["dimension"])
    if with_vectors and (
        vectors.shape != (len(passages), dimension)
        or units.passages != len(passages)
        or unit_vectors.shape[1:] != (dimension,)
        or heading_vectors.shape != (len(headings), dimension)
    ):
        raise IndexDamagedError(
            f"The index in {folder} has {vectors.shape} vectors for {len(passages)} passages, units of "
            f"{units.passages} passages and {heading_vectors.shape} vectors for {len(headings)} headings."
        )
    if second is not None and (second.ndim != 2 or len(second) != len(passages)):
        raise IndexDamagedError(
            f"The index in {folder} has {second.shape} second-view vectors for {len(passages)} passages."
        )
    snapshot = Snapshot(
        documents=documents,
        passages=passages,
        vectors=vectors,
        model=manifest["model"],
        dimension=dimension,
        units=units,
        headings=headings,
        heading_vectors=heading_vectors,
        onnx=str(manifest.get("onnx", "")),
        second_model=second_model if second is not None else "",
        second_vectors=second,
        keyword_tokens=[list(t) for t in keyword["tokens"]] if keyword else None,
        keyword_key=str(keyword.get("key", "")),
        version=version,
        created=manifest.get("created", ""),
    )
    return snapshot, manifest


def _fsync_file(path: Path) -> None:
    flags = os.O_RDONLY | (os.O_DIRECTORY if path.is_dir() else 0)
    descriptor = os.open(path, flags)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)


def _fsync_tree(folder: Path) -> None:
    for child in folder.iterdir():
        _fsync_file(child)
    _fsync_file(folder)


def _prune(root: Path, keep: str) -> None:
    """Remove old snapshots (keeping the newest few) and stale temporary folders from crashed writes."""
    snapshots = sorted((p for p in root.glob("v-*") if p.is_dir()), key=lambda p: p.name)
    for old in snapshots[:-KEEP_SNAPSHOTS]:
        if old.name != keep:
            shutil.rmtree(old, ignore_errors=True)
    cutoff = time.time() - 3600
    for stale in root.glob(".tmp-*"):
        if stale.stat().st_mtime < cutoff:
            shutil.rmtree(stale, ignore_errors=True)
