"""`ingest_paths`: add files and folders to the index incrementally, with a per-document report.

Rules:
- Folders are read recursively for supported files (hidden files and corpus notes such as README,
  SOURCES and LICENSE files are skipped); a file named explicitly is always tried.
- A file whose sha256 matches what is indexed for its path is unchanged: it is not parsed or embedded.
- A changed or new file is parsed; passages, sentence units and headings whose text was embedded before
  reuse that vector (`index.vectors`), so only new text is embedded.
- A file with the same content as another indexed file (at a different path that still exists), or as
  another file in the same run, fails as a duplicate and is not indexed twice.
- A document previously ingested from inside a folder given now, whose file is gone, is removed.
- A file that fails (corrupt, encrypted, empty, unsupported, unreadable) is reported and skipped: every
  other file is still ingested and nothing already indexed is lost.
- The new snapshot is written atomically, and only if something changed. It holds the vectors of the
  passages, of their sentence units and of their headings, and names the ONNX export of the model that
  serving embeds questions with (exported here when it is missing, `index.onnx_export`), and the passages'
  second-view vectors (`index.second_view`, reused while a passage's text is unchanged; an index without them
  gains them at the next ingest unless `VSH_SECOND_VIEW=none`).
"""

from __future__ import annotations

import hashlib
import os
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from index.adapt import embedding_model
from index.embedder import get_embedder
from index.errors import IndexDamagedError, IndexMissingError
from index.files import FailedFile, expand_paths, parse_all
from index.onnx_embedder import onnx_root
from index.onnx_export import ensure_onnx_export
from index.second_view import SECOND_VIEW_MODEL, SecondViewUnavailable, second_vectors, second_view
from index.store import Snapshot, read_snapshot, write_snapshot
from index.vectors import VectorBank, snapshot_vectors
from ingest import ParsedDocument, sha256_file
from ingest.models import DocumentMeta, Passage
from settings import Settings

__all__ = ["DocReport", "FailedFile", "IngestReport", "expand_paths", "ingest_paths"]

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()


class DocReport(BaseModel):
    """What happened to one document."""

    doc_id: str
    path: str
    title: str
    status: str
    pages: int = 0
    sections: int = 0
    passages: int = 0
    warnings: list[str] = Field(default_factory=list)
    action: Literal["added", "updated", "unchanged", "removed"]


class IngestReport(BaseModel):
    """The outcome of one `ingest_paths` call."""

    documents: list[DocReport] = Field(default_factory=list)
    failed: list[FailedFile] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    embedded_passages: int = 0
    reused_passages: int = 0
    embedded_units: int = 0
    reused_units: int = 0
    embedded_second: int = 0
    """Passages embedded by the second-view model (`index.second_view`) in this run."""
    seconds: float = 0.0
    version: str = ""
    notes: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def _vector_key(model: str, text: str) -> str:
    return hashlib.sha1(f"{model}\n{text}".encode()).hexdigest()


def ingest_paths(
    paths: Sequence[Path],
    settings: Settings,
    *,
    progress: bool = False,
    on_document: Callable[[str], None] | None = None,
) -> IngestReport:
    """Ingest `paths` into the index in `settings.data_dir` and return the report (see module rules)."""
    started = time.perf_counter()
    data_dir = Path(settings.data_dir)
    model = embedding_model(settings)
    max_tokens = settings.passage_max_tokens
    batch_size = settings.embedding_batch_size
    report = IngestReport()

    documents, passages, live = _load_existing(data_dir, model, report)
    by_path = {str(Path(doc.path).resolve()): doc for doc in documents.values()}
    files, failed, folders = expand_paths(paths)
    report.failed.extend(failed)

    to_parse: list[Path] = []
    seen_hashes: dict[str, str] = {}
    for file in files:
        resolved = str(file.resolve())
        try:
            sha = sha256_file(file)
            empty = file.stat().st_size == 0
        except OSError as exc:
            report.failed.append(FailedFile(path=str(file), error=f"{file}: cannot read the file ({exc.strerror})"))
            continue
        if empty or sha == EMPTY_SHA256:  # every empty file is "the same": say it is empty, not a duplicate
            report.failed.append(FailedFile(path=str(file), error=f"{file}: the file is empty"))
            continue
        if sha in seen_hashes:
            report.failed.append(FailedFile(path=str(file), error=f"{file}: duplicate of {seen_hashes[sha]}"))
            continue
        seen_hashes[sha] = str(file)
        existing = by_path.get(resolved)
        if existing is not None and existing.sha256 == sha:
            report.documents.append(_doc_report(existing, len(passages[existing.doc_id]), "unchanged"))
            continue
        twin = next(
            (d for d in documents.values() if d.sha256 == sha and str(Path(d.path).resolve()) != resolved), None
        )
        if twin is not None and Path(twin.path).exists():
            report.failed.append(FailedFile(path=str(file), error=f"{file}: duplicate of {twin.doc_id} ({twin.path})"))
            continue
        to_parse.append(file)

    parsed = parse_all(to_parse, max_tokens, progress, settings.ingest_max_chars)
    for file, result in zip(to_parse, parsed, strict=True):
        if isinstance(result, FailedFile):
            report.failed.append(result)
            continue
        resolved = str(file.resolve())
        previous = by_path.get(resolved)
        meta = result.meta.model_copy(update={"path": str(file)})
        if meta.doc_id in documents and (previous is None or previous.doc_id != meta.doc_id):
            owner = documents[meta.doc_id]
            if Path(owner.path).exists() and str(Path(owner.path).resolve()) != resolved:
                new_id = f"{meta.doc_id}-{meta.sha256[:6]}"
                result.warnings.append(f"doc_id {meta.doc_id} is taken by {owner.path}; using {new_id}")
                result = _renamed(result, new_id)
                meta = result.meta.model_copy(update={"path": str(file)})
        if previous is not None and previous.doc_id != meta.doc_id:
            documents.pop(previous.doc_id, None)
            passages.pop(previous.doc_id, None)
        action = "updated" if previous is not None or meta.doc_id in documents else "added"
        documents[meta.doc_id] = meta
        passages[meta.doc_id] = result.passages
        report.documents.append(
            DocReport(
                doc_id=meta.doc_id,
                path=str(file),
                title=meta.title,
                status=meta.status,
                pages=meta.pages,
                sections=result.sections,
                passages=len(result.passages),
                warnings=result.warnings,
                action=action,
            )
        )
        if on_document:
            on_document(meta.doc_id)

    for doc in list(documents.values()):
        path = Path(doc.path)
        inside = any(_is_within(path, folder) for folder in folders)
        if inside and not path.exists():
            documents.pop(doc.doc_id)
            passages.pop(doc.doc_id, None)
            report.removed.append(doc.doc_id)
            report.documents.append(_doc_report(doc, 0, "removed"))

    changed = report.removed or any(d.action in ("added", "updated") for d in report.documents)
    wants_second = settings.second_view != "none"
    if live is not None and wants_second and live.second_model != SECOND_VIEW_MODEL and live.passages and _loads():
        changed = True  # an index made without the second view (or before it existed) gains it now
        report.notes.append(
            f"the index had no vectors of the second-view model ({SECOND_VIEW_MODEL}): they are computed now"
        )
    if changed:
        ordered_docs = sorted(documents.values(), key=lambda d: d.doc_id)
        all_passages = [p for d in ordered_docs for p in passages[d.doc_id]]
        threads = settings.ingest_threads or os.cpu_count() or 1

        def encode(texts: list[str]) -> np.ndarray:
            return get_embedder(model, settings.torch_threads).encode(texts, batch_size=batch_size, threads=threads)

        bank = VectorBank(model)
        if live is not None:
            bank.add_snapshot(live)
        dimension = get_embedder(model, settings.torch_threads).dimension
        built = snapshot_vectors(all_passages, bank, encode, dimension)
        report.embedded_passages, report.reused_passages = built.embedded_passages, built.reused_passages
        report.embedded_units, report.reused_units = built.embedded_units, built.reused_units
        second, second_model = None, ""
        if wants_second:
            try:
                second, report.embedded_second = second_vectors(all_passages, live)
                second_model = SECOND_VIEW_MODEL
            except SecondViewUnavailable as exc:
                report.notes.append(f"{exc}; answers order further points by the reranker alone")
        report.version = write_snapshot(
            data_dir,
            Snapshot(
                documents=ordered_docs,
                passages=all_passages,
                vectors=built.passages,
                model=model,
                dimension=dimension,
                units=built.units,
                headings=built.headings,
                heading_vectors=built.heading_vectors,
                onnx=ensure_onnx_export(data_dir, model),
                second_model=second_model,
                second_vectors=second,
            ),
        )
    elif live is not None and not (live.onnx and (onnx_root(data_dir) / live.onnx).is_dir()):
        ensure_onnx_export(data_dir, model)  # the export was deleted: make it again (same model, same name)
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _loads() -> bool:
    """Whether the second-view model can be loaded here."""
    try:
        second_view()
    except SecondViewUnavailable:
        return False
    return True


def _load_existing(
    data_dir: Path, model: str, report: IngestReport
) -> tuple[dict[str, DocumentMeta], dict[str, list[Passage]], Snapshot | None]:
    """The live snapshot's documents and passages as dictionaries, and the snapshot itself when its vectors
    can be reused (same model)."""
    try:
        snapshot, _ = read_snapshot(data_dir)
    except IndexMissingError:
        return {}, {}, None
    except IndexDamagedError as exc:
        report.notes.append(f"the existing index was damaged and is rebuilt from the files given: {exc}")
        return {}, {}, None
    documents = {doc.doc_id: doc for doc in snapshot.documents}
    passages: dict[str, list[Passage]] = {doc_id: [] for doc_id in documents}
    for passage in snapshot.passages:
        passages.setdefault(passage.doc_id, []).append(passage)
    if snapshot.model != model:
        report.notes.append(f"the embedding model changed ({snapshot.model} -> {model}): every passage is re-embedded")
        return documents, passages, None
    return documents, passages, snapshot


def _doc_report(doc: DocumentMeta, passages: int, action: Literal["unchanged", "removed"]) -> DocReport:
    return DocReport(
        doc_id=doc.doc_id,
        path=doc.path,
        title=doc.title,
        status=doc.status,
        pages=doc.pages,
        passages=passages,
        action=action,
    )


def _is_within(path: Path, folder: Path) -> bool:
    try:
        path.resolve().relative_to(folder)
    except ValueError:
        return False
    return True


def _renamed(result: ParsedDocument, doc_id: str) -> ParsedDocument:
    passages = [
        p.model_copy(update={"doc_id": doc_id, "passage_id": f"{doc_id}:{p.order:05d}"}) for p in result.passages
    ]
    return result.model_copy(update={"meta": result.meta.model_copy(update={"doc_id": doc_id}), "passages": passages})
