"""The Slack bot over real HTTP: the real web app (FastAPI under uvicorn on loopback) with `/slack/events`
mounted, the real assistant over the fake retriever (`fakes.py`), a SQLite store, and a fake Slack Web API
on loopback recording calls."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from _servers import LiveServer, live_server
from fake_slack import BOT_USER, TEAM, Call, FakeSlack, fake_slack, signed_headers
from fakes import fake_assistant
from pydantic import SecretStr

from assistant import Assistant
from bots.slack import blocks
from bots.slack.http import mount_slack_if_configured
from bots.web import create_app
from settings import Settings
from storage import TranscriptStore

SECRET = "8f742231b10e8888abcd99yyyzzz85a5"
BASE = "https://vsh.example"
QUESTION = "Which children is the Virtual School Head responsible for?"


@dataclass
class SlackLive:
    server: LiveServer
    fake: FakeSlack
    store: TranscriptStore
    client: httpx.Client

    def post(self, body: bytes, content_type: str, **headers: str) -> httpx.Response:
        h = signed_headers(SECRET, body, content_type)
        h.update(headers)
        return self.client.post("/slack/events", content=body, headers=h)

    def event(self, event: dict[str, Any], *, event_id: str | None = None, **headers: str) -> httpx.Response:
        payload = {
            "token": "legacy",
            "team_id": TEAM,
            "api_app_id": "A0TEST",
            "type": "event_callback",
            "event_id": event_id or f"Ev{uuid.uuid4().hex[:10].upper()}",
            "event_time": int(time.time()),
            "event": event,
            "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
        }
        return self.post(json.dumps(payload).encode(), "application/json", **headers)

    def form(self, fields: dict[str, str]) -> httpx.Response:
        return self.post(urlencode(fields).encode(), "application/x-www-form-urlencoded")

    def interaction(self, payload: dict[str, Any]) -> httpx.Response:
        return self.form({"payload": json.dumps(payload)})


def _settings(base: Settings, fake: FakeSlack, **update: Any) -> Settings:
    return base.model_copy(
        update={
            "slack_signing_secret": SecretStr(SECRET),
            "slack_bot_token": SecretStr("xoxb-test-token"),
            "slack_api_url": fake.url,
            "public_base_url": BASE,
            "rate_limit_per_minute": 1000,
            **update,
        }
    )


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with fake_slack() as f:
        yield f


def _running(settings: Settings, assistant: Any, store: TranscriptStore, fake: FakeSlack) -> Any:
    from contextlib import contextmanager

    @contextmanager
    def cm() -> Iterator[SlackLive]:
        app = create_app(settings, assistant=assistant, store=store, extensions=[mount_slack_if_configured])
        with live_server(app) as server, httpx.Client(base_url=server.base_url, timeout=60) as client:
            yield SlackLive(server, fake, store, client)

    return cm()


@pytest.fixture
def live(fake_settings: Settings, store: TranscriptStore, fake: FakeSlack) -> Iterator[SlackLive]:
    settings = _settings(fake_settings, fake)
    with _running(settings, fake_assistant(settings), store, fake) as lv:
        yield lv


def mention(text: str, ts: str, *, channel: str = "C0CHAN001", thread_ts: str | None = None) -> dict[str, Any]:
    ev = {
        "type": "app_mention",
        "user": "U0HUMAN01",
        "text": f"<@{BOT_USER}> {text}",
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
    }
    if thread_ts:
        ev["thread_ts"] = thread_ts
    return ev


def dm(text: str, ts: str, *, channel: str = "D0DIRECT1", **extra: Any) -> dict[str, Any]:
    return {
        "type": "message",
        "channel_type": "im",
        "user": "U0HUMAN01",
        "text": text,
        "ts": ts,
        "channel": channel,
        "event_ts": ts,
        **extra,
    }


def _n_replies(n: int) -> Any:
    return lambda f: len(f.replies()) >= n and f.replies()


def blocks_text(call: Call) -> str:
    return json.dumps(call.args.get("blocks", []), ensure_ascii=False)


def button_values(call: Call) -> dict[str, str]:
    """{'helpful': value, 'not_helpful': value} of the native feedback buttons of a reply."""
    for b in call.args.get("blocks", []):
        if b.get("type") == "context_actions":
            [buttons] = b["elements"]
            assert buttons["type"] == "feedback_buttons" and buttons["action_id"] == blocks.ACTION_FEEDBACK
            return {"helpful": buttons["positive_button"]["value"], "not_helpful": buttons["negative_button"]["value"]}
    return {}


def transcript_of(call: Call) -> str:
    return blocks.read_feedback_value(blocks.ACTION_FEEDBACK, button_values(call)["helpful"])[0]


def _block_action(
    action_id: str,
    value: str,
    *,
    channel: str = "C0CHAN001",
    message_ts: str = "1",
    message_blocks: list[dict[str, Any]] | None = None,
) -> dict[str, Any]:
    return {
        "type": "block_actions",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": "U0HUMAN01", "username": "sw", "team_id": TEAM},
        "api_app_id": "A0TEST",
        "token": "legacy",
        "trigger_id": "13345224609.738474920.8088930838d88f008e0",
        "container": {"type": "message", "message_ts": message_ts, "channel_id": channel, "is_ephemeral": False},
        "channel": {"id": channel, "name": "vsh"},
        "message": {
            "type": "message",
            "ts": message_ts,
            "thread_ts": "1700000000.000100",
            "text": "answer",
            **({"blocks": message_blocks} if message_blocks else {}),
        },
        "response_url": "http://127.0.0.1:9/never",
        "actions": [
            {
                "action_id": action_id,
                "block_id": "vsh_feedback",
                "value": value,
                "type": "feedback_buttons" if action_id == blocks.ACTION_FEEDBACK else "button",
                "action_ts": str(time.time()),
            }
        ],
    }


# --- mentions -------------------------------------------------------------------------------------


def test_mention_answers_in_the_thread_with_citations_links_and_feedback_buttons(live: SlackLive) -> None:
    r = live.event(mention(QUESTION, "1700000000.000100"))
    assert r.status_code == 200

    placeholder = live.fake.wait_for(lambda f: f.of("chat.postMessage"))[0]
    assert placeholder.args["channel"] == "C0CHAN001"
    assert placeholder.args["thread_ts"] == "1700000000.000100"
    assert placeholder.args["text"] == blocks.PLACEHOLDER

    reply = live.fake.wait_for(_n_replies(1))[0]
    assert reply.method == "chat.update" and reply.args["channel"] == "C0CHAN001"
    text = blocks_text(reply)
    assert "Virtual School Head" in text
    assert "*Sources*" in text and "*[1]*" in text
    assert f"<{BASE}/sources/" in text  # links to the web source viewer
    assert "statutory guidance" in text.lower()
    assert "para" in text and "p." in text
    assert blocks.DISCLAIMER in text
    assert reply.args["text"]  # plain-text fallback
    assert len(reply.args["blocks"]) <= blocks.MAX_BLOCKS
    for b in reply.args["blocks"]:
        if b["type"] == "section":
            assert len(b["text"]["text"]) <= blocks.MAX_SECTION_CHARS

    values = button_values(reply)
    tid = transcript_of(reply)
    assert values == {"helpful": f"helpful:{tid}", "not_helpful": f"not_helpful:{tid}"}
    t = live.store.get(tid)
    assert t is not None and t.channel == "slack"
    assert t.conversation_id == f"slack:{TEAM}:C0CHAN001:1700000000.000100"
    assert t.external_ref == f"slack:{TEAM}:C0CHAN001:1700000000.000100"


def test_feedback_buttons_and_the_not_helpful_modal(live: SlackLive) -> None:
    live.event(mention(QUESTION, "1700000000.000200"))
    reply = live.fake.wait_for(_n_replies(1))[0]
    tid = transcript_of(reply)
    values = button_values(reply)

    # one click on the native "Helpful" button: one row, and the message is updated to acknowledge it
    click = _block_action(
        blocks.ACTION_FEEDBACK, values["helpful"], message_ts=reply.args["ts"], message_blocks=reply.args["blocks"]
    )
    updates_before = len(live.fake.of("chat.update"))
    assert live.interaction(click).status_code == 200
    ack = live.fake.wait_for(lambda f: f.of("chat.update")[updates_before:])[0]
    assert ack.args["ts"] == reply.args["ts"] and ack.args["channel"] == "C0CHAN001"
    assert not [b for b in ack.args["blocks"] if b["type"] == "context_actions"]
    assert "<@U0HUMAN01> marked this answer *helpful*" in blocks_text(ack)
    assert "*[1]*" in blocks_text(ack)  # the answer itself is kept
    fb = live.store.feedback_for(tid)
    assert [(f.helpful, f.comment, f.channel) for f in fb] == [(True, None, "slack")]

    # "Not helpful" (an old message's ordinary button): one more row, the comment modal, the acknowledgement
    r = live.interaction(_block_action(blocks.ACTION_NOT_HELPFUL, tid, message_ts=reply.args["ts"]))
    assert r.status_code == 200
    opened = live.fake.wait_for(lambda f: f.of("views.open"))[0]
    assert opened.args["trigger_id"] == "13345224609.738474920.8088930838d88f008e0"
    view = opened.args["view"]
    assert view["callback_id"] == blocks.FEEDBACK_MODAL_CALLBACK
    row = live.store.feedback_for(tid)[-1].id
    assert view["private_metadata"] == f"{tid}:{row}"
    assert [f.helpful for f in live.store.feedback_for(tid)] == [True, False]
    live.fake.wait_for(lambda f: f.of("chat.postEphemeral"))  # no blocks to update: thanked privately

    submission = {
        "type": "view_submission",
        "team": {"id": TEAM, "domain": "test"},
        "user": {"id": "U0HUMAN01", "username": "sw", "team_id": TEAM},
        "api_app_id": "A0TEST",
        "token": "legacy",
        "trigger_id": "1.2.3",
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": blocks.FEEDBACK_MODAL_CALLBACK,
            "private_metadata": view["private_metadata"],
            "state": {
                "values": {
                    blocks.COMMENT_BLOCK: {
                        blocks.COMMENT_ACTION: {
                            "type": "plain_text_input",
                            "value": "It missed kinship care. Email me at jo.bloggs@school.org.uk",
                        }
                    }
                }
            },
        },
    }
    r = live.interaction(submission)
    assert r.status_code == 200
    deadline = time.monotonic() + 30
    while not live.store.feedback_for(tid)[-1].comment and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(live.store.feedback_for(tid)) == 2  # the comment updated the row of its click
    last = live.store.feedback_for(tid)[-1]
    assert last.helpful is False and last.channel == "slack"
    assert last.comment is not None and "missed kinship care" in last.comment
    assert "jo.bloggs" not in last.comment  # the comment is redacted too


def test_retries_and_duplicate_deliveries_never_answer_twice(live: SlackLive) -> None:
    ev = mention(QUESTION, "1700000000.000300")
    assert live.event(ev, event_id="EvDUP0001").status_code == 200
    live.fake.wait_for(_n_replies(1))
    # Slack retries (header) and a plain duplicate delivery of the same event id / message
    assert (
        live.event(
            ev, event_id="EvDUP0001", **{"X-Slack-Retry-Num": "1", "X-Slack-Retry-Reason": "http_timeout"}
        ).status_code
        == 200
    )
    assert live.event(ev, event_id="EvDUP0001").status_code == 200
    assert live.event(ev, event_id="EvDUP0002").status_code == 200
    time.sleep(2)
    assert len(live.fake.of("chat.postMessage")) == 1
    assert len(live.fake.replies()) == 1
    assert live.store.count(channel="slack") == 1


def test_unsigned_badly_signed_and_stale_requests_are_rejected(live: SlackLive) -> None:
    body = json.dumps({"type": "event_callback", "team_id": TEAM, "event": mention(QUESTION, "1.1")}).encode()
    r = live.client.post("/slack/events", content=body, headers={"Content-Type": "application/json"})
    assert r.status_code == 401
    h = signed_headers("not-the-secret", body, "application/json")
    assert live.client.post("/slack/events", content=body, headers=h).status_code == 401
    stale = signed_headers(SECRET, body, "application/json", timestamp=int(time.time()) - 6 * 60)
    assert live.client.post("/slack/events", content=body, headers=stale).status_code == 401
    time.sleep(0.5)
    assert not live.fake.of("chat.postMessage")


def test_url_verification_challenge(live: SlackLive) -> None:
    r = live.post(
        json.dumps({"type": "url_verification", "challenge": "abc123", "token": "x"}).encode(), "application/json"
    )
    assert r.status_code == 200 and "abc123" in r.text


# --- DMs and the slash command ----------------------------------------------------------------------


def test_direct_message_answers_in_a_thread_and_ignores_bot_and_edited_messages(live: SlackLive) -> None:
    live.event(dm("Who is responsible for Pupil Premium Plus for looked-after children?", "1700000001.000100"))
    reply = live.fake.wait_for(_n_replies(1))[0]
    assert reply.args["channel"] == "D0DIRECT1"
    post = live.fake.of("chat.postMessage")[0]
    assert post.args["thread_ts"] == "1700000001.000100"
    assert "*[1]*" in blocks_text(reply)

    live.event(dm("bot talking", "1700000001.000200", bot_id="B0OTHER"))
    live.event(dm("edited", "1700000001.000300", subtype="message_changed"))
    live.event({**dm("channel chatter", "1700000001.000400"), "channel_type": "channel", "channel": "C0CHAN001"})
    time.sleep(0.75)
    assert len(live.fake.of("chat.postMessage")) == 1


def test_slash_command_acks_then_answers_in_the_thread_of_a_parent_message(live: SlackLive) -> None:
    r = live.form(
        {
            "token": "legacy",
            "team_id": TEAM,
            "team_domain": "test",
            "channel_id": "C0CHAN002",
            "channel_name": "vsh",
            "user_id": "U0HUMAN01",
            "user_name": "sw",
            "command": "/vsh",
            "text": QUESTION,
            "api_app_id": "A0TEST",
            "response_url": live.fake.response_url,
            "trigger_id": "9.9.cmd1",
        }
    )
    assert r.status_code == 200
    assert r.json()["response_type"] == "ephemeral" and "Looking that up" in r.json()["text"]
    parent = live.fake.wait_for(lambda f: f.of("chat.postMessage"))[0]
    assert parent.args["channel"] == "C0CHAN002" and not parent.args.get("thread_ts")
    assert "<@U0HUMAN01> asked" in parent.args["text"]
    reply = live.fake.wait_for(_n_replies(1))[0]
    parent_ts = live.fake.of("chat.postMessage")[0]
    placeholder = live.fake.of("chat.postMessage")[1]
    assert placeholder.args["thread_ts"]
    assert reply.args["channel"] == "C0CHAN002" and "*[1]*" in blocks_text(reply)
    tid = transcript_of(reply)
    t = live.store.get(tid)
    assert t is not None and t.conversation_id == f"slack:{TEAM}:C0CHAN002:{placeholder.args['thread_ts']}"
    assert parent_ts is not placeholder


def test_follow_up_in_the_thread_uses_the_earlier_turn(live: SlackLive) -> None:
    first = "Who manages Pupil Premium Plus for looked-after children?"
    live.event(mention(first, "1700000002.000100"))
    live.fake.wait_for(_n_replies(1))
    live.event(mention("And for previously looked-after children?", "1700000002.000200", thread_ts="1700000002.000100"))
    second = live.fake.wait_for(_n_replies(2))[1]
    assert live.fake.of("chat.postMessage")[1].args["thread_ts"] == "1700000002.000100"
    conv_id = f"slack:{TEAM}:C0CHAN001:1700000002.000100"
    rows = live.store.list_transcripts(conversation_id=conv_id, newest_first=False)
    assert len(rows) == 2
    assert rows[1].resolved_question == "Who manages Pupil Premium Plus for previously looked-after children?"
    assert "*[1]*" in blocks_text(second)


# --- personal data ----------------------------------------------------------------------------------


def test_personal_data_is_not_stored_or_logged_and_a_reminder_is_posted(
    live: SlackLive, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    text = (
        "My pupil Jamie Hargreaves (jamie.h@example.org, 07700 900123) is in kinship care. "
        "Is the Virtual School Head responsible for him?"
    )
    live.event(mention(text, "1700000003.000100"))
    reply = live.fake.wait_for(_n_replies(1))[0]
    shown = blocks_text(reply)
    assert ":lock:" in shown and "identifying details" in shown
    for secret in ("Jamie", "Hargreaves", "jamie.h@example.org", "07700 900123"):
        assert secret not in shown
        assert secret not in caplog.text
    rows = live.store.list_transcripts(channel="slack")
    assert len(rows) == 1
    stored = rows[0].question + (rows[0].resolved_question or "") + rows[0].answer_json
    for secret in ("Jamie", "Hargreaves", "jamie.h@example.org", "07700 900123", "900123"):
        assert secret not in stored
    assert "[email]" in rows[0].question and "[phone]" in rows[0].question


# --- failures -----------------------------------------------------------------------------------------


class Broken:
    """An assistant whose every answer fails."""

    index = None

    def ask(self, question: str, conversation: Any = None) -> Any:
        raise RuntimeError("boom: model crashed")

    def warm(self) -> None:
        pass


def test_assistant_failure_is_an_apology_in_the_thread(
    fake_settings: Settings, store: TranscriptStore, fake: FakeSlack
) -> None:
    settings = _settings(fake_settings, fake)
    with _running(settings, Broken(), store, fake) as lv:
        lv.event(mention(QUESTION, "1700000004.000100"))
        reply = lv.fake.wait_for(_n_replies(1))[0]
    assert reply.method == "chat.update" and reply.args["ts"] == fake.of("chat.postMessage")[0].args.get(
        "ts", reply.args["ts"]
    )
    assert reply.args["text"].startswith("Sorry — I couldn't answer that just now:")
    assert "Please try again or use the web chat." in reply.args["text"]
    assert "boom" not in reply.args["text"]  # internals stay in the log


def test_missing_index_is_an_apology_in_the_thread(tmp_path: Path, store: TranscriptStore, fake: FakeSlack) -> None:
    settings = _settings(Settings(data_dir=tmp_path / "no-index", corpus_paths=[]), fake)
    with _running(settings, Assistant(settings), store, fake) as lv:
        lv.event(dm(QUESTION, "1700000005.000100"))
        reply = lv.fake.wait_for(_n_replies(1))[0]
    assert reply.args["channel"] == "D0DIRECT1"
    assert "Sorry — I couldn't answer that just now:" in reply.args["text"]
    assert "index" in reply.args["text"]


def test_slack_events_are_not_mounted_without_a_signing_secret(tmp_path: Path, store: TranscriptStore) -> None:
    settings = Settings(data_dir=tmp_path / "no-index", corpus_paths=[])
    app = create_app(settings, assistant=Assistant(settings), store=store, extensions=[mount_slack_if_configured])
    assert not any(getattr(r, "path", "") == "/slack/events" for r in app.routes)


def test_a_point_quoting_a_list_is_posted_one_item_a_line(
    fake_settings: Settings, store: TranscriptStore, fake: FakeSlack
) -> None:
    settings = _settings(fake_settings, fake)
    assistant = fake_assistant(settings)
    asked = assistant.ask

    def ask(question: str, conversation: Any = None) -> Any:  # the fake library's answer, its point a list
        answer = asked(question, conversation)
        source, _, _ = answer.text.partition("\n")
        listed = (
            "Virtual schools may be able to: • provide information on specialist services; • help identify resources."
        )
        return answer.model_copy(update={"text": f"{source}\n{listed} [1]\n\n{answer.legend}"})

    assistant.ask = ask  # type: ignore[method-assign]
    with _running(settings, assistant, store, fake) as lv:
        lv.event(mention(QUESTION, "1700000006.000100"))
        reply = lv.fake.wait_for(_n_replies(1))[0]
    text = blocks_text(reply)
    assert "may be able to:\\n• provide information on specialist services;\\n• help identify resources. [1]" in text
    assert "may be able to:\n• provide information" in reply.args["text"]
    assert text.count("How to read this") == 1
