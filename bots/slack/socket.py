"""`vsh slack`: the bot over Socket Mode (an outgoing websocket; no public URL needed)."""

from __future__ import annotations

import logging

from settings import Settings, VshError, get_settings

__all__ = ["run_socket_mode", "SlackNotConfigured"]

log = logging.getLogger("vsh.slack")


class SlackNotConfigured(VshError, RuntimeError):
    """A token is missing: the message says which."""


def run_socket_mode(settings: Settings | None = None) -> None:
    """Connect with the app-level token and answer until interrupted."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    from assistant import Assistant
    from bots.slack.app import build_slack_app
    from storage import TranscriptStore, approved_answers_for

    settings = settings or get_settings()
    missing = [
        name
        for name, value in (
            ("VSH_SLACK_BOT_TOKEN", settings.slack_bot_token),
            ("VSH_SLACK_APP_TOKEN", settings.slack_app_token),
        )
        if not value.get_secret_value()
    ]
    if missing:
        raise SlackNotConfigured(
            f"Set {' and '.join(missing)} (see bots/slack/README.md): the bot token starts with xoxb-, "
            "the app-level token (scope connections:write) with xapp-."
        )
    store = TranscriptStore(settings.resolved_database_url)
    try:
        store.migrate()
    except Exception as exc:  # records are queued until the database comes back
        log.error("database migration failed on %s: %s", store.safe_url, type(exc).__name__)
    store.start_flusher()
    assistant = Assistant(settings, approved=approved_answers_for(settings, store))
    try:
        assistant.warm()
    except Exception as exc:  # answered with an apology per question until the index exists
        log.error("the guidance index could not be opened (%s); run `vsh ingest`", type(exc).__name__)
    app = build_slack_app(settings, assistant, store)
    handler = SocketModeHandler(app, settings.slack_app_token.get_secret_value())
    try:
        handler.start()
    finally:
        store.close()
