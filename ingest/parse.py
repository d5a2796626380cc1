"""`parse_file`: any supported document -> a ParsedDocument with metadata and citable passages."""

from __future__ import annotations

import codecs
import hashlib
import re
from datetime import date
from pathlib import Path
from typing import Any

from ingest.chunking import chunk_sections
from ingest.errors import IngestError
from ingest.html import parse_html
from ingest.manifest import SourceManifest
from ingest.metadata import detect_date, detect_status
from ingest.models import DocumentMeta, ParsedDocument
from ingest.pdf import parse_pdf
from ingest.structure import DocumentDraft, slugify
from ingest.text import parse_markdown, parse_text
from ingest.tokens import count_tokens

__all__ = ["parse_file", "sha256_file", "SUPPORTED_SUFFIXES", "MAX_FILE_BYTES"]

FORMATS = {".pdf": "pdf", ".html": "html", ".htm": "html", ".md": "markdown", ".markdown": "markdown", ".txt": "text"}
SUPPORTED_SUFFIXES = frozenset(FORMATS)
MAX_FILE_BYTES = 200 * 1024 * 1024
STATUSES = {"statutory", "non-statutory", "announcement", "local", "unknown"}


def sha256_file(path: Path) -> str:
    """Hex sha256 of a file's bytes."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def parse_file(
    path: Path, *, max_tokens: int = 160, manifest: SourceManifest | None = None, max_chars: int = 0
) -> ParsedDocument:
    """Parse one document. Raises IngestError (one line naming the file) when it cannot be read, or when its
    text is longer than `max_chars` characters (0 = no limit): embedding it would take far too long."""
    path = Path(path)
    suffix = path.suffix.lower()
    if not path.exists():
        raise IngestError(path, "no such file")
    if path.is_dir():
        raise IngestError(path, "is a folder, not a file")
    if suffix not in FORMATS:
        supported = ", ".join(sorted(SUPPORTED_SUFFIXES))
        raise IngestError(path, f"unsupported file type '{suffix or 'none'}' (supported: {supported})")
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise IngestError(path, f"file is too large ({size // (1024 * 1024)} MB; limit {MAX_FILE_BYTES >> 20} MB)")
        raw = path.read_bytes()
    except PermissionError as exc:
        raise IngestError(path, "permission denied") from exc
    except OSError as exc:
        raise IngestError(path, f"cannot read the file ({exc.strerror or exc})") from exc
    if not raw.strip():
        raise IngestError(path, "the file is empty")

    fmt = FORMATS[suffix]
    if max_chars and fmt != "pdf" and len(raw) > 4 * max_chars:  # too large whatever the encoding: do not decode
        _too_long(path, len(raw), max_chars)
    draft = _draft(path, fmt, raw)
    if not any(section.blocks for section in draft.sections):
        raise IngestError(path, "no text found in the document")
    chars = sum(len(block.text) for section in draft.sections for block in section.blocks)
    if max_chars and chars > max_chars:
        _too_long(path, chars, max_chars)

    sha = hashlib.sha256(raw).hexdigest()
    overrides = (manifest or SourceManifest.default()).lookup(path, sha)
    meta, warnings = _metadata(path, fmt, sha, draft, overrides)
    passages = chunk_sections(meta.doc_id, draft.sections, max_tokens, count_tokens)
    return ParsedDocument(
        meta=meta,
        passages=passages,
        sections=len({tuple(p.section_path) for p in passages}),
        warnings=[*draft.warnings, *warnings],
    )


def _too_long(path: Path, chars: int, max_chars: int) -> None:
    raise IngestError(
        path,
        f"too much text ({chars:,} characters; the limit is {max_chars:,}): embedding it would take hours. "
        "Split the file, or raise VSH_INGEST_MAX_CHARS if it really is one document",
    )


def _draft(path: Path, fmt: str, raw: bytes) -> DocumentDraft:
    if fmt == "pdf":
        if not raw.lstrip().startswith(b"%PDF"):
            raise IngestError(path, "not a PDF file (no %PDF header); the file may be corrupt")
        return parse_pdf(path)
    text = _decode(path, raw)
    if fmt == "html":
        return parse_html(path, raw)
    if fmt == "markdown":
        return parse_markdown(text)
    return parse_text(text)


def _decode(path: Path, raw: bytes) -> str:
    """The text of a file: UTF-16 with a byte-order mark (Windows Notepad's "Unicode"), else UTF-8 (with or
    without a byte-order mark), else Windows-1252. NUL characters mean it is not text."""
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            text = raw.decode("utf-16")  # the byte-order mark gives the byte order and is dropped
        except UnicodeDecodeError:
            text = "\x00"
        if "\x00" not in text[:2048]:
            return text
    if b"\x00" in raw[:4096]:
        raise IngestError(path, "looks like a binary file, not text")
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise IngestError(path, "cannot decode the text (not UTF-8 or Windows-1252)")


def _metadata(
    path: Path, fmt: str, sha: str, draft: DocumentDraft, overrides: dict[str, Any]
) -> tuple[DocumentMeta, list[str]]:
    warnings: list[str] = []
    title = str(overrides.get("title") or draft.title or path.stem.replace("_", " ")).strip()
    published, label = _published(draft, overrides)
    status = str(overrides.get("status") or _status(fmt, draft))
    if status not in STATUSES:
        warnings.append(f"unknown status '{status}' in metadata; treated as unknown")
        status = "unknown"
    if status == "unknown":
        warnings.append(
            "status could not be determined (statutory, non-statutory, announcement or local): "
            "add it in a <file>.meta.toml sidecar"
        )
    doc_id = str(overrides.get("doc_id") or _doc_id(title, path, published))
    meta = DocumentMeta(
        doc_id=doc_id,
        title=title,
        short_title=str(overrides.get("short_title", "")),
        publisher=str(overrides.get("publisher") or _publisher(draft)),
        published=published,
        published_label=label,
        status=status,
        source_url=str(overrides.get("source_url") or draft.html_meta.get("og:url", "")),
        sha256=sha,
        path=str(path),
        format=fmt,
        pages=draft.pages,
    )
    return meta, warnings


def _published(draft: DocumentDraft, overrides: dict[str, Any]) -> tuple[date | None, str]:
    value = overrides.get("published")
    if isinstance(value, date):
        return value, str(overrides.get("published_label") or value.strftime("%B %Y"))
    if isinstance(value, str) and value:
        parsed = date.fromisoformat(value)
        return parsed, str(overrides.get("published_label") or parsed.strftime("%B %Y"))
    for key in ("govuk:first-published-at", "article:published_time", "govuk:public-updated-at"):
        if draft.html_meta.get(key):
            found, _ = detect_date(draft.html_meta[key])
            if found:
                updated, _ = detect_date(draft.html_meta.get("govuk:public-updated-at", ""))
                label = found.strftime("%-d %B %Y")  # the version held, as GOV.UK words it
                return found, f"{label}, updated {updated:%-d %B %Y}" if updated and updated > found else label
    found, label = detect_date(draft.front_text[:2500])
    return found, str(overrides.get("published_label") or label)


def _status(fmt: str, draft: DocumentDraft) -> str:
    return detect_status(f"{draft.title}\n{draft.front_text[:2500]}")


def _publisher(draft: DocumentDraft) -> str:
    text = draft.front_text[:5000]
    if re.search(r"department for education|\bDfE\b", text, re.IGNORECASE):
        return "Department for Education"
    return draft.html_meta.get("govuk:primary-publishing-organisation", "")


def _doc_id(title: str, path: Path, published: date | None) -> str:
    base = slugify(title or path.stem, limit=60)
    return f"{base}-{published.year}" if published and str(published.year) not in base else base
