"""Signing in to the /review pages: sessions that can be revoked, and login throttling.

Sessions: a signed cookie (itsdangerous, keyed by `settings.session_secret` or a random secret kept in the
data directory) holding the reviewer, a CSRF token and the account's *session version*. Every request
checks that version against the database: logout, `vsh users remove` and a password reset bump it, so every
cookie issued before stops working at once (a stolen cookie included). Cookies also expire after 8 hours.

Throttling: failed logins are counted per account and per client address over `login_lockout_s`; after
`login_max_failures` (account) or `login_max_failures_per_client` (client) failures, logins are refused with
429 and Retry-After until the window has passed, even with the right password. The counts are in memory,
per process (a restart forgets them).
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import urlencode, urlsplit

from fastapi import APIRouter, Depends, Form, HTTPException, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool

from bots.web.deps import client_key
from bots.web.ratelimit import SlidingWindowLimiter
from evals.reviewers import end_sessions, session_version, verify_reviewer
from storage import TranscriptStore

__all__ = [
    "SESSION_COOKIE",
    "SESSION_MAX_AGE",
    "LoginThrottle",
    "Session",
    "auth_router",
    "check_csrf",
    "reviewer_session",
    "reviewer_session_api",
    "session_secret",
]

SESSION_COOKIE = "vsh_review"
SESSION_MAX_AGE = 8 * 3600
templates = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))
auth_router = APIRouter(prefix="/review", include_in_schema=False)


def session_secret(settings: Any) -> str:
    """The configured secret, else one generated once and kept in the data directory."""
    configured = settings.session_secret.get_secret_value()
    if configured:
        return str(configured)
    path = Path(settings.data_dir) / "session_secret"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(secrets.token_urlsafe(32), encoding="utf-8")
        path.chmod(0o600)
    return path.read_text(encoding="utf-8").strip()


class LoginThrottle:
    """Failed logins per account and per client over a sliding window (see the module docstring)."""

    def __init__(self, per_account: int, per_client: int, window: float) -> None:
        self.accounts = SlidingWindowLimiter(per_account, window)
        self.clients = SlidingWindowLimiter(per_client, window)

    def wait(self, account: str, client: str) -> float:
        """Seconds before this account may try from this client (0 = now)."""
        return max(self.accounts.wait(account), self.clients.wait(client))

    def failed(self, account: str, client: str) -> None:
        self.accounts.record(account)
        self.clients.record(client)

    def succeeded(self, account: str) -> None:
        self.accounts.clear(account)


def _throttle(request: Request) -> LoginThrottle:
    state = request.app.state
    throttle = getattr(state, "login_throttle", None)
    if throttle is None:
        s = state.settings
        throttle = LoginThrottle(s.login_max_failures, s.login_max_failures_per_client, s.login_lockout_s)
        state.login_throttle = throttle
    return throttle


def _serializer(request: Request) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(session_secret(request.app.state.settings), salt="vsh-review-session")


def _store(request: Request) -> TranscriptStore:
    store: TranscriptStore = request.app.state.store
    return store


def _session(request: Request) -> dict[str, Any] | None:
    token = request.cookies.get(SESSION_COOKIE)
    if not token:
        return None
    try:
        data = _serializer(request).loads(token, max_age=SESSION_MAX_AGE)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or "user" not in data or "v" not in data:
        return None  # cookies from before session versions carry no "v": sign in again
    if session_version(_store(request), str(data["user"])) != data["v"]:
        return None  # logged out, removed or password reset since the cookie was issued
    return data


def reviewer_session(request: Request) -> dict[str, Any]:
    """Dependency for pages: the session, or a 303 redirect to the login page."""
    session = _session(request)
    if session is None:
        target = f"/review/login?{urlencode({'next': _return_to(request)})}"
        raise HTTPException(status_code=303, headers={"Location": target})
    return session


def _return_to(request: Request) -> str:
    """Where signing in leads back to: the page asked for, or, for a form sent after the session ended, the
    page the form was on (a POST-only address would answer 405 to the browser's GET)."""
    if request.method in ("GET", "HEAD"):
        return request.url.path + (f"?{request.url.query}" if request.url.query else "")
    referer = urlsplit(request.headers.get("referer", ""))
    if referer.netloc == request.url.netloc and referer.path.startswith("/review"):
        return referer.path + (f"?{referer.query}" if referer.query else "")
    return "/review"


def reviewer_session_api(request: Request) -> dict[str, Any]:
    """Dependency for downloads: the session, or 401."""
    session = _session(request)
    if session is None:
        raise HTTPException(status_code=401, detail="Log in at /review/login to export transcripts.")
    return session


Session = Annotated[dict[str, Any], Depends(reviewer_session)]


def check_csrf(session: dict[str, Any], token: str) -> None:
    """403 unless `token` is the session's CSRF token."""
    if not secrets.compare_digest(str(session.get("csrf", "")), token or ""):
        raise HTTPException(status_code=403, detail="The form has expired; reload the page and try again.")


def _safe_next(target: str) -> str:
    return target if target.startswith("/review") and "//" not in target and "\\" not in target else "/review"


def _login_page(
    request: Request, next: str, error: str, status_code: int, headers: dict[str, str] | None = None
) -> HTMLResponse:
    context = {"next": _safe_next(next), "error": error}
    return templates.TemplateResponse(request, "review_login.html", context, status_code=status_code, headers=headers)


@auth_router.get("/login", response_class=HTMLResponse)
def login_form(request: Request, next: str = "/review") -> HTMLResponse:
    return _login_page(request, next, "", 200)


@auth_router.post("/login")
async def login(
    request: Request,
    username: Annotated[str, Form()],
    password: Annotated[str, Form()],
    next: Annotated[str, Form()] = "/review",
) -> Response:
    account = username.strip().lower()
    client = client_key(request)
    throttle = _throttle(request)
    wait = throttle.wait(account, client)
    if wait:
        retry = SlidingWindowLimiter.retry_after_header(wait)
        message = f"Too many failed sign-ins. Try again in {int(retry) // 60 + 1} minutes."
        return _login_page(request, next, message, 429, {"Retry-After": retry})
    if not await run_in_threadpool(verify_reviewer, _store(request), username, password):
        throttle.failed(account, client)
        return _login_page(request, next, "The username or password is not right.", 401)
    throttle.succeeded(account)
    version = await run_in_threadpool(session_version, _store(request), account)
    token = _serializer(request).dumps({"user": account, "csrf": secrets.token_urlsafe(16), "v": version})
    response = RedirectResponse(_safe_next(next), status_code=303)
    response.set_cookie(
        SESSION_COOKIE,
        token,
        max_age=SESSION_MAX_AGE,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/review",
    )
    return response


@auth_router.post("/logout")
def logout(request: Request, session: Session, csrf: Annotated[str, Form()]) -> Response:
    """End the session: every cookie of this reviewer stops working, on every device."""
    check_csrf(session, csrf)
    end_sessions(_store(request), str(session["user"]))
    response = RedirectResponse("/review/login", status_code=303)
    response.delete_cookie(SESSION_COOKIE, path="/review")
    return response
