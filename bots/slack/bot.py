"""`SlackBot`: the Slack channel's side of the answer pipeline, whichever way events arrive (HTTP or Socket Mode).

Questions arrive as @mentions (`app_mention`), direct messages (`message`, channel_type "im") and the
`/vsh` slash command. Every answer goes in a thread, so that follow-ups in the thread are turns of one
conversation (`slack:{team}:{channel}:{thread_ts}`) whose history is rebuilt from the transcript store.

Within Slack's 3-second limit: events are acknowledged by Bolt before the listener runs
(`process_before_response=False`), the listener posts a "Looking that up…" placeholder in the thread and
replaces it (`chat.update`) with the answer. The slash command acks at once with a short ephemeral text.

Retries (`X-Slack-Retry-Num`, also mirrored by the Socket Mode adapter) are acknowledged and dropped, and
each message is answered once, across every process sharing the database (replicas): its event id and its
message key are claimed in the database (`store.claim_delivery`, a primary key: the first process to insert
them answers, any other delivery is dropped), after a quick check in this process's memory; the key is also
stored as the transcript's `external_ref`.

Personal data: the question text is never logged (only ids); the assistant redacts the question before it
is stored; Bolt's and the Web API client's DEBUG logs (which would print payloads) are capped at INFO.
"""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from assistant import Assistant
from assistant.redaction import redact
from bots.service import ChannelService
from bots.slack import blocks
from bots.slack.text import clean_text, conversation_id
from index import IndexUnavailable
from settings import Settings
from storage import TranscriptStore

__all__ = ["SlackBot"]

log = logging.getLogger("vsh.slack")

INTERNAL = "Something went wrong on our side (the error has been logged)."


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
        self.store = store
        self.client = client
        self.seen = _Seen()
        self.service = ChannelService(settings, assistant, store, channel="slack", compute_slots=max(1, compute_slots))

    # --- dedupe -------------------------------------------------------------------------------------

    def first_time(self, event_id: str, message_ref: str) -> bool:
        """False when this event or message was already handled, by this process (memory) or any process
        sharing the database (a delivery claim, or a transcript stored with this external_ref)."""
        if not self.seen.claim(event_id, message_ref):
            return False
        try:
            if not self.store.claim_delivery(*(f"slack-event:{event_id}" if event_id else "", message_ref)):
                return False
            if message_ref and self.store.has_external_ref(message_ref):
                return False
        except Exception as exc:  # storage trouble must not stop the answer
            log.error("dedupe check failed: %s", type(exc).__name__)
        return True

    # --- the pipeline -------------------------------------------------------------------------------

    def answer_in_thread(
        self,
        *,
        team: str,
        channel: str,
        thread_ts: str,
        question: str,
        external_ref: str | None,
    ) -> str | None:
        """Post the placeholder in the thread, answer (through the channel service, which stores the transcript),
        replace the placeholder.

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
            exchange = self.service.ask(question, conv_id, create=True, external_ref=external_ref)
            answer, transcript_id = exchange.answer, exchange.transcript_id
            message = blocks.answer_message(answer, transcript_id=transcript_id, base_url=self.settings.public_base_url)
            log.info(
                "answered conversation=%s transcript=%s declined=%s citations=%d redactions=%s",
                conv_id,
                transcript_id,
                answer.declined,
                len(answer.citations),
                ",".join(answer.redactions) or "-",
            )
        except IndexUnavailable as exc:
            log.error("Slack question failed: index unavailable (%s)", type(exc).__name__)
            message = blocks.error_message(f"The guidance index is not available. {exc.hint}")
        except Exception as exc:
            log.error("Slack question failed: %s", type(exc).__name__, exc_info=exc)
            message = blocks.error_message(INTERNAL)
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

    def feedback(
        self,
        transcript_id: str,
        helpful: bool,
        comment: str | None = None,
        *,
        update: bool = False,
        feedback_id: int | None = None,
    ) -> tuple[bool, int | None]:
        """Store one click (or, with `update`, the comment on it; see `ChannelService.feedback`), the comment
        redacted. (False, None) when the transcript is unknown or storage failed; else (True, row id or None)."""
        try:
            row = self.service.feedback(transcript_id, helpful, comment, update=update, feedback_id=feedback_id)
        except KeyError:
            log.warning("feedback on unknown transcript %s", transcript_id)
            return False, None
        except Exception as exc:
            log.error("could not store Slack feedback: %s", type(exc).__name__)
            return False, None
        log.info(
            "feedback transcript=%s helpful=%s comment=%s", transcript_id, helpful, bool(comment and comment.strip())
        )
        return True, row

    def acknowledge(self, body: dict[str, Any], helpful: bool) -> None:
        """Update the answer so its feedback buttons become a thank-you (an ephemeral note if it cannot be)."""
        container = body.get("container") or {}
        message = body.get("message") or {}
        channel = container.get("channel_id") or (body.get("channel") or {}).get("id")
        ts = container.get("message_ts") or message.get("ts")
        user = str((body.get("user") or {}).get("id") or "")
        if channel and ts and message.get("blocks"):
            try:
                self.client.chat_update(
                    channel=channel,
                    ts=ts,
                    text=str(message.get("text") or "Answer"),
                    blocks=blocks.feedback_acknowledged(list(message["blocks"]), user, helpful),
                )
                return
            except SlackApiError as exc:
                log.warning("could not update the answer after feedback: %s", exc.response.get("error"))
        self.thank(body, "Thanks for your feedback.")

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
