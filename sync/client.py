"""HTTP to GOV.UK for `vsh sync`: conditional GETs, retries, and downloads that are whole or not at all.

- Conditional requests: `If-None-Match` (ETag) and `If-Modified-Since` (Last-Modified) from the last sync;
  a 304 costs one request and no body.
- 429: waits for `Retry-After` (seconds or an HTTP date) and tries again, unless GOV.UK asks for longer than
  `sync_max_retry_wait_s`; 5xx and network errors: waits `sync_backoff_s`, doubling, up to `sync_retries`.
- A body shorter than its `Content-Length` (or than the API's `file_size`), or a PDF without its end
  marker, is a truncated download: retried, and never handed on.
- Every attempt counts in `requests`.
"""

from __future__ import annotations

import email.utils
import hashlib
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import httpx

from sync.errors import FetchError

__all__ = ["Fetched", "GovukClient", "USER_AGENT"]

USER_AGENT = "vsh-guidance-assistant-sync/0.1 (+https://github.com/; keeps DfE guidance current)"
MAX_JSON_BYTES = 20 * 1024 * 1024
MAX_FILE_BYTES = 200 * 1024 * 1024


class _Truncated(Exception):
    """The body ended early."""


@dataclass
class Fetched:
    """One completed response: its status, validators, and the body (JSON in memory, files on disk)."""

    status: int
    url: str
    etag: str = ""
    last_modified: str = ""
    body: bytes = b""
    path: Path | None = None
    size: int = 0
    sha256: str = ""
    retry_after: float | None = None


class GovukClient:
    """A small synchronous client; `sleep` is injectable so tests do not wait for real."""

    def __init__(
        self,
        *,
        timeout_s: float = 30.0,
        retries: int = 3,
        backoff_s: float = 1.0,
        max_retry_wait_s: float = 120.0,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.requests = 0
        self.waited_s = 0.0
        self._retries = max(0, retries)
        self._backoff = max(0.0, backoff_s)
        self._max_wait = max_retry_wait_s
        self._sleep = sleep
        self._http = httpx.Client(
            timeout=timeout_s, follow_redirects=True, headers={"User-Agent": USER_AGENT}, trust_env=False
        )

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> GovukClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(
        self,
        url: str,
        *,
        etag: str = "",
        last_modified: str = "",
        dest: Path | None = None,
        expected_size: int | None = None,
        pdf: bool = False,
    ) -> Fetched:
        """GET `url` (into `dest` when given). Returns 200, 304 or another 4xx as `Fetched`; raises
        FetchError when 429/5xx/network errors/truncation persist past the retries."""
        headers = {"Accept": "application/json" if dest is None else "*/*"}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        problem = ""
        for attempt in range(self._retries + 1):
            wait = self._backoff * (2**attempt)
            try:
                result = self._once(url, headers, dest, expected_size, pdf)
            except _Truncated as exc:
                problem = f"truncated download ({exc})"
            except httpx.TransportError as exc:
                problem = _describe(exc)
            else:
                if result.status == 429:
                    asked = result.retry_after
                    if asked is not None and asked > self._max_wait:
                        raise FetchError(url, f"rate limited (429): GOV.UK asks to wait {asked:.0f} s; try again later")
                    wait = asked if asked is not None else wait
                    problem = "rate limited (429)"
                elif result.status >= 500:
                    problem = f"server error (HTTP {result.status})"
                else:
                    return result
            if attempt < self._retries:
                self.waited_s += wait
                self._sleep(wait)
        raise FetchError(url, f"{problem} after {self._retries + 1} attempts")

    def _once(
        self, url: str, headers: dict[str, str], dest: Path | None, expected_size: int | None, pdf: bool
    ) -> Fetched:
        self.requests += 1
        with self._http.stream("GET", url, headers=headers) as response:
            fetched = Fetched(
                status=response.status_code,
                url=str(response.url),
                etag=response.headers.get("etag", ""),
                last_modified=response.headers.get("last-modified", ""),
            )
            if response.status_code != 200:
                fetched.body = response.read()[:65536]
                fetched.retry_after = _retry_after(response.headers.get("retry-after", ""))
                return fetched
            declared = response.headers.get("content-length")
            limit = MAX_JSON_BYTES if dest is None else MAX_FILE_BYTES
            digest = hashlib.sha256()
            chunks: list[bytes] = []
            handle = dest.open("wb") if dest is not None else None
            try:
                for chunk in response.iter_bytes():
                    digest.update(chunk)
                    fetched.size += len(chunk)
                    if fetched.size > limit:
                        raise FetchError(url, f"the response is larger than {limit >> 20} MB")
                    if handle is not None:
                        handle.write(chunk)
                    else:
                        chunks.append(chunk)
            finally:
                if handle is not None:
                    handle.close()
            raw_bytes = response.num_bytes_downloaded
        if declared and declared.isdigit() and raw_bytes != int(declared):
            raise _Truncated(f"received {raw_bytes} of {declared} bytes")
        if not declared and expected_size and fetched.size < expected_size:
            raise _Truncated(f"received {fetched.size} bytes; GOV.UK lists the file as {expected_size} bytes")
        if pdf and dest is not None:
            _check_pdf(dest)
        fetched.sha256 = digest.hexdigest()
        fetched.body = b"".join(chunks)
        fetched.path = dest
        return fetched


def _check_pdf(path: Path) -> None:
    """A whole PDF starts with %PDF and ends (give or take trailing bytes) with %%EOF."""
    with path.open("rb") as handle:
        head = handle.read(1024)
        handle.seek(max(0, path.stat().st_size - 2048))
        tail = handle.read()
    if not head.lstrip().startswith(b"%PDF"):
        raise _Truncated("not a PDF (no %PDF header)")
    if b"%%EOF" not in tail:
        raise _Truncated("the PDF has no end-of-file marker")


def _retry_after(header: str) -> float | None:
    """Seconds asked for by a Retry-After header (delay-seconds or an HTTP date); None when absent or bad."""
    header = header.strip()
    if header.isdigit():
        return float(header)
    if not header:
        return None
    try:
        when = email.utils.parsedate_to_datetime(header)
    except (TypeError, ValueError):
        return None
    return max(0.0, (when - datetime.now(UTC)).total_seconds())


def _describe(exc: httpx.TransportError) -> str:
    if isinstance(exc, httpx.RemoteProtocolError):
        return f"truncated download or broken connection ({exc})"
    if isinstance(exc, httpx.TimeoutException):
        return "timed out"
    return f"network error ({type(exc).__name__}: {exc})"
