"""The /review pages over real HTTP: login required, annotate with CSRF, filters, CSV export."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from _servers import LiveServer, live_server
from fakes import fake_assistant, write_question_set

from assistant.models import Answer, AnswerPoint
from bots.web import create_app
from evals.review import mount_review
from evals.reviewers import add_reviewer
from evals.runner import run_eval
from settings import Settings
from storage import TranscriptStore

PASSWORD = "a long reviewer password"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[LiveServer, Any, str]]:
    folder = tmp_path_factory.mktemp("review")
    subset = write_question_set(folder / "set.jsonl", ["fq-01", "fq-02", "fq-03", "fq-07"])
    settings = Settings(data_dir=folder, corpus_paths=[], rate_limit_per_minute=10_000)
    store = TranscriptStore(f"sqlite:///{folder / 'vsh.sqlite3'}")
    store.migrate()
    add_reviewer(store, "vsh-lead", PASSWORD)
    assistant = fake_assistant(settings)
    run_id = run_eval(subset, settings, store=store, assistant=assistant, name="review set")
    app = create_app(settings, assistant=assistant, store=store, extensions=[mount_review])
    with live_server(app) as server:
        yield server, store, run_id


def _login(base_url: str) -> httpx.Client:
    client = httpx.Client(base_url=base_url, timeout=60)
    response = client.post("/review/login", data={"username": "VSH-Lead", "password": PASSWORD, "next": "/review"})
    assert response.status_code == 303 and response.headers["location"] == "/review"
    return client


def test_access_without_login_is_refused(site: tuple[LiveServer, Any, str]) -> None:
    server, _, run_id = site
    with httpx.Client(base_url=server.base_url, timeout=30) as anonymous:
        page = anonymous.get("/review")
        assert page.status_code == 303 and page.headers["location"].startswith("/review/login")
        assert anonymous.get(f"/review?run={run_id}").status_code == 303
        assert anonymous.get("/review/export.csv").status_code == 401
        forged = anonymous.post("/review/transcripts/abc/annotations", data={"verdict": "correct", "csrf": "x"})
        assert forged.status_code == 303
        bad = anonymous.post("/review/login", data={"username": "vsh-lead", "password": "not the password"})
        assert bad.status_code == 401 and "not right" in bad.text
        assert anonymous.get("/review/login").status_code == 200
        tampered = anonymous.get("/review", cookies={"vsh_review": "forged.cookie.value"})
        assert tampered.status_code == 303


def test_review_annotate_and_export(site: tuple[LiveServer, Any, str]) -> None:
    server, _, run_id = site
    client = _login(server.base_url)
    listing = client.get(f"/review?run={run_id}")
    assert listing.status_code == 200 and "review set" in listing.text
    links = re.findall(r'class="row-link" href="/review/transcripts/([0-9a-f]+)\?run=', listing.text)
    assert len(links) == 4
    transcript_id = links[0]
    page = client.get(f"/review/transcripts/{transcript_id}")
    assert page.status_code == 200
    assert "Open in the source viewer" in page.text and "/sources/" in page.text  # citations opened inline
    # the comment box says how long a note may be, rather than the server cutting it short
    assert re.search(r'<textarea id="comment"[^>]*maxlength="5000"', page.text)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    no_token = client.post(f"/review/transcripts/{transcript_id}/annotations", data={"verdict": "wrong"})
    assert no_token.status_code in (403, 422)
    saved = client.post(
        f"/review/transcripts/{transcript_id}/annotations",
        data={
            "verdict": "partly_correct",
            "comment": "misses the SGO point",
            "csrf": csrf.group(1),
            "back": f"run={run_id}&verdict=none",
        },
    )
    assert saved.status_code == 303  # save and next: the next transcript of the same filtered list
    assert saved.headers["location"] == f"/review/transcripts/{links[1]}?run={run_id}&verdict=none&saved=1"
    after = client.get(saved.headers["location"])
    assert "Your verdict was saved" in after.text and "1 of 3" in after.text  # the reviewed one left the list
    assert f'href="/review?run={run_id}&amp;verdict=none#t-{links[1]}"' in after.text  # back keeps the filters
    assert "misses the SGO point" in client.get(f"/review/transcripts/{transcript_id}").text

    filtered = client.get(f"/review?run={run_id}&verdict=partly_correct")
    assert re.findall(r'class="row-link" href="/review/transcripts/([0-9a-f]+)', filtered.text) == [transcript_id]
    export = client.get(f"/review/export.csv?run={run_id}")
    assert export.status_code == 200 and export.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert len(rows) == 4
    [annotated] = [row for row in rows if row["transcript_id"] == transcript_id]
    assert annotated["verdict"] == "partly_correct" and annotated["reviewer"] == "vsh-lead"
    assert annotated["comment"] == "misses the SGO point" and annotated["citations"]
    client.close()


def test_live_transcripts_with_feedback_are_listed(site: tuple[LiveServer, Any, str]) -> None:
    server, _, _ = site
    with httpx.Client(base_url=server.base_url, timeout=60) as web:
        asked = web.post("/api/ask", json={"question": "Who decides how Pupil Premium Plus is spent?"})
        assert asked.status_code == 200
        transcript_id = asked.json()["transcript_id"]
        assert web.post("/api/feedback", json={"transcript_id": transcript_id, "helpful": False}).status_code in (
            200,
            201,
            204,
        )
    client = _login(server.base_url)
    live = client.get("/review?feedback=not_helpful")
    assert transcript_id in live.text
    assert transcript_id not in client.get("/review?feedback=helpful").text
    client.close()


def test_two_reviewers_judging_the_same_answer_at_once(site: tuple[LiveServer, Any, str]) -> None:
    """Alice and Bob open the same transcript; Alice saves "wrong" first. Bob's "correct" and approval are not
    saved over hers unseen: his page comes back (409) naming her verdict and note, with his own kept in the form;
    saving again records his too, and both stay listed."""
    server, store, run_id = site
    add_reviewer(store, "second-vsh", PASSWORD)
    alice = _login(server.base_url)
    bob = httpx.Client(base_url=server.base_url, timeout=60)
    assert bob.post("/review/login", data={"username": "second-vsh", "password": PASSWORD}).status_code == 303
    listing = alice.get(f"/review?run={run_id}")
    transcript_id = re.findall(r'class="row-link" href="/review/transcripts/([0-9a-f]+)', listing.text)[-1]

    def form(client: httpx.Client) -> dict[str, str]:
        page = client.get(f"/review/transcripts/{transcript_id}?run={run_id}").text
        return dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', page.split("</form>")[1]))

    alice_form, bob_form = form(alice), form(bob)
    first = alice.post(
        f"/review/transcripts/{transcript_id}/annotations",
        data={**alice_form, "verdict": "wrong", "comment": "cites the 2018 version"},
    )
    assert first.status_code == 303
    second = bob.post(
        f"/review/transcripts/{transcript_id}/annotations",
        data={**bob_form, "verdict": "correct", "comment": "reads fine to me", "approve": "1"},
        headers={"accept": "text/html"},
    )
    assert second.status_code == 409, second.status_code
    assert "vsh-lead judged this answer" in second.text and "cites the 2018 version" in second.text
    assert ">reads fine to me</textarea>" in second.text  # his note is kept in the form
    assert (
        re.search(r'value="correct" required checked', second.text)
        and 'name="approve" value="1" checked' in second.text
    )
    from evals.results import annotations_for

    assert [a.verdict for a in annotations_for(store, [transcript_id])[transcript_id]] == ["wrong"]
    again = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', second.text.split("</form>")[1]))
    saved = bob.post(
        f"/review/transcripts/{transcript_id}/annotations",
        data={**again, "verdict": "partly_correct", "comment": "reads fine, but see the note above"},
    )
    assert saved.status_code == 303
    notes = annotations_for(store, [transcript_id])[transcript_id]
    assert [(a.reviewer, a.verdict) for a in notes] == [("vsh-lead", "wrong"), ("second-vsh", "partly_correct")]
    alice.close()
    bob.close()


def test_an_approval_can_be_withdrawn(site: tuple[LiveServer, Any, str]) -> None:
    """An answer approved by mistake (the `a` key is one press) can be withdrawn on its transcript page: it is
    no longer given to users, the page says so, and the withdrawal needs the session's CSRF token."""
    from storage.approved import approved_answers

    server, store, run_id = site
    client = _login(server.base_url)
    listing = client.get(f"/review?run={run_id}")
    transcript_id = re.findall(r'class="row-link" href="/review/transcripts/([0-9a-f]+)', listing.text)[1]
    page = client.get(f"/review/transcripts/{transcript_id}?run={run_id}")
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.text)
    assert csrf
    approved = client.post(
        f"/review/transcripts/{transcript_id}/annotations",
        data={"verdict": "correct", "approve": "1", "csrf": csrf.group(1), "back": f"run={run_id}"},
    )
    assert approved.status_code == 303
    [row] = [a for a in approved_answers(store) if a.transcript_id == transcript_id]
    page = client.get(f"/review/transcripts/{transcript_id}?run={run_id}")
    action = f"/review/approved/{row.id}/withdraw"
    assert f'action="{action}"' in page.text
    refused = client.post(action, data={"csrf": "not the token", "back": f"run={run_id}"})
    assert refused.status_code == 403
    withdrawn = client.post(action, data={"csrf": csrf.group(1), "back": f"run={run_id}"})
    assert withdrawn.status_code == 303
    assert withdrawn.headers["location"] == f"/review/transcripts/{transcript_id}?run={run_id}&withdrawn=1#reuse"
    assert row.id not in {a.id for a in approved_answers(store)}  # no longer served
    after = client.get(withdrawn.headers["location"]).text
    assert "withdrawn by vsh-lead" in after and f'action="{action}"' not in after
    client.close()


def test_finding_a_question_search_declined_and_wrong_lead(site: tuple[LiveServer, Any, str]) -> None:
    """In a long run a reviewer finds a question by its words, or lists the declined answers or the answers
    that did not lead with the right paragraph; the filters travel to the transcript and the export."""
    from evals.results import run_rows

    server, store, run_id = site
    rows = run_rows(store, run_id)
    client = _login(server.base_url)

    def listed(query: str) -> set[str]:
        page = client.get(f"/review?run={run_id}&{query}")
        assert page.status_code == 200
        return set(re.findall(r'class="row-link" href="/review/transcripts/([0-9a-f]+)', page.text))

    cake = {r.transcript.id for r in rows if "chocolate" in r.transcript.question.lower()}
    assert cake and listed("q=CHOCOLATE+cake") == cake
    assert listed("declined=yes") == {r.transcript.id for r in rows if r.transcript.declined}
    assert listed("declined=no") == {r.transcript.id for r in rows if not r.transcript.declined}
    wrong_lead = {r.transcript.id for r in rows if r.result.answerable and not r.result.lead}
    assert listed("lead=wrong") == wrong_lead
    page = client.get(f"/review?run={run_id}&q=chocolate")
    assert 'value="chocolate"' in page.text and "q=chocolate" in page.text.split('class="row-link"')[1][:200]
    export = client.get(f"/review/export.csv?run={run_id}&q=chocolate")
    assert {row["transcript_id"] for row in csv.DictReader(io.StringIO(export.text))} == cake
    client.close()


def test_the_list_exports_to_json_with_whole_citations(site: tuple[LiveServer, Any, str]) -> None:
    """The JSON export holds the same transcripts as the CSV, in the same order, with each answer's points and
    its citations whole (document, section, paragraphs, pages, link, quote) and the latest verdict; the list's
    filters apply; without a session it answers 401."""
    server, store, run_id = site
    with httpx.Client(base_url=server.base_url, timeout=30) as anonymous:
        assert anonymous.get(f"/review/export.json?run={run_id}").status_code == 401
    client = _login(server.base_url)
    listing = client.get(f"/review?run={run_id}")
    assert f'href="/review/export.json?run={run_id}"' in listing.text
    exported = client.get(f"/review/export.json?run={run_id}")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("application/json")
    assert f'filename="vsh-review-{run_id[:8]}.json"' in exported.headers["content-disposition"]
    records = exported.json()["transcripts"]
    table = list(csv.DictReader(io.StringIO(client.get(f"/review/export.csv?run={run_id}").text)))
    assert [r["transcript_id"] for r in records] == [row["transcript_id"] for row in table]
    assert len(records) == 4
    for record, row in zip(records, table, strict=True):
        assert record["question"] == row["question"] and record["verdict"] == row["verdict"]
        assert "; ".join(c["locator"] for c in record["citations"]) == row["citations"]
        stored = store.get(record["transcript_id"])
        assert stored is not None and record["answer"] == stored.answer_text
    answered = [r for r in records if not r["declined"]]
    assert answered
    for record in answered:
        assert record["points"] and all(p["text"] and p["citations"] for p in record["points"])
        for citation in record["citations"]:
            assert citation["doc_id"] and citation["title"] and citation["quote"]
            assert citation["url"].startswith("/sources/")
            assert "score" not in citation
        numbers = {c["number"] for c in record["citations"]}
        assert {n for p in record["points"] for n in p["citations"]} <= numbers
    cake = client.get(f"/review/export.json?run={run_id}&q=chocolate").json()["transcripts"]
    assert {r["transcript_id"] for r in cake} == {
        r["transcript_id"] for r in records if "chocolate" in r["question"].lower()
    }
    client.close()


def test_the_answer_is_shown_as_the_user_saw_it_with_the_answering_sentence_marked(
    site: tuple[LiveServer, Any, str],
) -> None:
    server, store, _ = site
    lead = "The VSH is an officer of the local authority. The VSH manages <pupil premium plus>."
    answer = Answer(
        question="Who manages PP+?",
        text=f"Designated teacher guidance (statutory guidance), PP+:\n{lead} [1]",
        points=[AnswerPoint(text=lead, citations=[1], focus="The VSH manages <pupil premium plus>.")],
    )
    transcript_id = store.record(answer, channel="web", conversation_id="c-marked")
    store.flush()
    client = _login(server.base_url)
    page = client.get(f"/review/transcripts/{transcript_id}")
    assert page.status_code == 200
    shown = re.search(r'<div class="answer-text">(.*?)</div>', page.text, re.S)
    assert shown is not None
    assert 'authority. <mark class="focus"' in shown.group(1)
    assert ">The VSH manages &lt;pupil premium plus&gt;.</mark> [1]" in shown.group(1)  # escaped inside the mark
    client.close()
