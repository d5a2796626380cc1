"""Slack HTTP events mounted in the web app: `POST /slack/events` (events, slash command, interactivity).

The `X-Slack-Signature` / `X-Slack-Request-Timestamp` headers are checked with the signing secret before the
body is parsed: unsigned, wrongly signed, stale (> 5 minutes) or non-numeric-timestamp requests get 401, and
a signed body that cannot be parsed gets 400, each with one log line and no traceback. Bolt checks the
signature again. `App.dispatch` is blocking, so it runs in the thread pool; it returns as soon as the listener
acks and the answer is worked out in Bolt's executor. An unreachable Slack Web API does not stop the ack
(see `bots.slack.auth`).
"""

from __future__ import annotations

import logging

from fastapi import APIRouter, FastAPI, Request, Response
from fastapi.responses import JSONResponse
from slack_bolt import App, BoltRequest
from slack_sdk.signature import SignatureVerifier
from starlette.concurrency import run_in_threadpool

from assistant import Assistant
from bots.slack.app import build_slack_app
from settings import Settings
from storage import TranscriptStore

__all__ = ["slack_router", "mount_slack", "mount_slack_if_configured", "slack_configured"]

log = logging.getLogger("vsh.slack")


def slack_configured(settings: Settings) -> bool:
    """True when HTTP events can be served: a signing secret and a bot token."""
    return bool(settings.slack_signing_secret.get_secret_value() and settings.slack_bot_token.get_secret_value())


def _signed(verifier: SignatureVerifier, body: bytes, timestamp: str | None, signature: str | None) -> bool:
    """True when the request carries a fresh, valid Slack signature (malformed headers are just invalid)."""
    if not timestamp or not signature or not timestamp.strip().isdigit():
        return False
    try:
        return verifier.is_valid(body=body, timestamp=timestamp.strip(), signature=signature)
    except (ValueError, TypeError):
        return False


def _check_shape(body: dict[str, object]) -> None:
    """TypeError for a body whose parts Bolt reads without checking them (it would answer 500 with a
    traceback): `event` and `view` are objects, a view has a `type`, `actions` is a list of objects."""
    event, view, actions = body.get("event", {}), body.get("view", {}), body.get("actions", [])
    if not isinstance(event, dict) or not isinstance(view, dict) or ("view" in body and "type" not in view):
        raise TypeError("the event or view is not a Slack object")
    if not isinstance(actions, list) or not all(isinstance(action, dict) for action in actions):
        raise TypeError("the actions are not a list of Slack objects")


def slack_router(bolt_app: App, signing_secret: str, path: str = "/slack/events") -> APIRouter:
    """A router forwarding signed `POST {path}` requests to the Bolt app."""
    router = APIRouter()

    verifier = SignatureVerifier(signing_secret)

    @router.post(path, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        if not _signed(
            verifier, body, request.headers.get("x-slack-request-timestamp"), request.headers.get("x-slack-signature")
        ):
            log.warning("Slack events: refused a request without a valid signature")
            return JSONResponse({"error": "invalid_signature"}, status_code=401)
        try:
            bolt_request = BoltRequest(
                body=body.decode("utf-8"),
                query=str(request.url.query),
                headers={k: v for k, v in request.headers.items()},
            )
            if not isinstance(bolt_request.body, dict):
                raise TypeError("the body is not a JSON object or a form")
            _check_shape(bolt_request.body)
        except (ValueError, TypeError, KeyError, AttributeError) as exc:  # signed but malformed
            log.warning("Slack events: a signed request could not be parsed (%s)", type(exc).__name__)
            return JSONResponse({"error": "malformed_request"}, status_code=400)
        bolt_response = await run_in_threadpool(bolt_app.dispatch, bolt_request)
        return Response(
            status_code=bolt_response.status,
            content=bolt_response.body,
            headers=bolt_response.first_headers_without_set_cookie(),
        )

    return router


def mount_slack(app: FastAPI, settings: Settings, assistant: Assistant, store: TranscriptStore) -> App:
    """Build the Bolt app on the web app's assistant and store and mount `/slack/events`."""
    bolt_app = build_slack_app(settings, assistant, store)
    app.state.slack_app = bolt_app
    app.include_router(slack_router(bolt_app, settings.slack_signing_secret.get_secret_value()))
    return bolt_app


def mount_slack_if_configured(app: FastAPI) -> None:
    """Web app extension (`create_app(extensions=...)`): `POST /slack/events` when Slack is configured."""
    settings: Settings = app.state.settings
    if slack_configured(settings):
        mount_slack(app, settings, app.state.assistant, app.state.store)
