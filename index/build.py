"""`ingest_paths`: add files and folders to the index incrementally, with a per-document report.

Rules:
- Folders are read recursively for supported files (hidden files and corpus notes such as README,
  SOURCES and LICENSE files are skipped); a file named explicitly is always tried.
- A file whose sha256 matches what is indexed for its path is unchanged: it is not parsed or embedded.
- A changed or new file is parsed; passages whose embedding text was embedded before reuse that vector,
  so only new text is embedded.
- A file with the same content as another indexed file (at a different path that still exists), or as
  another file in the same run, fails as a duplicate and is not indexed twice.
- A document previously ingested from inside a folder given now, whose file is gone, is removed.
- A file that fails (corrupt, encrypted, empty, unsupported, unreadable) is reported and skipped: every
  other file is still ingested and nothing already indexed is lost.
- The new snapshot is written atomically, and only if something changed.
"""

from __future__ import annotations

import errno
import hashlib
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, Field

from index.adapt import embedding_model
from index.embedder import get_embedder
from index.errors import IndexDamagedError, IndexMissingError
from index.search import embedding_text
from index.store import Snapshot, read_snapshot, write_snapshot
from ingest import SUPPORTED_SUFFIXES, IngestError, ParsedDocument, parse_file, sha256_file
from ingest.models import DocumentMeta, Passage
from settings import Settings

__all__ = ["DocReport", "FailedFile", "IngestReport", "expand_paths", "ingest_paths"]

EMPTY_SHA256 = hashlib.sha256(b"").hexdigest()
SKIPPED_NAMES = ("readme", "sources", "license", "licence", "changelog", "sha256sums")


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


class FailedFile(BaseModel):
    """A file that could not be ingested, with a one-line reason naming it."""

    path: str
    error: str


class IngestReport(BaseModel):
    """The outcome of one `ingest_paths` call."""

    documents: list[DocReport] = Field(default_factory=list)
    failed: list[FailedFile] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)
    embedded_passages: int = 0
    reused_passages: int = 0
    seconds: float = 0.0
    version: str = ""
    notes: list[str] = Field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.failed


def expand_paths(paths: Sequence[Path]) -> tuple[list[Path], list[FailedFile], list[Path]]:
    """Files to ingest, failures for paths that cannot be read, and the folders that were given."""
    files: list[Path] = []
    failed: list[FailedFile] = []
    folders: list[Path] = []
    for raw in paths:
        path = Path(raw)
        try:
            if path.is_dir():
                folders.append(path.resolve(strict=True))
                for child in sorted(path.rglob("*")):
                    if child.is_file() and _wanted(child, path):
                        files.append(child)
            elif path.is_file():
                files.append(path)
            elif path.is_symlink():
                failed.append(FailedFile(path=str(path), error=f"{path}: {_broken_link(path)}"))
            else:
                failed.append(FailedFile(path=str(path), error=f"{path}: no such file or folder"))
        except (OSError, RuntimeError) as exc:  # a symlink loop, a folder we may not read...
            failed.append(FailedFile(path=str(path), error=f"{path}: cannot be read ({_reason(exc)})"))
    unique: dict[Path, Path] = {}
    for file in files:
        try:
            unique.setdefault(file.resolve(strict=True), file)
        except (OSError, RuntimeError) as exc:
            failed.append(FailedFile(path=str(file), error=f"{file}: cannot be read ({_reason(exc)})"))
    return list(unique.values()), failed, folders


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RuntimeError) or getattr(exc, "errno", None) == errno.ELOOP:
        return "symbolic link loop"
    return getattr(exc, "strerror", None) or str(exc)


def _broken_link(path: Path) -> str:
    """Why a symbolic link that is neither a file nor a folder cannot be read."""
    try:
        path.resolve(strict=True)
    except (OSError, RuntimeError) as exc:
        return "symbolic link loop" if _reason(exc) == "symbolic link loop" else "broken symbolic link"
    return "symbolic link to something that is not a file or folder"


def _wanted(child: Path, root: Path) -> bool:
    relative = child.relative_to(root)
    if any(part.startswith(".") for part in relative.parts):
        return False
    if child.name.lower().startswith(SKIPPED_NAMES) or child.name.endswith(".meta.toml"):
        return False
    return child.suffix.lower() in SUPPORTED_SUFFIXES


def _parse(path: Path, max_tokens: int, max_chars: int = 0) -> ParsedDocument | FailedFile:
    try:
        return parse_file(path, max_tokens=max_tokens, max_chars=max_chars)
    except IngestError as exc:
        return FailedFile(path=str(path), error=str(exc))
    except Exception as exc:  # a parser bug must not stop the other files
        return FailedFile(path=str(path), error=f"{path}: could not be parsed ({type(exc).__name__}: {exc})")


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
    threads = settings.torch_threads
    report = IngestReport()

    documents, passages, vectors = _load_existing(data_dir, model, report)
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

    parsed = _parse_all(to_parse, max_tokens, progress, settings.ingest_max_chars)
    embedder = get_embedder(model, threads) if any(isinstance(p, ParsedDocument) for p in parsed) else None
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
    if changed:
        ordered_docs = sorted(documents.values(), key=lambda d: d.doc_id)
        all_passages = [p for d in ordered_docs for p in passages[d.doc_id]]
        texts = [embedding_text(p) for p in all_passages]
        keys = [_vector_key(model, text) for text in texts]
        missing = [i for i, key in enumerate(keys) if key not in vectors]
        if missing:
            embedder = embedder or get_embedder(model, threads)
            fresh = embedder.encode(
                [texts[i] for i in missing], batch_size=batch_size, threads=settings.ingest_threads or os.cpu_count()
            )
            for i, vector in zip(missing, fresh, strict=True):
                vectors[keys[i]] = vector
        report.embedded_passages = len(missing)
        report.reused_passages = len(keys) - len(missing)
        dimension = (
            next(iter(vectors.values())).shape[0] if vectors else (embedder or get_embedder(model, threads)).dimension
        )
        matrix = np.stack([vectors[key] for key in keys]) if keys else np.zeros((0, dimension), dtype=np.float32)
        report.version = write_snapshot(
            data_dir,
            Snapshot(documents=ordered_docs, passages=all_passages, vectors=matrix, model=model, dimension=dimension),
        )
    report.seconds = round(time.perf_counter() - started, 3)
    return report


def _load_existing(
    data_dir: Path, model: str, report: IngestReport
) -> tuple[dict[str, DocumentMeta], dict[str, list[Passage]], dict[str, np.ndarray]]:
    """The live snapshot as dictionaries, plus its vectors keyed by embedding text (for reuse)."""
    try:
        snapshot, _ = read_snapshot(data_dir)
    except IndexMissingError:
        return {}, {}, {}
    except IndexDamagedError as exc:
        report.notes.append(f"the existing index was damaged and is rebuilt from the files given: {exc}")
        return {}, {}, {}
    documents = {doc.doc_id: doc for doc in snapshot.documents}
    passages: dict[str, list[Passage]] = {doc_id: [] for doc_id in documents}
    for passage in snapshot.passages:
        passages.setdefault(passage.doc_id, []).append(passage)
    vectors: dict[str, np.ndarray] = {}
    if snapshot.model == model:
        for passage, vector in zip(snapshot.passages, snapshot.vectors, strict=True):
            vectors[_vector_key(model, embedding_text(passage))] = vector
    else:
        report.notes.append(f"the embedding model changed ({snapshot.model} -> {model}): every passage is re-embedded")
    return documents, passages, vectors


def _parse_all(
    files: list[Path], max_tokens: int, progress: bool, max_chars: int = 0
) -> list[ParsedDocument | FailedFile]:
    """Parse files, in two worker processes when there are several (parsing PDFs is CPU-bound)."""
    if not files:
        return []
    bar = _progress(progress, len(files))
    results: list[ParsedDocument | FailedFile] = []
    try:
        if len(files) == 1 or (os.cpu_count() or 1) < 2:
            for file in files:
                results.append(_parse(file, max_tokens, max_chars))
                bar.advance(file.name)
        else:
            with ProcessPoolExecutor(max_workers=min(4, os.cpu_count() or 2)) as pool:
                futures = [pool.submit(_parse, file, max_tokens, max_chars) for file in files]
                for file, future in zip(files, futures, strict=True):
                    results.append(future.result())
                    bar.advance(file.name)
    finally:
        bar.close()
    return results


class _NoProgress:
    def advance(self, name: str) -> None:
        pass

    def close(self) -> None:
        pass


class _RichProgress:
    def __init__(self, total: int) -> None:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

        self._progress = Progress(
            TextColumn("[bold]Parsing[/] {task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn()
        )
        self._task = self._progress.add_task("", total=total)
        self._progress.start()

    def advance(self, name: str) -> None:
        self._progress.update(self._task, advance=1, description=name[:50])

    def close(self) -> None:
        self._progress.stop()


def _progress(enabled: bool, total: int) -> _NoProgress | _RichProgress:
    return _RichProgress(total) if enabled else _NoProgress()


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
