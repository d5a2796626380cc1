"""HTML pages: the chat page and the source viewer (server-rendered Jinja2, no build step)."""

from __future__ import annotations

from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool

from bots.coverage import Coverage, load_coverage
from bots.web.deps import ServiceDep, SettingsDep
from bots.web.sources import fetch_document, view_sections
from index import IndexUnavailable
from ingest.models import STATUS_LABELS

__all__ = ["router", "templates", "STARTERS", "NOTICE"]

HERE = Path(__file__).resolve().parent
templates = Jinja2Templates(directory=str(HERE / "templates"))

NOTICE = "This is guidance, not legal advice. Do not enter a child's name or other personal details."
STARTERS = [
    "Which children is the Virtual School Head responsible for?",
    "What must a Virtual School Head do for previously looked-after children?",
    "How should Pupil Premium Plus funding be managed?",
    "What changed for children in kinship care?",
    "What does the designated teacher have to do?",
]

router = APIRouter(include_in_schema=False)


@router.get("/", response_class=HTMLResponse)
async def chat(request: Request, settings: SettingsDep, service: ServiceDep) -> HTMLResponse:
    coverage: Coverage | None
    try:
        documents = await run_in_threadpool(service.index.documents)
        coverage = load_coverage(documents, settings.sources_manifest, settings.govuk_base_url)
    except IndexUnavailable:
        coverage = None
    return templates.TemplateResponse(
        request,
        "chat.html",
        {
            "notice": NOTICE,
            "starters": STARTERS,
            "max_chars": settings.max_question_chars,
            "coverage": coverage,
            "status_labels": STATUS_LABELS,
        },
    )


@router.get("/sources/{doc_id}", response_class=HTMLResponse)
async def source_viewer(request: Request, doc_id: str, service: ServiceDep, passage: str | None = None) -> HTMLResponse:
    not_found = f"There is no document called “{doc_id}” in the guidance I hold."
    meta, passages = await fetch_document(service, doc_id, not_found)
    sections = view_sections(passages, current=passage)
    return templates.TemplateResponse(
        request,
        "source.html",
        {
            "doc": meta,
            "status_label": STATUS_LABELS.get(meta.status, STATUS_LABELS["unknown"]),
            "sections": sections,
            "current": passage,
            "notice": NOTICE,
        },
    )
