"""A fake GOV.UK on loopback (a real `ThreadingHTTPServer` in a thread), written from the Content API's
documented response shape: `/api/content/<path>` content items (publications with `details.attachments`,
`details.change_history`, `public_updated_at`, `withdrawn_notice`; HTML publications with `details.body`) and
asset files. Answers conditional requests (ETag / Last-Modified -> 304), records every request, and can be
told to misbehave: a status (429 with Retry-After, 500), a truncated body, or a request that hangs."""

from __future__ import annotations

import hashlib
import json
import threading
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from email.utils import format_datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["FakeGovuk", "Fault", "Request", "fake_govuk", "make_pdf"]


@dataclass
class Request:
    path: str
    headers: dict[str, str]
    status: int


@dataclass
class Fault:
    """What to do instead of answering normally: `status` (with `headers`), `truncate` to N bytes, or `hang`."""

    status: int = 0
    headers: dict[str, str] = field(default_factory=dict)
    truncate: int | None = None
    hang: bool = False


@dataclass
class _Resource:
    body: bytes
    content_type: str
    last_modified: datetime

    @property
    def etag(self) -> str:
        return '"' + hashlib.sha256(self.body).hexdigest()[:20] + '"'


class FakeGovuk:
    """Serves what the test publishes. `fault(path, ...)` queues misbehaviour for the next requests of a path."""

    def __init__(self) -> None:
        self.resources: dict[str, _Resource] = {}
        self.gone: dict[str, int] = {}
        self.requests: list[Request] = []
        self.faults: dict[str, list[Fault]] = {}
        self.hanging = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, format: str, *args: Any) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                fake._serve(self)

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever, args=(0.05,), name="fake-govuk", daemon=True)

    # --- publishing ------------------------------------------------------------------------------
    def publish(
        self,
        path: str,
        *,
        title: str,
        updated: str,
        first_published: str = "",
        body: str = "<p>Guidance page.</p>",
        attachments: list[dict[str, Any]] | None = None,
        change_history: list[tuple[str, str]] | None = None,
        withdrawn: tuple[str, str] | None = None,
        schema: str = "publication",
        document_type: str = "statutory_guidance",
    ) -> None:
        """A content item at /api/content<path>, as the Content API documents it."""
        item: dict[str, Any] = {
            "base_path": path,
            "content_id": "2c1e1f6e-1a7c-4d5e-9a6b-" + hashlib.sha1(path.encode()).hexdigest()[:12],
            "title": title,
            "description": f"{title} (description).",
            "schema_name": schema,
            "document_type": document_type,
            "locale": "en",
            "first_published_at": first_published or updated,
            "public_updated_at": updated,
            "updated_at": updated,
            "links": {"primary_publishing_organisation": [{"title": "Department for Education"}]},
            "details": {
                "body": body,
                "political": False,
                "documents": [],
                "attachments": attachments or [],
                "change_history": [{"public_timestamp": when, "note": note} for when, note in (change_history or [])],
            },
        }
        if withdrawn:
            item["withdrawn_notice"] = {"withdrawn_at": withdrawn[0], "explanation": f"<p>{withdrawn[1]}</p>"}
        self._put("/api/content" + path, json.dumps(item).encode(), "application/json", updated)

    def html_publication(self, path: str, *, title: str, body: str, updated: str) -> dict[str, Any]:
        """An HTML publication item; returns its attachment entry for the parent's `details.attachments`."""
        self.publish(
            path, title=title, updated=updated, body=body, schema="html_publication", document_type="html_publication"
        )
        return {"attachment_type": "html", "id": path.rsplit("/", 1)[-1], "title": title, "url": self.base_url + path}

    def asset(self, path: str, content: bytes, *, title: str, updated: str) -> dict[str, Any]:
        """A PDF file; returns its attachment entry (with `file_size`) for the parent's `details.attachments`."""
        self._put(path, content, "application/pdf", updated)
        return {
            "attachment_type": "file",
            "id": path.rsplit("/", 1)[-1],
            "title": title,
            "url": self.base_url + path,
            "content_type": "application/pdf",
            "filename": path.rsplit("/", 1)[-1],
            "file_size": len(content),
        }

    def remove(self, path: str, status: int = 410) -> None:
        """The page is gone: 410 (unpublished) or 404."""
        with self._lock:
            self.resources.pop("/api/content" + path, None)
            self.gone["/api/content" + path] = status

    def fault(self, path: str, *faults: Fault) -> None:
        with self._lock:
            self.faults.setdefault(path, []).extend(faults)

    def _put(self, path: str, body: bytes, content_type: str, updated: str) -> None:
        with self._lock:
            self.gone.pop(path, None)
            self.resources[path] = _Resource(body, content_type, datetime.fromisoformat(updated).astimezone(UTC))

    # --- serving ---------------------------------------------------------------------------------
    def _serve(self, handler: BaseHTTPRequestHandler) -> None:
        path = handler.path.split("?", 1)[0]
        headers = {k.lower(): v for k, v in handler.headers.items()}
        with self._lock:
            queue = self.faults.get(path) or []
            fault = queue.pop(0) if queue else None
            resource = self.resources.get(path)
            gone = self.gone.get(path)
        if fault is not None and fault.hang:
            self._record(path, headers, 0)
            self.hanging.set()
            self.release.wait(120)
            return
        if fault is not None and fault.status:
            self._record(path, headers, fault.status)
            self._send(handler, fault.status, b'{"error": "fault"}', "application/json", fault.headers)
            return
        if resource is None:
            status = gone or 404
            self._record(path, headers, status)
            self._send(handler, status, b'{"error": "not found"}', "application/json", {})
            return
        validators = {"ETag": resource.etag, "Last-Modified": format_datetime(resource.last_modified, usegmt=True)}
        if headers.get("if-none-match") == resource.etag:
            self._record(path, headers, 304)
            self._send(handler, 304, b"", resource.content_type, validators)
            return
        self._record(path, headers, 200)
        body = resource.body
        if fault is not None and fault.truncate is not None:
            handler.send_response(200)
            handler.send_header("Content-Type", resource.content_type)
            handler.send_header("Content-Length", str(len(body)))
            handler.send_header("Connection", "close")
            handler.end_headers()
            handler.wfile.write(body[: fault.truncate])
            handler.wfile.flush()
            handler.close_connection = True
            return
        self._send(handler, 200, body, resource.content_type, validators)

    def _record(self, path: str, headers: dict[str, str], status: int) -> None:
        with self._lock:
            self.requests.append(Request(path, headers, status))

    @staticmethod
    def _send(
        handler: BaseHTTPRequestHandler, status: int, body: bytes, content_type: str, headers: dict[str, str]
    ) -> None:
        handler.send_response(status)
        handler.send_header("Content-Type", content_type)
        for key, value in headers.items():
            handler.send_header(key, value)
        if status != 304:
            handler.send_header("Content-Length", str(len(body)))
        handler.end_headers()
        if status != 304:
            handler.wfile.write(body)

    # --- lifecycle -------------------------------------------------------------------------------
    def start(self) -> FakeGovuk:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def paths(self) -> list[str]:
        with self._lock:
            return [r.path for r in self.requests]

    def clear(self) -> None:
        with self._lock:
            self.requests.clear()


@contextmanager
def fake_govuk() -> Iterator[FakeGovuk]:
    fake = FakeGovuk().start()
    try:
        yield fake
    finally:
        fake.stop()


def make_pdf(pages: list[list[str]], title: str = "") -> bytes:
    """A small valid PDF (Helvetica text, one line per string, pages in order) that pypdf can read."""
    objects: list[bytes] = []
    page_ids = [4 + 2 * i for i in range(len(pages))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R >>")
    kids = " ".join(f"{pid} 0 R" for pid in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(pages)} >>".encode())
    objects.append(b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>")
    for lines in pages:
        text = ["BT", "/F1 11 Tf", "14 TL", "56 780 Td"]
        for line in lines:
            escaped = line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")
            text.append(f"({escaped}) Tj T*")
        text.append("ET")
        stream = zlib.compress("\n".join(text).encode("cp1252"))
        page_id = len(objects) + 1
        objects.append(
            f"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Resources << /Font << /F1 3 0 R >> >> "
            f"/Contents {page_id + 1} 0 R >>".encode()
        )
        objects.append(f"<< /Length {len(stream)} /Filter /FlateDecode >>\nstream\n".encode() + stream + b"\nendstream")
    info = len(objects) + 1
    objects.append(f"<< /Title ({title}) /Producer (fake_govuk) >>".encode())
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    for offset in offsets:
        out += f"{offset:010d} 00000 n \n".encode()
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info {info} 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)
