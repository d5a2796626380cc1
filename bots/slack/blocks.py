"""Block Kit messages of the Slack bot: pure functions from an `Answer` to `{"text", "blocks"}`.

Slack limits respected here: at most 3000 characters of text per section block, at most 50 blocks per
message, and a plain-text `text` fallback (notifications, screen readers, clients without Block Kit).
"""

from __future__ import annotations

import re
from typing import Any

from assistant.models import Answer, Citation, ClosestSection
from bots.present import absolute_url, answer_view, bulleted, dated_title, evidence_note, lay_out, mark, marked_focus

__all__ = [
    "ACTION_FEEDBACK",
    "ACTION_HELPFUL",
    "ACTION_NOT_HELPFUL",
    "FEEDBACK_BLOCK",
    "DISCLAIMER",
    "FEEDBACK_MODAL_CALLBACK",
    "COMMENT_BLOCK",
    "COMMENT_ACTION",
    "PERSONAL_DATA_REMINDER",
    "PLACEHOLDER",
    "MAX_BLOCKS",
    "MAX_SECTION_CHARS",
    "escape",
    "link",
    "answer_message",
    "placeholder_message",
    "error_message",
    "help_message",
    "feedback_modal",
    "feedback_acknowledged",
    "feedback_value",
    "read_feedback_value",
    "split_text",
]

MAX_BLOCKS = 50
MAX_SECTION_CHARS = 3000
MAX_FALLBACK_CHARS = 3900
ITEM_INDENT = "    "
"""Before each item of a list quoted by an "Also in the guidance" point, under the point's own bullet."""
SHORTENED = "_The answer was shortened to fit Slack; open the web chat for all of it._"

ACTION_FEEDBACK = "vsh_feedback"
"""The native feedback buttons (`feedback_buttons` in a `context_actions` block); values from `feedback_value`."""
ACTION_HELPFUL = "vsh_feedback_helpful"
ACTION_NOT_HELPFUL = "vsh_feedback_not_helpful"
"""The ordinary buttons of answers posted before the native ones (still handled); value: the transcript id."""
FEEDBACK_BLOCK = "vsh_feedback"
FEEDBACK_MODAL_CALLBACK = "vsh_feedback_comment"
COMMENT_BLOCK = "vsh_comment_block"
COMMENT_ACTION = "vsh_comment"

DISCLAIMER = "Guidance, not legal advice. Don't post a child's name or other identifying details."
PLACEHOLDER = "Looking that up in the guidance…"
PERSONAL_DATA_REMINDER = (
    "I removed what looked like personal details from your message ({kinds}). Please don't post a child's "
    "name or other identifying details in Slack: the guidance answer doesn't need them."
)

STATUS_NAMES = {
    "statutory": "Statutory guidance",
    "non-statutory": "Non-statutory guidance",
    "announcement": "Announcement (not guidance)",
    "local": "Local document",
    "unknown": "Status unknown",
}


_LOOK_ALIKES = str.maketrans({"*": "\u2217", "~": "\u223c", "`": "\u02cb"})
"""mrkdwn has no escape for its formatting marks, so quoted text shows them as look-alikes: ∗ ∼ ˋ."""

_BOUNDARY_UNDERSCORE = re.compile(r"(?<!\w)_|_(?!\w)")
"""An underscore that could open or close italics; one inside a word ("care_leavers.pdf") cannot."""


def escape(text: str) -> str:
    """Plain text (a quote, heading or label) as mrkdwn that shows it as written: `&`, `<` and `>` as
    entities, and the formatting marks a quote may hold (a footnote's "relative*", "28 days or more**")
    as look-alikes, so that guidance text never turns bold, italic, struck through or code."""
    entities = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _BOUNDARY_UNDERSCORE.sub("\u02cd", entities.translate(_LOOK_ALIKES))


def _absolute(base_url: str, url: str) -> str:
    return absolute_url(base_url, url)


def link(base_url: str, url: str, label: str) -> str:
    """`<https://host/sources/...|label>` when a public base URL is configured, else the escaped label."""
    target = _absolute(base_url, url)
    safe = escape(label).replace("|", "¦")
    if not target:
        return safe
    return f"<{target.replace('|', '%7C').replace('>', '%3E')}|{safe}>"


def split_text(text: str, limit: int = MAX_SECTION_CHARS) -> list[str]:
    """Split text into chunks of at most `limit` characters, at paragraph, line or word boundaries (a line
    that starts a chunk keeps its indent)."""
    chunks: list[str] = []
    rest = text.strip()
    while len(rest) > limit:
        cut = -1
        for sep in ("\n\n", "\n", " "):
            cut = rest.rfind(sep, 0, limit)
            if cut > limit // 3:
                break
        if cut <= 0:
            cut = limit
        chunks.append(rest[:cut].rstrip())
        rest = rest[cut:]
        rest = rest.lstrip("\n") if rest.startswith("\n") else rest.lstrip()
    if rest:
        chunks.append(rest)
    return chunks


def _section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text[:MAX_SECTION_CHARS]}}


def _sections(text: str) -> list[dict[str, Any]]:
    return [_section(chunk) for chunk in split_text(text)]


def _context(text: str) -> dict[str, Any]:
    return {"type": "context", "elements": [{"type": "mrkdwn", "text": text[:MAX_SECTION_CHARS]}]}


def _range(values: list[Any], one: str, many: str) -> str:
    if not values:
        return ""
    if len(values) == 1:
        return f"{one} {values[0]}"
    return f"{many} {values[0]}-{values[-1]}"


def citation_parts(c: Citation | ClosestSection) -> list[str]:
    """Section, paragraphs and pages of a citation, as words ('Funding', 'paras 39-40', 'p.21')."""
    parts = []
    if c.section:
        parts.append(c.section.split(" > ")[-1])
    paras = _range(list(c.paragraphs), "para", "paras")
    if paras:
        parts.append(paras)
    if c.pages:
        parts.append(f"p.{c.pages[0]}" if len(c.pages) == 1 else f"pp.{c.pages[0]}-{c.pages[-1]}")
    return parts


def citation_line(c: Citation, base_url: str) -> str:
    """'*[1]* <url|Title>, Section, paras 39-40, p.21 — _Statutory guidance_'."""
    title = dated_title(c.title, c.published)
    where = ", ".join(escape(p) for p in citation_parts(c))
    line = f"*[{c.number}]* {link(base_url, c.url, title)}"
    if where:
        line += f", {where}"
    status = STATUS_NAMES.get(str(c.status), str(c.status))
    line += f" — _{escape(status)}_"
    return line


def citation_plain(c: Citation, base_url: str) -> str:
    target = _absolute(base_url, c.url)
    status = STATUS_NAMES.get(str(c.status), str(c.status))
    text = f"[{c.number}] {c.locator} ({status})"
    return f"{text} {target}" if target else text


def closest_line(c: ClosestSection, base_url: str) -> str:
    where = ", ".join(escape(p) for p in citation_parts(c))
    return f"• {link(base_url, c.url, c.title)}" + (f", {where}" if where else "")


def _lines_to_sections(lines: list[str]) -> list[dict[str, Any]]:
    """Pack lines into as few section blocks as the 3000-character limit allows."""
    blocks: list[dict[str, Any]] = []
    current = ""
    for line in lines:
        line = line[:MAX_SECTION_CHARS]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > MAX_SECTION_CHARS:
            blocks.append(_section(current))
            current = line
        else:
            current = candidate
    if current:
        blocks.append(_section(current))
    return blocks


def _reminder(answer: Answer) -> str:
    if not (answer.redactions or answer.personal_data_notice):
        return ""
    kinds = ", ".join(dict.fromkeys(k.replace("_", " ") for k in answer.redactions)) or "personal details"
    return PERSONAL_DATA_REMINDER.format(kinds=kinds)


def feedback_value(transcript_id: str, helpful: bool) -> str:
    """The value of one feedback button: 'helpful:<transcript id>' or 'not_helpful:<transcript id>'."""
    return f"{'helpful' if helpful else 'not_helpful'}:{transcript_id}"


def read_feedback_value(action_id: str, value: str) -> tuple[str, bool]:
    """(transcript id, helpful) of a clicked feedback button, native or ordinary."""
    if action_id in (ACTION_HELPFUL, ACTION_NOT_HELPFUL):
        return value, action_id == ACTION_HELPFUL
    kind, _, transcript_id = value.partition(":")
    return transcript_id, kind == "helpful"


def feedback_actions(transcript_id: str) -> dict[str, Any]:
    """Slack's native feedback buttons (a `context_actions` block), each value naming the transcript."""
    return {
        "type": "context_actions",
        "block_id": FEEDBACK_BLOCK,
        "elements": [
            {
                "type": "feedback_buttons",
                "action_id": ACTION_FEEDBACK,
                "positive_button": {
                    "text": {"type": "plain_text", "text": "Helpful"},
                    "accessibility_label": "This answer was helpful",
                    "value": feedback_value(transcript_id, True),
                },
                "negative_button": {
                    "text": {"type": "plain_text", "text": "Not helpful"},
                    "accessibility_label": "This answer was not helpful",
                    "value": feedback_value(transcript_id, False),
                },
            }
        ],
    }


def feedback_acknowledged(message_blocks: list[dict[str, Any]], user: str, helpful: bool) -> list[dict[str, Any]]:
    """The answer's blocks with its feedback buttons replaced by a thank-you naming who clicked and how."""
    who = f"<@{user}>" if user else "You"
    verdict = "helpful" if helpful else "not helpful"
    note = _context(f":white_check_mark: {who} marked this answer *{verdict}*. Thank you for the feedback.")
    note["block_id"] = f"{FEEDBACK_BLOCK}_done"
    kept = [b for b in message_blocks if not str(b.get("block_id", "")).startswith(FEEDBACK_BLOCK)]
    return [*kept, note][:MAX_BLOCKS]


def answer_message(answer: Answer, *, transcript_id: str | None, base_url: str = "") -> dict[str, Any]:
    """The reply to one question: `{"text": fallback, "blocks": [...]}`.

    Order: the safeguarding notice (once), personal-data reminder, the answer with "•" lists and the answering
    sentence in bold where a quote does not start with it (or the decline and the closest sections), how well
    the guidance found answers it (`evidence_note`), the numbered sources (each title with its date once) and
    related sections (links), the must/should legend once, the disclaimer (with a link to the web chat when
    `base_url` is set) and the native feedback buttons. A point quoting a list
    shows its lead-in, then one item a line with its marker (`bots.present.lay_out`). An answer too long for
    Slack's 50 blocks has its text shortened, with a note saying so, and keeps its sources and legend.
    """
    view = answer_view(answer)
    head: list[dict[str, Any]] = []
    fallback: list[str] = []
    if view.notice:
        head.append(_section(f":rotating_light: *Safeguarding:* {escape(view.notice)}"))
        fallback.append(f"Safeguarding: {view.notice}")
    reminder = _reminder(answer)
    if reminder:
        head.append(_section(f":lock: {escape(reminder)}"))
        fallback.append(reminder)

    laid_out = lay_out(view.body, ITEM_INDENT)
    shown = escape(laid_out)
    for focus in marked_focus(answer):  # the answering sentence of a quote that does not start with it, in bold
        shown = mark(shown, escape(focus), lambda run: f"*{run}*")
    body = _sections(bulleted(shown)) if view.body else []
    fallback.append(bulleted(laid_out))
    if answer.declined and answer.decline_reason and answer.decline_reason not in answer.text:
        body += _sections(f"_{escape(answer.decline_reason)}_")
    note = evidence_note(answer)
    if note:
        body.append(_context(escape(note)))
        fallback.append(note)

    sources: list[dict[str, Any]] = []
    if answer.citations:
        lines = ["*Sources*"] + [citation_line(c, base_url) for c in answer.citations]
        if answer.related_sections:
            lines += ["*Related sections*"] + [closest_line(c, base_url) for c in answer.related_sections]
        sources = _lines_to_sections(lines)
        fallback.append("Sources: " + "; ".join(citation_plain(c, base_url) for c in answer.citations))
    elif answer.declined and answer.closest_sections:
        lines = ["*The closest sections I found*"] + [closest_line(c, base_url) for c in answer.closest_sections]
        sources = _lines_to_sections(lines)
        fallback.append("Closest sections: " + "; ".join(f"{c.title}, {c.section}" for c in answer.closest_sections))

    if view.legend:
        sources.append(_context(f"_{escape(view.legend)}_"))
        fallback.append(view.legend)

    footer = f":information_source: {DISCLAIMER}"
    if base_url:
        footer += f" {link(base_url, '/', 'Continue in the web chat')}"
    tail: list[dict[str, Any]] = [_context(footer)]
    if transcript_id:
        tail.append(feedback_actions(transcript_id))
    fallback.append(DISCLAIMER)

    room = MAX_BLOCKS - len(head) - len(tail)
    rest = ([{"type": "divider"}] if sources else []) + sources
    if len(body) + len(rest) > room and len(rest) < room - 1:  # shorten the text, keep what it cites
        body = [*body[: room - 1 - len(rest)], _context(SHORTENED)]
    middle = body + rest
    if len(middle) > room:
        middle = [*middle[: room - 1], _context(SHORTENED)]
    blocks = head + middle + tail

    text = "\n\n".join(p for p in fallback if p)
    if len(text) > MAX_FALLBACK_CHARS:
        text = text[: MAX_FALLBACK_CHARS - 1] + "…"
    return {"text": text, "blocks": blocks}


def placeholder_message() -> dict[str, Any]:
    """The immediate reply posted in the thread while the answer is worked out."""
    return {"text": PLACEHOLDER, "blocks": [_context(f":hourglass_flowing_sand: {PLACEHOLDER}")]}


def error_message(reason: str) -> dict[str, Any]:
    """The apology shown when no answer could be produced."""
    text = f"Sorry — I couldn't answer that just now: {reason} Please try again or use the web chat."
    return {"text": text, "blocks": [_section(f":warning: {escape(text)}"), _context(DISCLAIMER)]}


def help_message() -> dict[str, Any]:
    text = (
        "Ask me about DfE guidance on the Virtual School Head role, e.g. "
        '"Which children is the Virtual School Head responsible for?" I answer in a thread, with '
        "citations; ask follow-ups in the same thread."
    )
    return {"text": text, "blocks": [_section(escape(text)), _context(DISCLAIMER)]}


def feedback_modal(transcript_id: str, feedback_id: int | None = None) -> dict[str, Any]:
    """The 'Not helpful' modal: an optional comment that updates the row of the click; `private_metadata`
    carries the transcript id and that row ('<transcript id>:<row id>', or the transcript id alone)."""
    return {
        "type": "modal",
        "callback_id": FEEDBACK_MODAL_CALLBACK,
        "private_metadata": transcript_id + (f":{feedback_id}" if feedback_id is not None else ""),
        "title": {"type": "plain_text", "text": "Not helpful"},
        "submit": {"type": "plain_text", "text": "Send"},
        "close": {"type": "plain_text", "text": "Skip"},
        "blocks": [
            _section("Thanks — your answer has been marked *not helpful*. What was missing or wrong? (optional)"),
            {
                "type": "input",
                "block_id": COMMENT_BLOCK,
                "optional": True,
                "label": {"type": "plain_text", "text": "Comment"},
                "element": {
                    "type": "plain_text_input",
                    "action_id": COMMENT_ACTION,
                    "multiline": True,
                    "max_length": 2000,
                },
            },
            _context("Please don't include a child's name or other identifying details."),
        ],
    }
