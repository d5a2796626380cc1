"""`ChannelService`: what every channel (web, Slack) wraps around `Assistant.ask`, written once.

- the index (`IndexState`): `index.IndexUnavailable`, whose message says how to rebuild it, while missing;
- conversations: memory first (an LRU of `conversation_cache_size`), then storage; when storage cannot be
  read the question is answered without its history rather than failing;
- concurrency: at most `compute_slots` questions run through the assistant at once (default: the CPU
  count, at most 4), so a burst queues instead of thrashing the embedding model;
- answer cache (`AnswerCache`, off when `answer_cache_size` is 0): a repeated question is answered once
  per index version (a re-ingested index answers afresh); a hit returns a copy with this conversation's id
  and latency and is still recorded;
- metrics by channel (`bots.metrics`): answers, declines, answer latency, cache hits;
- the transcript of every exchange (a failed record is logged; the answer still goes out);
- feedback, its comment redacted before it is stored.

The question itself is redacted once, by the assistant; the service never stores or logs its raw text.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass

from assistant import Answer, Assistant, Conversation
from assistant.redaction import redact
from bots.answer_cache import AnswerCache, cache_key
from bots.index_state import IndexState
from bots.metrics import ANSWER_SECONDS, ANSWERS, CACHE_HITS, DECLINES
from settings import Settings, VshError
from storage import StorageError, TranscriptStore

__all__ = ["ChannelService", "Exchange", "UnknownConversation"]

log = logging.getLogger("vsh.channels")


class UnknownConversation(VshError, KeyError):
    """A conversation id that this service never issued (or that has no stored turns)."""

    hint = "Start a new conversation by leaving conversation_id out."


@dataclass
class Exchange:
    """One answered question: the answer, its conversation and transcript (None if it could not be stored)."""

    answer: Answer
    conversation_id: str
    transcript_id: str | None
    cached: bool = False


class ChannelService:
    """One per channel and process, shared by every request (thread-safe)."""

    def __init__(
        self,
        settings: Settings,
        assistant: Assistant,
        store: TranscriptStore,
        *,
        channel: str,
        compute_slots: int | None = None,
        answer_cache_size: int = 0,
        conversation_cache_size: int = 2048,
    ) -> None:
        self.settings = settings
        self.assistant = assistant
        self.store = store
        self.channel = channel
        self.index = IndexState(assistant)
        self.answers = AnswerCache(answer_cache_size)
        self._lock = threading.Lock()
        self._conversations: OrderedDict[str, Conversation] = OrderedDict()
        self._conversation_cache_size = conversation_cache_size
        slots = compute_slots or max(1, min(4, os.cpu_count() or 1))
        self._compute = threading.BoundedSemaphore(slots)

    # --- conversations ----------------------------------------------------------------------------

    def conversation(self, conversation_id: str, *, create: bool = False) -> Conversation:
        """The conversation (memory first, then storage). Unknown -> a new one with this id if `create`,
        else `UnknownConversation`. Unreadable storage -> a new one (answer without the history)."""
        with self._lock:
            conv = self._conversations.get(conversation_id)
            if conv is not None:
                self._conversations.move_to_end(conversation_id)
                return conv.model_copy(deep=True)
        try:
            stored = self.store.conversation(conversation_id)
        except (StorageError, OSError) as exc:
            log.error("conversation history unavailable (%s); answering without context", type(exc).__name__)
            return Conversation(id=conversation_id)
        if stored is None:
            if create:
                return Conversation(id=conversation_id)
            raise UnknownConversation(conversation_id)
        return stored

    def _remember(self, conv: Conversation) -> None:
        with self._lock:
            self._conversations[conv.id] = conv
            self._conversations.move_to_end(conv.id)
            while len(self._conversations) > self._conversation_cache_size:
                self._conversations.popitem(last=False)

    # --- asking -----------------------------------------------------------------------------------

    def ask(
        self,
        question: str,
        conversation_id: str | None = None,
        *,
        create: bool = False,
        external_ref: str | None = None,
    ) -> Exchange:
        """Answer, remember the turn, count it, store the transcript.

        Raises `index.IndexUnavailable` (no index) and `UnknownConversation` (unless `create`).
        """
        self.index.get()
        conv = self.conversation(conversation_id, create=create) if conversation_id else Conversation()
        t0 = time.perf_counter()
        context = (conv.last.resolved_question or conv.last.question) if conv.last else ""

        def compute() -> tuple[Answer, str]:
            with self._compute:
                fresh = self.assistant.ask(question, conv)
            return fresh, conv.last.resolved_question if conv.last else fresh.question

        key = cache_key(question, f"{context}\x00{self.index.version}\x00{self.assistant.answers_generation()}")
        (answer, resolved), cached = self.answers.get_or_compute(key, compute)
        if cached:
            CACHE_HITS.inc()
            answer = answer.model_copy(deep=True)
            answer.conversation_id = conv.id
            conv.add(answer, resolved_question=resolved)
            answer.latency_ms = round((time.perf_counter() - t0) * 1000, 1)
        answer.conversation_id = conv.id
        self._remember(conv)
        ANSWER_SECONDS.labels(channel=self.channel).observe(time.perf_counter() - t0)
        ANSWERS.labels(channel=self.channel).inc()
        if answer.declined:
            DECLINES.labels(channel=self.channel).inc()
        transcript_id = self._record(answer, conv.id, resolved, external_ref)
        return Exchange(answer=answer, conversation_id=conv.id, transcript_id=transcript_id, cached=cached)

    def _record(self, answer: Answer, conversation_id: str, resolved: str, external_ref: str | None) -> str | None:
        try:
            return self.store.record(
                answer,
                channel=self.channel,
                conversation_id=conversation_id,
                external_ref=external_ref,
                resolved_question=resolved,
            )
        except Exception as exc:  # the answer still goes out; feedback needs a transcript
            log.error("could not store the %s transcript: %s", self.channel, type(exc).__name__)
            return None

    # --- feedback ---------------------------------------------------------------------------------

    def feedback(
        self,
        transcript_id: str,
        helpful: bool,
        comment: str | None = None,
        *,
        update: bool = False,
        feedback_id: int | None = None,
    ) -> int | None:
        """Store one click of feedback (the comment is redacted); returns the row id (None while queued).

        `update`: change the feedback already given instead of adding a row (the other button, or the optional
        comment): the row `feedback_id`, or the newest of the transcript on this channel. Unknown transcript ->
        KeyError."""
        clean = redact(comment.strip()).text if comment and comment.strip() else None
        if update or feedback_id is not None:
            return self.store.update_feedback(
                transcript_id,
                feedback_id,
                helpful,
                (clean or "") if comment is not None else None,
                channel=self.channel,
            )
        return self.store.add_feedback(transcript_id, helpful, clean, channel=self.channel)
