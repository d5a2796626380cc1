"""Slack message text: markup to plain text, and the conversation id of a thread."""

from __future__ import annotations

import html
import re

__all__ = ["clean_text", "conversation_id"]

_MENTION = re.compile(r"<@[A-Z0-9]+(?:\|[^>]*)?>")
_CHANNEL = re.compile(r"<#[A-Z0-9]+\|([^>]*)>")
_SPECIAL = re.compile(r"<![^>]*>")
_LINK = re.compile(r"<([^<>|]+)\|([^<>]*)>")
_BARE = re.compile(r"<((?:https?|mailto|tel):[^<>]*)>")


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
