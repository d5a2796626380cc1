"""`build_slack_app(settings, assistant, store)`: the Bolt app of the Slack channel.

Questions arrive as @mentions (`app_mention`), direct messages (`message`, channel_type "im") and the
`/vsh` slash command. Every answer goes in a thread, so that follow-ups in the thread are turns of one
conversation (`slack:{team}:{channel}:{thread_ts}`) whose history is rebuilt from the transcript store.

Within Slack's 3-second limit: events are acknowledged by Bolt before the listener runs
(`process_before_response=False`), the listener posts a "Looking that up…" placeholder in the thread and
replaces it (`chat.update`) with the answer. The slash command acks at once with a short ephemeral text.

Retries (`X-Slack-Retry-Num`, also mirrored by the Socket Mode adapter) are acknowledged and dropped, and
each message is answered once: its event id and its message key are remembered in memory and the key is
stored as the transcript's `external_ref` (checked with `store.has_external_ref` across restarts).

Personal data: the question text is never logged (only ids); the assistant redacts the question before it
is stored; Bolt's and the Web API client's DEBUG logs (which would print payloads) are capped at INFO.
"""

from __future__ import annotations

import html
import logging
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_bolt import App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant import Answer, Assistant, Conversation
from assistant.redaction import redact
from bots.slack import blocks
from bots.web.metrics import ANSWER_SECONDS, ANSWERS, DECLINES
from settings import Settings
from storage import TranscriptStore

__all__ = ["build_slack_app", "SlackBot", "conversation_id", "clean_text", "make_client"]

log = logging.getLogger("vsh.slack")

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<![^>]*>")
_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")
_BARE = re.compile(r"<((?:https?|mailto|tel):[^<>]*)>")

INDEX_MISSING = "the guidance index is not available (an administrator needs to rebuild it with `vsh ingest`)."
INTERNAL = "something went wrong on our side (the error has been logged)."


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


def conversation_id(team: str, channel: str, thread_ts: str) -> str:
    """The conversation of a Slack thread: `slack:{team}:{channel}:{thread_ts}`."""
    return f"slack:{team}:{channel}:{thread_ts}"


def clean_text(text: str) -> str:
    """Slack message markup to plain text: drop user mentions and @here, unwrap links, unescape &<>."""
    text = _MENTION.sub(" ", text or "")
    text = _CHANNEL.sub(r"#\1", text)
    text = _SPECIAL.sub(" ", text)
    text = _LINK.sub(r"\2", text)
    text = _BARE.sub(lambda m: re.sub(r"^(mailto|tel):", "", m.group(1)), text)
    text = html.unescape(text)
    return re.sub(r"\s+", " ", text).strip()


def _index_errors() -> tuple[type[BaseException], ...]:
    try:
        from index import IndexUnavailable

        return (IndexUnavailable, FileNotFoundError)
    except ImportError:  # pragma: no cover - the index package is always there in a full install
        return (FileNotFoundError,)


class _Seen:
    """A bounded, thread-safe set of keys already handled (event ids, message keys)."""

    def __init__(self, size: int = 10_000) -> None:
        self._keys: OrderedDict[str, None] = OrderedDict()
        self._size = size
        self._lock = threading.Lock()

    def claim(self, *keys: str) -> bool:
        """True the first time any of `keys` is seen (and remember them all); False for a repeat."""
        keys = tuple(k for k in keys if k)
        with self._lock:
            if any(k in self._keys for k in keys):
                return False
            for k in keys:
                self._keys[k] = None
            while len(self._keys) > self._size:
                self._keys.popitem(last=False)
            return True


class SlackBot:
    """The answer pipeline of the Slack channel, independent of how events arrive (HTTP or Socket Mode)."""

    def __init__(
        self,
        settings: Settings,
        assistant: Assistant,
        store: TranscriptStore,
        client: WebClient,
        *,
        compute_slots: int = 2,
    ) -> None:
        self.settings = settings
        self.assistant = assistant
        self.store = store
        self.client = client
        self.seen = _Seen()
        self._compute = threading.BoundedSemaphore(max(1, compute_slots))

    # --- dedupe -------------------------------------------------------------------------------------

    def first_time(self, event_id: str, message_ref: str) -> bool:
        """False when this event or message was already handled (in memory, or stored as external_ref)."""
        if not self.seen.claim(event_id, message_ref):
            return False
        try:
            if message_ref and self.store.has_external_ref(message_ref):
                return False
        except Exception as exc:  # storage trouble must not stop the answer
            log.error("dedupe check failed: %s", type(exc).__name__)
        return True

    # --- the pipeline -------------------------------------------------------------------------------

    def _conversation(self, conv_id: str) -> Conversation:
        try:
            stored = self.store.conversation(conv_id)
        except Exception as exc:
            log.error("conversation history unavailable (%s); answering without context", type(exc).__name__)
            stored = None
        return stored or Conversation(id=conv_id)

    def answer(self, question: str, conv: Conversation) -> Answer:
        t0 = time.perf_counter()
        with self._compute:
            answer = self.assistant.ask(question, conv)
        ANSWER_SECONDS.labels(channel="slack").observe(time.perf_counter() - t0)
        ANSWERS.labels(channel="slack").inc()
        if answer.declined:
            DECLINES.labels(channel="slack").inc()
        return answer

    def answer_in_thread(
        self,
        *,
        team: str,
        channel: str,
        thread_ts: str,
        question: str,
        external_ref: str | None,
    ) -> str | None:
        """Post the placeholder in the thread, answer, store the transcript, replace the placeholder.

        Returns the transcript id (None when no answer could be given; the user then sees an apology).
        """
        conv_id = conversation_id(team, channel, thread_ts)
        placeholder_ts: str | None = None
        try:
            resp = self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **blocks.placeholder_message())
            placeholder_ts = resp.get("ts")
        except SlackApiError as exc:
            log.error("could not post the placeholder in %s: %s", channel, exc.response.get("error"))

        transcript_id: str | None = None
        try:
            conv = self._conversation(conv_id)
            answer = self.answer(question, conv)
            resolved = conv.last.resolved_question if conv.last else None
            try:
                transcript_id = self.store.record(
                    answer,
                    channel="slack",
                    conversation_id=conv_id,
                    external_ref=external_ref,
                    resolved_question=resolved,
                )
            except Exception as exc:  # the answer still goes out; feedback buttons need a transcript
                log.error("could not store the Slack transcript: %s", type(exc).__name__)
            message = blocks.answer_message(answer, transcript_id=transcript_id, base_url=self.settings.public_base_url)
            log.info(
                "answered conversation=%s transcript=%s declined=%s citations=%d redactions=%s",
                conv_id,
                transcript_id,
                answer.declined,
                len(answer.citations),
                ",".join(answer.redactions) or "-",
            )
        except _index_errors() as exc:
            log.error("Slack question failed: index unavailable (%s)", type(exc).__name__)
            message = blocks.error_message(INDEX_MISSING[0].upper() + INDEX_MISSING[1:])
        except Exception as exc:
            log.error("Slack question failed: %s", type(exc).__name__, exc_info=exc)
            message = blocks.error_message(INTERNAL[0].upper() + INTERNAL[1:])
        self._deliver(channel, thread_ts, placeholder_ts, message)
        return transcript_id

    def _deliver(self, channel: str, thread_ts: str, placeholder_ts: str | None, message: dict[str, Any]) -> None:
        if placeholder_ts:
            try:
                self.client.chat_update(channel=channel, ts=placeholder_ts, **message)
                return
            except SlackApiError as exc:
                log.error("chat.update failed in %s: %s; posting instead", channel, exc.response.get("error"))
        try:
            self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **message)
        except SlackApiError as exc:
            log.error("could not post the answer in %s: %s", channel, exc.response.get("error"))

    # --- entry points -------------------------------------------------------------------------------

    def on_message_event(self, body: dict[str, Any], event: dict[str, Any]) -> None:
        """An @mention or a DM: answer in the thread of the message (or the thread it is already in)."""
        team = str(body.get("team_id") or event.get("team") or "")
        channel = str(event.get("channel") or "")
        ts = str(event.get("ts") or "")
        thread_ts = str(event.get("thread_ts") or ts)
        message_ref = f"slack:{team}:{channel}:{ts}"
        if not channel or not ts:
            return
        if not self.first_time(str(body.get("event_id") or ""), message_ref):
            log.info("duplicate delivery of %s ignored", message_ref)
            return
        question = clean_text(str(event.get("text") or ""))
        if not question:
            self._post(channel, thread_ts, blocks.help_message())
            return
        self.answer_in_thread(
            team=team, channel=channel, thread_ts=thread_ts, question=question, external_ref=message_ref
        )

    def on_command(self, command: dict[str, Any], respond: Callable[..., Any]) -> None:
        """`/vsh question`: a parent message in the channel (question redacted), the answer in its thread."""
        team = str(command.get("team_id") or "")
        channel = str(command.get("channel_id") or "")
        user = str(command.get("user_id") or "")
        question = clean_text(str(command.get("text") or ""))
        ref = f"slack:{team}:command:{command.get('trigger_id') or ''}"
        if not self.first_time("", ref):
            return
        shown = redact(question).text
        asker = f"<@{user}> asked" if user else "Question"
        parent: dict[str, Any] = {
            "text": f"{asker}: {shown}",
            "blocks": [
                {
                    "type": "section",
                    "text": {"type": "mrkdwn", "text": f":mag: {asker}: {blocks.escape(shown)}"[:3000]},
                }
            ],
        }
        try:
            resp = self.client.chat_postMessage(channel=channel, **parent)
        except SlackApiError as exc:
            log.error("could not post in %s: %s", channel, exc.response.get("error"))
            respond(
                response_type="ephemeral",
                text="I can't post in this channel. Invite me (`/invite @VSH Guidance`) or send me a direct message.",
            )
            return
        self.answer_in_thread(
            team=team,
            channel=str(resp.get("channel") or channel),
            thread_ts=str(resp.get("ts")),
            question=question,
            external_ref=ref,
        )

    def _post(self, channel: str, thread_ts: str, message: dict[str, Any]) -> None:
        try:
            self.client.chat_postMessage(channel=channel, thread_ts=thread_ts, **message)
        except SlackApiError as exc:
            log.error("could not post in %s: %s", channel, exc.response.get("error"))

    def feedback(self, transcript_id: str, helpful: bool, comment: str | None = None) -> bool:
        """Store feedback (the comment redacted). False when the transcript is unknown or storage failed."""
        clean = redact(comment.strip()).text if comment and comment.strip() else None
        try:
            self.store.add_feedback(transcript_id, helpful, clean, channel="slack")
        except KeyError:
            log.warning("feedback on unknown transcript %s", transcript_id)
            return False
        except Exception as exc:
            log.error("could not store Slack feedback: %s", type(exc).__name__)
            return False
        log.info("feedback transcript=%s helpful=%s comment=%s", transcript_id, helpful, bool(clean))
        return True

    def thank(self, body: dict[str, Any], text: str) -> None:
        """An ephemeral note to the user who clicked, in the thread of the answer."""
        channel = (body.get("channel") or {}).get("id") or (body.get("container") or {}).get("channel_id")
        user = (body.get("user") or {}).get("id")
        message = body.get("message") or {}
        if not channel or not user:
            return
        try:
            self.client.chat_postEphemeral(
                channel=channel, user=user, text=text, thread_ts=message.get("thread_ts") or message.get("ts")
            )
        except SlackApiError as exc:
            log.warning("chat.postEphemeral failed: %s", exc.response.get("error"))


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
        client=client,
        signing_secret=settings.slack_signing_secret.get_secret_value(),
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

    @app.action(blocks.ACTION_HELPFUL)
    def on_helpful(ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        if bot.feedback(str(action.get("value") or ""), True):
            bot.thank(body, "Thanks for your feedback.")
        else:
            bot.thank(body, "Sorry — I couldn't record that feedback.")

    @app.action(blocks.ACTION_NOT_HELPFUL)
    def on_not_helpful(ack: Callable[..., Any], body: dict[str, Any], action: dict[str, Any]) -> None:
        ack()
        transcript_id = str(action.get("value") or "")
        trigger_id = body.get("trigger_id")
        if trigger_id:  # open the modal first: the trigger expires after 3 seconds
            try:
                client.views_open(trigger_id=trigger_id, view=blocks.feedback_modal(transcript_id))
            except SlackApiError as exc:
                log.warning("views.open failed: %s", exc.response.get("error"))
        if not bot.feedback(transcript_id, False):
            bot.thank(body, "Sorry — I couldn't record that feedback.")

    @app.view(blocks.FEEDBACK_MODAL_CALLBACK)
    def on_comment(ack: Callable[..., Any], view: dict[str, Any]) -> None:
        ack()
        transcript_id = str(view.get("private_metadata") or "")
        values = (view.get("state") or {}).get("values") or {}
        comment = ((values.get(blocks.COMMENT_BLOCK) or {}).get(blocks.COMMENT_ACTION) or {}).get("value")
        if comment and comment.strip():
            bot.feedback(transcript_id, False, comment)

    app.bot = bot  # type: ignore[attr-defined]
    return app
