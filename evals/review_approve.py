"""Approving answers for reuse on the /review pages: as they are, or corrected with citations chosen from the
index (a search box on the transcript screen), and the list of approved answers that need re-review.

Approved answers are stored by `storage.approved` with the reviewer, the date, the question and the content
hashes of the cited documents; the assistant serves them again (`assistant.approved`). When a document an
approved answer cites changes in the index, the answer is no longer served and is listed on /review. A reviewer
can withdraw an approval from its transcript page.
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse, Response

from assistant import Answer, AnswerPoint
from assistant.cite import passage_citation
from assistant.compose import legend
from evals.review_auth import Session, check_csrf
from evals.review_page import Correction, index_of, store_of, transcript_page
from evals.review_rows import ListFilters
from storage import Transcript
from storage.approved import ApprovedAnswer, approve, approved_answers, mark_stale, withdraw

__all__ = ["approve_router", "approve_transcript", "needs_rereview"]

log = logging.getLogger("vsh.review")
approve_router = APIRouter(prefix="/review", include_in_schema=False)
MAX_CITATIONS = 3
MAX_TEXT = 5000
SEARCH_RESULTS = 8


def approve_transcript(request: Request, transcript: Transcript, reviewer: str) -> str:
    """Approve a transcript's answer as it is; returns the approved answer's id."""
    answer = Answer.model_validate_json(transcript.answer_json)
    return approve(
        store_of(request),
        question=transcript.resolved_question or transcript.question,
        answer=answer,
        reviewer=reviewer,
        kind="approved",
        documents=index_of(request).documents(),
        transcript_id=transcript.id,
    )


def needs_rereview(request: Request) -> list[ApprovedAnswer]:
    """Approved answers no longer served because a document they cite changed (checked against the index now)."""
    store = store_of(request)
    try:
        documents = request.app.state.assistant.index.documents()
    except Exception as exc:  # no index: nothing can be checked, the stored states stand
        log.warning("approved answers not checked against the index: %s", type(exc).__name__)
    else:
        mark_stale(store, documents)
    return approved_answers(store, "stale")


def _corrected(question: str, text: str, passages: list[Any], request: Request) -> Answer:
    documents = {d.doc_id: d for d in index_of(request).documents()}
    citations = [passage_citation(n, p, documents[p.doc_id]) for n, p in enumerate(passages, 1)]
    note = legend(citations)
    return Answer(
        question=question,
        text=f"{text}\n\n{note}" if note else text,
        points=[AnswerPoint(text=text, citations=[c.number for c in citations])],
        evidence="strong",
        confidence=1.0,
        citations=citations,
        legend=note,
    )


@approve_router.post("/transcripts/{transcript_id}/correct")
def correct(
    request: Request,
    session: Session,
    transcript_id: str,
    csrf: Annotated[str, Form()],
    text: Annotated[str, Form()] = "",
    cite: Annotated[list[str] | None, Form()] = None,
    q: Annotated[str, Form()] = "",
    action: Annotated[str, Form()] = "search",
    back: Annotated[str, Form()] = "",
) -> Response:
    """Search the index for passages to cite (`action=search`, the page comes back with the text kept), or
    save the corrected answer with the chosen citations (`action=save`) as an approved answer."""
    check_csrf(session, csrf)
    store = store_of(request)
    transcript = store.get(transcript_id)
    if transcript is None:
        raise HTTPException(status_code=404, detail="No such transcript.")
    index = index_of(request)
    filters = ListFilters.from_query(back)
    chosen = [p for pid in dict.fromkeys(cite or []) if (p := index.passage(pid)) is not None]
    correction = Correction(text=text.strip()[:MAX_TEXT], chosen=chosen, query=q.strip()[:200])
    if action == "save":
        if not correction.text:
            correction.error = "Write the corrected answer before saving it."
        elif not chosen:
            correction.error = "Choose at least one passage to cite: every answer shows where it comes from."
        elif len(chosen) > MAX_CITATIONS:
            correction.error = f"Cite at most {MAX_CITATIONS} passages."
        if correction.error:
            return transcript_page(request, session, transcript_id, filters, correction, status_code=422)
        question = transcript.resolved_question or transcript.question
        answer = _corrected(question, correction.text, chosen, request)
        approve(
            store,
            question=question,
            answer=answer,
            reviewer=session["user"],
            kind="corrected",
            documents=index.documents(),
            transcript_id=transcript_id,
        )
        return RedirectResponse(
            f"/review/transcripts/{transcript_id}{filters.suffix('corrected=1')}#reuse", status_code=303
        )
    if correction.query:
        taken = {p.passage_id for p in chosen}
        hits = index.search(correction.query, k=SEARCH_RESULTS)
        correction.results = [h.passage for h in hits if h.passage.passage_id not in taken]
    return transcript_page(request, session, transcript_id, filters, correction)


@approve_router.post("/approved/{approved_id}/withdraw")
def withdraw_approval(
    request: Request,
    session: Session,
    approved_id: str,
    csrf: Annotated[str, Form()],
    back: Annotated[str, Form()] = "",
) -> Response:
    """Stop giving an approved (or corrected) answer to users; back to its transcript."""
    check_csrf(session, csrf)
    store = store_of(request)
    with store.session() as db:
        row = db.get(ApprovedAnswer, approved_id)
        transcript_id = row.transcript_id if row is not None else None
    if row is None:
        raise HTTPException(status_code=404, detail="No such approved answer.")
    withdraw(store, approved_id, session["user"])  # one already withdrawn or superseded stays as it is
    filters = ListFilters.from_query(back)
    if transcript_id is None:
        return RedirectResponse(f"/review{filters.suffix()}", status_code=303)
    return RedirectResponse(
        f"/review/transcripts/{transcript_id}{filters.suffix('withdrawn=1')}#reuse", status_code=303
    )
