"""Export of the /review list, as the reviewer has filtered it: CSV for a spreadsheet, JSON for other tools.

Both carry the same transcripts in the same order with the latest verdict of each. The CSV flattens the
citations to their locators (cells made formula-safe by `evals.export`); the JSON keeps each citation whole
(document, section, paragraphs, pages, link, quote) and the answer's points, so that a Virtual School's own
records or a later check can use exactly what was answered. Without a reviewer session both answer 401.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import Response

from assistant import Answer
from evals.export import csv_text
from evals.results import annotations_for, get_run, latest_annotation
from evals.review_auth import reviewer_session_api
from evals.review_page import store_of
from evals.review_rows import ListFilters, filtered_rows

__all__ = ["CSV_COLUMNS", "export_router", "exported_records"]

export_router = APIRouter(prefix="/review", include_in_schema=False)

CSV_COLUMNS = (
    "transcript_id",
    "channel",
    "created_at",
    "topic",
    "question",
    "answer",
    "declined",
    "citations",
    "feedback",
    "verdict",
    "reviewer",
    "comment",
    "conversation_id",
)


def exported_records(request: Request) -> tuple[str, list[dict[str, Any]]]:
    """The file name stem and one record per transcript of the filtered list (the request's query)."""
    store = store_of(request)
    filters = ListFilters.from_query(dict(request.query_params))
    selected = get_run(store, filters.run) if filters.run else None
    rows = filtered_rows(store, selected.id if selected else "", filters)
    notes = annotations_for(store, [row["transcript"].id for row in rows])
    records = []
    for row in rows:
        transcript = row["transcript"]
        latest = latest_annotation(notes, transcript.id)
        answer = Answer.model_validate_json(transcript.answer_json)
        records.append(
            {
                "transcript_id": transcript.id,
                "channel": transcript.channel,
                "created_at": transcript.created_at.isoformat() if transcript.created_at else "",
                "topic": row["topic"],
                "question": transcript.question,
                "answer": transcript.answer_text,
                "declined": bool(transcript.declined),
                "decline_reason": answer.decline_reason,
                "evidence": answer.evidence,
                "points": [point.model_dump(mode="json") for point in answer.points],
                "citations": [
                    {**citation.model_dump(mode="json", exclude={"score"}), "locator": citation.locator}
                    for citation in answer.citations
                ],
                "feedback": row["feedback"],
                "verdict": latest.verdict if latest else "",
                "reviewer": latest.reviewer if latest else "",
                "comment": latest.comment if latest else "",
                "conversation_id": transcript.conversation_id,
            }
        )
    return f"vsh-review-{selected.id[:8] if selected else 'live'}", records


def _download(body: str, media_type: str, name: str) -> Response:
    return Response(body, media_type=media_type, headers={"Content-Disposition": f'attachment; filename="{name}"'})


@export_router.get("/export.csv")
def export_csv(request: Request, _: Annotated[dict[str, str], Depends(reviewer_session_api)]) -> Response:
    """The filtered list as CSV, one row per transcript, citations as their locators."""
    name, records = exported_records(request)
    lines = [
        [
            "; ".join(c["locator"] for c in record["citations"]) if column == "citations" else record[column]
            for column in CSV_COLUMNS
        ]
        for record in records
    ]
    return _download(csv_text(CSV_COLUMNS, lines), "text/csv; charset=utf-8", f"{name}.csv")


@export_router.get("/export.json")
def export_json(request: Request, _: Annotated[dict[str, str], Depends(reviewer_session_api)]) -> Response:
    """The filtered list as JSON: `{"transcripts": [...]}`, each with its points and whole citations."""
    name, records = exported_records(request)
    body = json.dumps({"transcripts": records}, ensure_ascii=False, indent=1)
    return _download(body, "application/json", f"{name}.json")
