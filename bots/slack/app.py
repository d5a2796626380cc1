"""`build_slack_app(settings, assistant, store)`: the Bolt app of the Slack channel (Socket Mode or HTTP).

Every listener hands over to `SlackBot` (`bots.slack.bot`), which answers through the channel service.
Slack retries (`X-Slack-Retry-Num`, also mirrored by the Socket Mode adapter) are acknowledged and dropped
here; Bolt's and the Web API client's DEBUG logs (which would print payloads) are capped at INFO.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant import Assistant
from bots.slack import blocks
from bots.slack.auth import DeferredAuthorize
from bots.slack.bot import SlackBot
from bots.slack.text import clean_text
from settings import Settings
from storage import TranscriptStore

__all__ = ["build_slack_app", "ignore_retries", "make_client"]

log = logging.getLogger("vsh.slack")


def _quiet_logger(name: str) -> logging.Logger:
    """A logger that never emits DEBUG records, whose payload dumps could contain message text."""
    logger = logging.getLogger(name)
    if logger.level == logging.NOTSET or logger.level < logging.INFO:
        logger.setLevel(logging.INFO)
    return logger


def make_client(settings: Settings) -> WebClient:
    """The Web API client: the bot token and `settings.slack_api_url` (tests point it at loopback)."""
    return WebClient(
        token=settings.slack_bot_token.get_secret_value() or None,
        base_url=settings.slack_api_url,
        logger=_quiet_logger("vsh.slack.webapi"),
        timeout=30,
    )


def _retry_number(request: BoltRequest) -> int:
    """X-Slack-Retry-Num (Socket Mode mirrors `retry_attempt` into it, 0 for a first delivery)."""
    values = request.headers.get("x-slack-retry-num") or []
    try:
        return int(values[0]) if values else 0
    except ValueError:
        return 1


def ignore_retries(request: BoltRequest, next: Callable[[], None]) -> BoltResponse | None:
    """Slack retries an event it thinks we missed: acknowledge, never answer twice."""
    if _retry_number(request) > 0:
        reason = (request.headers.get("x-slack-retry-reason") or ["?"])[0]
        log.info("Slack retry acknowledged and ignored (reason: %s)", reason)
        return BoltResponse(status=200, body="")
    next()
    return None


def build_slack_app(
    settings: Settings,
    assistant: Assistant,
    store: TranscriptStore,
    *,
    client: WebClient | None = None,
) -> App:
    """The Bolt app (works for both Socket Mode and HTTP events). `app.bot` is the `SlackBot` behind it."""
    client = client or make_client(settings)
    bot = SlackBot(settings, assistant, store, client)
    app = App(
        # Bolt's own client carries no token: each request gets the one `authorize` returns
        client=WebClient(base_url=client.base_url, logger=client.logger, timeout=client.timeout),
        signing_secret=settings.slack_signing_secret.get_secret_value(),
        authorize=DeferredAuthorize(client).authorize(),  # an unreachable Slack API never gives a 500
        token_verification_enabled=False,  # no auth.test at start-up (tests, offline starts)
        process_before_response=False,  # ack first, then answer (Slack's 3-second limit)
        request_verification_enabled=True,
        raise_error_for_unhandled_request=False,
        logger=_quiet_logger("vsh.slack.bolt"),
    )
    app.middleware(ignore_retries)

    @app.event("app_mention")
    def on_mention(body: dict[str, Any], event: dict[str, Any]) -> None:
        bot.on_message_event(body, event)

    @app.event("message")
    def on_message(body: dict[str, Any], event: dict[str, Any]) -> None:
        if event.get("channel_type") != "im":
            return  # channel messages come in as app_mention
        if event.get("subtype") or event.get("bot_id") or event.get("edited"):
            return  # edits, deletions, joins, bot posts (our own included)
        bot.on_message_event(body, event)

    @app.command("/vsh")
    def on_command(ack: Callable[..., Any], command: dict[str, Any], respond: Callable[..., Any]) -> None:
        if not clean_text(str(command.get("text") or "")):
            ack(response_type="ephemeral", text=blocks.help_message()["text"] + " Usage: `/vsh your question`")
            return
        ack(response_type="ephemeral", text=f"{blocks.PLACEHOLDER} I'll answer in a thread in this channel.")
        bot.on_command(command, respond)

    def on_feedback(ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        """One click, one row; the message is updated to acknowledge it; 'Not helpful' opens the comment modal."""
        ack()
        transcript_id, helpful = blocks.read_feedback_value(
            str(action.get("action_id")), str(action.get("value") or "")
        )
        ok, row = bot.feedback(transcript_id, helpful)
        if not ok:
            bot.thank(body, "Sorry — I couldn't record that feedback.")
            return
        trigger_id = body.get("trigger_id")
        if not helpful and trigger_id:  # the trigger expires after 3 seconds: open the modal straight away
            try:
                client.views_open(trigger_id=trigger_id, view=blocks.feedback_modal(transcript_id, row))
            except SlackApiError as exc:
                log.warning("views.open failed: %s", exc.response.get("error"))
        bot.acknowledge(body, helpful)

    for action_id in (blocks.ACTION_FEEDBACK, blocks.ACTION_HELPFUL, blocks.ACTION_NOT_HELPFUL):
        app.action(action_id)(on_feedback)

    @app.view(blocks.FEEDBACK_MODAL_CALLBACK)
    def on_comment(ack: Callable[..., Any], view: dict[str, Any]) -> None:
        ack()
        transcript_id, _, row = str(view.get("private_metadata") or "").partition(":")
        values = (view.get("state") or {}).get("values") or {}
        comment = ((values.get(blocks.COMMENT_BLOCK) or {}).get(blocks.COMMENT_ACTION) or {}).get("value")
        if comment and comment.strip():
            bot.feedback(transcript_id, False, comment, update=True, feedback_id=int(row) if row.isdigit() else None)

    app.bot = bot  # type: ignore[attr-defined]
    return app
