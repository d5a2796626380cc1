"""The Slack bot in Socket Mode, without a network: Socket Mode envelopes are fed to the real
`SocketModeHandler` (its built-in client's message queue), the Web API goes to the fake Slack on loopback."""

from __future__ import annotations

import json
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fake_slack import BOT_USER, TEAM, FakeSlack, fake_slack
from fakes import fake_assistant
from pydantic import SecretStr
from slack_bolt.adapter.socket_mode import SocketModeHandler
from slack_sdk.socket_mode.response import SocketModeResponse

from bots.slack import blocks, build_slack_app
from bots.slack.app import make_client
from settings import Settings
from storage import TranscriptStore

QUESTION = "Which children is the Virtual School Head responsible for?"


class Socket:
    """A SocketModeHandler whose websocket is replaced: envelopes in, acknowledgements recorded."""

    def __init__(self, settings: Settings, assistant: Any, store: TranscriptStore) -> None:
        self.app = build_slack_app(settings, assistant, store, client=make_client(settings))
        self.handler = SocketModeHandler(self.app, app_token="xapp-1-test")
        self.acks: list[SocketModeResponse] = []
        self.handler.client.send_socket_mode_response = self.acks.append  # type: ignore[method-assign]

    def send(self, type_: str, payload: dict[str, Any], *, retry_attempt: int = 0) -> str:
        envelope_id = uuid.uuid4().hex
        message = {
            "envelope_id": envelope_id,
            "type": type_,
            "payload": payload,
            "accepts_response_payload": type_ != "events_api",
            "retry_attempt": retry_attempt,
            "retry_reason": "timeout" if retry_attempt else "",
        }
        self.handler.client.enqueue_message(json.dumps(message))
        return envelope_id

    def ack_for(self, envelope_id: str, timeout: float = 30) -> SocketModeResponse:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for a in self.acks:
                if a.envelope_id == envelope_id:
                    return a
            time.sleep(0.02)
        raise AssertionError(f"no acknowledgement for {envelope_id}")

    def close(self) -> None:
        self.handler.client.close()


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with fake_slack() as f:
        yield f


@pytest.fixture
def socket(fake_settings: Settings, fake: FakeSlack, tmp_path: Path) -> Iterator[tuple[Socket, TranscriptStore]]:
    settings = fake_settings.model_copy(
        update={
            "slack_bot_token": SecretStr("xoxb-test-token"),
            "slack_app_token": SecretStr("xapp-1-test"),
            "slack_api_url": fake.url,
            "public_base_url": "https://vsh.example",
        }
    )
    store = TranscriptStore(f"sqlite:///{tmp_path / 'vsh.sqlite3'}")
    store.migrate()
    sock = Socket(settings, fake_assistant(settings), store)
    yield sock, store
    sock.close()
    store.engine.dispose()


def event(ev: dict[str, Any]) -> dict[str, Any]:
    return {
        "team_id": TEAM,
        "api_app_id": "A0TEST",
        "type": "event_callback",
        "event_id": f"Ev{uuid.uuid4().hex[:10].upper()}",
        "event_time": int(time.time()),
        "event": ev,
        "authorizations": [{"team_id": TEAM, "user_id": BOT_USER, "is_bot": True}],
    }


def test_socket_mode_mention_dm_retry_buttons_and_follow_up(
    socket: tuple[Socket, TranscriptStore], fake: FakeSlack
) -> None:
    sock, store = socket
    mention = {
        "type": "app_mention",
        "user": "U0HUMAN01",
        "text": f"<@{BOT_USER}> Who manages Pupil Premium Plus for looked-after children?",
        "ts": "1700000100.000100",
        "channel": "C0CHAN001",
    }
    payload = event(mention)
    env = sock.send("events_api", payload)
    assert sock.ack_for(env).envelope_id == env  # acknowledged on the socket
    reply = fake.wait_for(lambda f: f.replies())[0]
    assert fake.of("chat.postMessage")[0].args["thread_ts"] == "1700000100.000100"
    text = json.dumps(reply.args["blocks"], ensure_ascii=False)
    assert "*[1]*" in text and "<https://vsh.example/sources/" in text and blocks.DISCLAIMER in text
    actions = next(b for b in reply.args["blocks"] if b["type"] == "context_actions")
    tid, _ = blocks.read_feedback_value(blocks.ACTION_FEEDBACK, actions["elements"][0]["positive_button"]["value"])
    assert store.get(tid) is not None

    # a retry of the same envelope (retry_attempt 1) and a redelivery: acknowledged, never answered again
    sock.ack_for(sock.send("events_api", payload, retry_attempt=1))
    sock.ack_for(sock.send("events_api", payload))
    time.sleep(0.75)
    assert len(fake.replies()) == 1

    # a follow-up in the thread is a second turn of the same conversation
    follow = {
        **mention,
        "text": f"<@{BOT_USER}> And for previously looked-after children?",
        "ts": "1700000100.000200",
        "thread_ts": "1700000100.000100",
    }
    sock.ack_for(sock.send("events_api", event(follow)))
    fake.wait_for(lambda f: len(f.replies()) >= 2)
    rows = store.list_transcripts(conversation_id=f"slack:{TEAM}:C0CHAN001:1700000100.000100", newest_first=False)
    assert [r.resolved_question for r in rows][
        1
    ] == "Who manages Pupil Premium Plus for previously looked-after children?"

    # a DM answers in its thread
    dm = {
        "type": "message",
        "channel_type": "im",
        "user": "U0HUMAN01",
        "text": QUESTION,
        "ts": "1700000101.000100",
        "channel": "D0DM",
    }
    sock.ack_for(sock.send("events_api", event(dm)))
    fake.wait_for(lambda f: len(f.replies()) >= 3)
    assert [c.args["thread_ts"] for c in fake.of("chat.postMessage") if c.args["channel"] == "D0DM"] == [
        "1700000101.000100"
    ]

    # buttons over the socket: helpful, then not helpful opens the modal, whose submission stores the comment
    click = {
        "type": "block_actions",
        "team": {"id": TEAM},
        "user": {"id": "U0HUMAN01", "team_id": TEAM},
        "api_app_id": "A0TEST",
        "trigger_id": "trig-1",
        "container": {"type": "message", "message_ts": reply.args["ts"], "channel_id": "C0CHAN001"},
        "channel": {"id": "C0CHAN001"},
        "message": {"ts": reply.args["ts"], "thread_ts": "1700000100.000100"},
        "actions": [
            {
                "action_id": blocks.ACTION_FEEDBACK,
                "block_id": blocks.FEEDBACK_BLOCK,
                "value": blocks.feedback_value(tid, True),
                "type": "feedback_buttons",
            }
        ],
    }
    sock.ack_for(sock.send("interactive", click))
    not_helpful = {**click, "actions": [{**click["actions"][0], "value": blocks.feedback_value(tid, False)}]}  # type: ignore[index]
    sock.ack_for(sock.send("interactive", not_helpful))
    opened = fake.wait_for(lambda f: f.of("views.open"))[0]
    metadata = opened.args["view"]["private_metadata"]
    assert opened.args["trigger_id"] == "trig-1" and metadata.startswith(f"{tid}:")
    submission = {
        "type": "view_submission",
        "team": {"id": TEAM},
        "user": {"id": "U0HUMAN01", "team_id": TEAM},
        "api_app_id": "A0TEST",
        "view": {
            "id": "V0001",
            "type": "modal",
            "callback_id": blocks.FEEDBACK_MODAL_CALLBACK,
            "private_metadata": metadata,
            "state": {"values": {blocks.COMMENT_BLOCK: {blocks.COMMENT_ACTION: {"value": "Too long"}}}},
        },
    }
    sock.ack_for(sock.send("interactive", submission))
    deadline = time.monotonic() + 30
    while [f.comment for f in store.feedback_for(tid)][-1:] != ["Too long"] and time.monotonic() < deadline:
        time.sleep(0.05)
    # one row per click: the comment updates the "not helpful" row instead of adding a third
    assert [(f.helpful, f.comment) for f in store.feedback_for(tid)] == [(True, None), (False, "Too long")]


def test_socket_mode_slash_command_acks_on_the_socket_and_answers_in_a_thread(
    socket: tuple[Socket, TranscriptStore], fake: FakeSlack
) -> None:
    sock, store = socket
    command = {
        "team_id": TEAM,
        "channel_id": "C0CHAN009",
        "user_id": "U0HUMAN01",
        "command": "/vsh",
        "text": QUESTION,
        "api_app_id": "A0TEST",
        "response_url": fake.response_url,
        "trigger_id": "cmd-trigger-1",
    }
    env = sock.send("slash_commands", command)
    ack = sock.ack_for(env)
    assert ack.payload and ack.payload["response_type"] == "ephemeral"
    reply = fake.wait_for(lambda f: f.replies())[0]
    parent, placeholder = fake.of("chat.postMessage")[:2]
    assert not parent.args.get("thread_ts") and placeholder.args["thread_ts"]
    assert reply.args["channel"] == "C0CHAN009" and "*[1]*" in json.dumps(reply.args["blocks"])
    assert store.count(channel="slack") == 1
