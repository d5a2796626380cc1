"""`/slack/events` against malformed input and an unreachable Slack Web API (issue 12), over real HTTP on
loopback with the fake Slack of `fake_slack.py`."""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Iterator
from urllib.parse import urlencode

import httpx
import pytest
from _servers import free_port
from fake_slack import BOT_USER, TEAM, FakeSlack, fake_slack, sign, signed_headers
from fakes import fake_assistant
from test_slack_http import SECRET, SlackLive, _running, _settings, mention

from settings import Settings
from storage import TranscriptStore


@pytest.fixture
def fake() -> Iterator[FakeSlack]:
    with fake_slack() as f:
        yield f


@pytest.fixture
def live(fake_settings: Settings, store: TranscriptStore, fake: FakeSlack) -> Iterator[SlackLive]:
    settings = _settings(fake_settings, fake)
    with _running(settings, fake_assistant(settings), store, fake) as lv:
        yield lv


def _tracebacks(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.exc_info or r.levelno >= logging.ERROR]


MALFORMED = [
    (b"payload=%7Bnot-json", "application/x-www-form-urlencoded"),
    (b"{not json", "application/json"),
    (b"\xff\xfe\x00garbage", "application/json"),
    (b"[1, 2, 3]", "application/json"),
    (b"", "application/json"),
    (b'{"type": "event_callback", "event": "app_mention"}', "application/json"),
    (
        urlencode(
            {"payload": json.dumps({"type": "view_submission", "view": {"callback_id": "vsh_feedback"}})}
        ).encode(),
        "application/x-www-form-urlencoded",
    ),
    (
        urlencode({"payload": json.dumps({"type": "block_actions", "actions": "x"})}).encode(),
        "application/x-www-form-urlencoded",
    ),
]


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_unsigned_malformed_bodies_get_4xx_without_a_traceback(
    live: SlackLive, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    caplog.set_level(logging.INFO)
    response = live.client.post("/slack/events", content=body, headers={"Content-Type": content_type})
    assert 400 <= response.status_code < 500, response.status_code
    assert not _tracebacks(caplog)


@pytest.mark.parametrize(("body", "content_type"), MALFORMED)
def test_signed_malformed_bodies_get_4xx_without_a_traceback(
    live: SlackLive, caplog: pytest.LogCaptureFixture, body: bytes, content_type: str
) -> None:
    caplog.set_level(logging.INFO)
    response = live.client.post("/slack/events", content=body, headers=signed_headers(SECRET, body, content_type))
    assert 400 <= response.status_code < 500 or response.status_code == 200, response.status_code
    assert response.status_code != 500
    assert not _tracebacks(caplog)


@pytest.mark.parametrize("timestamp", ["soon", "", "12e5", "-1", "1e9"])
def test_a_non_numeric_timestamp_is_a_401(live: SlackLive, caplog: pytest.LogCaptureFixture, timestamp: str) -> None:
    caplog.set_level(logging.INFO)
    body = json.dumps({"type": "event_callback", "event": {}}).encode()
    headers = {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": timestamp,
        "X-Slack-Signature": sign(SECRET, timestamp, body),
    }
    response = live.client.post("/slack/events", content=body, headers=headers)
    assert response.status_code == 401
    assert not _tracebacks(caplog)


def test_signed_events_are_acknowledged_while_slack_is_unreachable(
    fake_settings: Settings, store: TranscriptStore, fake: FakeSlack, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    unreachable = f"http://127.0.0.1:{free_port()}/api/"  # nothing listens there: connection refused
    settings = _settings(fake_settings, fake, slack_api_url=unreachable)
    with _running(settings, fake_assistant(settings), store, fake) as live:
        codes = [
            live.event(
                mention("Which children is the Virtual School Head responsible for?", f"170000000{i}.000100")
            ).status_code
            for i in range(3)
        ]
        command = live.post(
            urlencode(
                {
                    "command": "/vsh",
                    "text": "",
                    "team_id": TEAM,
                    "user_id": "U0HUMAN01",
                    "channel_id": "C1",
                    "response_url": "http://127.0.0.1:9/never",
                    "trigger_id": "1.2.3",
                }
            ).encode(),
            "application/x-www-form-urlencoded",
        )
        time.sleep(1.0)  # let the executor try (and fail) to post the answers
    assert codes == [200, 200, 200]
    assert command.status_code == 200
    auth_warnings = [r for r in caplog.records if "auth.test failed" in r.getMessage()]
    assert len(auth_warnings) == 1, [r.getMessage() for r in caplog.records]


def test_auth_test_is_retried_and_its_result_used_once_slack_is_back(
    fake_settings: Settings, store: TranscriptStore, fake: FakeSlack
) -> None:
    from slack_sdk import WebClient

    from bots.slack.auth import DeferredAuthorize

    fake.fail["auth.test"] = "fatal_error"
    deferred = DeferredAuthorize(WebClient(token="xoxb-test", base_url=fake.url), retry_s=0.2)
    authorize = deferred.authorize()
    first = authorize(enterprise_id=None, team_id=TEAM, user_id="U0HUMAN01")
    assert first.bot_token == "xoxb-test" and first.bot_user_id is None
    del fake.fail["auth.test"]
    time.sleep(0.3)
    again = authorize(enterprise_id=None, team_id=TEAM, user_id="U0HUMAN01")
    assert again.bot_user_id == BOT_USER
    calls = len(fake.of("auth.test"))
    authorize(enterprise_id=None, team_id=TEAM, user_id="U0HUMAN01")
    assert len(fake.of("auth.test")) == calls  # kept once known


def test_the_answer_still_arrives_when_slack_answers(live: SlackLive) -> None:
    response = live.event(mention("Which children is the Virtual School Head responsible for?", "1700000009.000100"))
    assert response.status_code == 200
    live.fake.wait_for(lambda f: f.replies())
    assert httpx.codes.OK == 200
