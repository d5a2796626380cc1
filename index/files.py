"""Which files an ingest reads, and parsing them (in worker processes when there are several).

- Folders are read recursively for supported files (hidden files and corpus notes such as README,
  SOURCES and LICENSE files are skipped); a file named explicitly is always tried.
- A file that fails to parse (corrupt, encrypted, empty, unsupported, unreadable) becomes a `FailedFile`
  with a one-line reason naming it; a parser bug in one file does not stop the others.
"""

from __future__ import annotations

import errno
import os
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from pydantic import BaseModel

from ingest import SUPPORTED_SUFFIXES, IngestError, ParsedDocument, parse_file

__all__ = ["FailedFile", "expand_paths", "parse_all"]

SKIPPED_NAMES = ("readme", "sources", "license", "licence", "changelog", "sha256sums")


class FailedFile(BaseModel):
    """A file that could not be ingested, with a one-line reason naming it."""

    path: str
    error: str


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


def parse_all(
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
