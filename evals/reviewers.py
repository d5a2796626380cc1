"""Reviewer accounts for the /review pages: argon2-hashed passwords in the database."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import select

from evals.models import Reviewer
from settings import VshError
from storage import TranscriptStore

__all__ = [
    "ReviewerError",
    "add_reviewer",
    "end_sessions",
    "list_reviewers",
    "remove_reviewer",
    "session_version",
    "verify_reviewer",
]

_hasher = PasswordHasher()
MIN_PASSWORD = 10


class ReviewerError(VshError, ValueError):
    """A reviewer operation that cannot be done; the message says why."""


def add_reviewer(store: TranscriptStore, username: str, password: str) -> None:
    """Create an account (or reset the password of an existing one, which ends its sessions)."""
    username = username.strip().lower()
    if not username or len(username) > 100 or not username.replace("-", "").replace(".", "").replace("_", "").isalnum():
        raise ReviewerError("usernames are letters, digits, '.', '-' or '_' (at most 100)")
    if len(password) < MIN_PASSWORD:
        raise ReviewerError(f"passwords need at least {MIN_PASSWORD} characters")
    store.migrate()
    with store.session() as session:
        existing = session.scalar(select(Reviewer).where(Reviewer.username == username))
        if existing is None:
            session.add(Reviewer(username=username, password_hash=_hasher.hash(password), active=True))
        else:
            existing.password_hash = _hasher.hash(password)
            existing.active = True
            existing.session_version += 1


def remove_reviewer(store: TranscriptStore, username: str) -> None:
    """Deactivate an account and end its sessions at once (its annotations stay attributed to it)."""
    with store.session() as session:
        existing = session.scalar(select(Reviewer).where(Reviewer.username == username.strip().lower()))
        if existing is None:
            raise ReviewerError(f"no reviewer called {username!r}")
        existing.active = False
        existing.session_version += 1


def session_version(store: TranscriptStore, username: str) -> int | None:
    """The session version of an active account (part of its session cookies); None when the account is
    unknown or removed, so that no cookie of it is accepted."""
    with store.session() as session:
        reviewer = session.scalar(select(Reviewer).where(Reviewer.username == username.strip().lower()))
        return reviewer.session_version if reviewer is not None and reviewer.active else None


def end_sessions(store: TranscriptStore, username: str) -> None:
    """Revoke every session cookie of the account (logout: on every device)."""
    with store.session() as session:
        reviewer = session.scalar(select(Reviewer).where(Reviewer.username == username.strip().lower()))
        if reviewer is not None:
            reviewer.session_version += 1


def list_reviewers(store: TranscriptStore) -> list[tuple[str, bool]]:
    """(username, active) for every account."""
    with store.session() as session:
        return [(r.username, r.active) for r in session.scalars(select(Reviewer).order_by(Reviewer.username))]


def verify_reviewer(store: TranscriptStore, username: str, password: str) -> bool:
    """True when the account exists, is active and the password matches."""
    with store.session() as session:
        reviewer = session.scalar(select(Reviewer).where(Reviewer.username == username.strip().lower()))
        stored = reviewer.password_hash if reviewer is not None and reviewer.active else None
    if stored is None:
        _hasher.hash(password)  # same work either way: no user-enumeration by timing
        return False
    try:
        return _hasher.verify(stored, password)
    except (VerificationError, InvalidHashError):
        return False
