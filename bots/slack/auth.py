"""`DeferredAuthorize`: Bolt's `authorize` for our one workspace, which never lets an unreachable Slack API
turn an incoming event into a 500.

Bolt's default single-workspace authorization calls `auth.test` before the first listener runs; if Slack's
Web API cannot be reached (network down, DNS, a timeout), that call raises and every signed event gets 500,
so Slack's retries fail too. Here `auth.test` is tried with a short timeout; when it fails the request is
still authorized with the bot token (without the bot's user id), the failure is logged once, and `auth.test`
is tried again after `retry_s` seconds. Once it succeeds its result is kept.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from typing import Any

from slack_bolt.authorization import AuthorizeResult
from slack_sdk import WebClient

__all__ = ["DeferredAuthorize"]

log = logging.getLogger("vsh.slack")


class DeferredAuthorize:
    """A Bolt `authorize` callable (see the module docstring)."""

    def __init__(self, client: WebClient, *, timeout_s: float = 3.0, retry_s: float = 60.0) -> None:
        self.token = client.token or ""
        self._probe = WebClient(
            token=client.token, base_url=client.base_url, timeout=int(max(1, timeout_s)), logger=client.logger
        )
        self.retry_s = retry_s
        self._known: dict[str, Any] | None = None
        self._next_try = 0.0
        self._failing = False
        self._lock = threading.Lock()

    def _auth_test(self) -> dict[str, Any] | None:
        with self._lock:
            if self._known is not None or time.monotonic() < self._next_try:
                return self._known
            try:
                self._known = dict(self._probe.auth_test().data)  # type: ignore[arg-type]
            except Exception as exc:  # network errors and API errors alike: answer without it, retry later
                self._next_try = time.monotonic() + self.retry_s
                if not self._failing:
                    log.warning(
                        "Slack auth.test failed (%s); events are still acknowledged, retrying in %.0f s",
                        type(exc).__name__,
                        self.retry_s,
                    )
                self._failing = True
                return None
            if self._failing:
                log.info("Slack auth.test works again")
            self._failing = False
            return self._known

    def authorize(self) -> Callable[..., AuthorizeResult]:
        """The function to pass as `App(authorize=...)` (Bolt reads its argument names)."""

        def authorize(enterprise_id: str | None, team_id: str | None, user_id: str | None) -> AuthorizeResult:
            known = self._auth_test() or {}
            return AuthorizeResult(
                enterprise_id=enterprise_id,
                team_id=team_id or known.get("team_id"),
                user_id=user_id,
                bot_token=self.token,
                bot_id=known.get("bot_id"),
                bot_user_id=known.get("user_id"),
            )

        return authorize
