"""Slack HTTP events mounted in the web app: `POST /slack/events` (events, slash command, interactivity).

Bolt verifies the `X-Slack-Signature` / `X-Slack-Request-Timestamp` headers with the signing secret
(unsigned, wrongly signed or stale (> 5 minutes) requests get 401). `App.dispatch` is blocking, so it runs
in the thread pool; it returns as soon as the listener acks and the answer is worked out in Bolt's executor.
"""

from __future__ import annotations

from fastapi import APIRouter, FastAPI, Request, Response
from slack_bolt import App, BoltRequest
from starlette.concurrency import run_in_threadpool

from assistant import Assistant
from bots.slack.app import build_slack_app
from settings import Settings
from storage import TranscriptStore

__all__ = ["slack_router", "mount_slack", "mount_slack_if_configured", "slack_configured"]


def slack_configured(settings: Settings) -> bool:
    """True when HTTP events can be served: a signing secret and a bot token."""
    return bool(settings.slack_signing_secret.get_secret_value() and settings.slack_bot_token.get_secret_value())


def slack_router(bolt_app: App, path: str = "/slack/events") -> APIRouter:
    """A router forwarding `POST {path}` to the Bolt app."""
    router = APIRouter()

    @router.post(path, include_in_schema=False)
    async def slack_events(request: Request) -> Response:
        body = await request.body()
        bolt_request = BoltRequest(
            body=body.decode("utf-8", errors="replace"),
            query=str(request.url.query),
            headers={k: v for k, v in request.headers.items()},
        )
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
    app.include_router(slack_router(bolt_app))
    return bolt_app


def mount_slack_if_configured(app: FastAPI) -> None:
    """Web app extension (`create_app(extensions=...)`): `POST /slack/events` when Slack is configured."""
    settings: Settings = app.state.settings
    if slack_configured(settings):
        mount_slack(app, settings, app.state.assistant, app.state.store)
