"""Sections and passages of one document, shaped for the source viewer and `GET /api/sources/{doc_id}`."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import PurePath
from typing import Any

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool

from assistant.cite import paragraph_element_id, passage_element_id
from bots.service import ChannelService
from bots.web.schemas import SourceDocument, SourcePassage, SourceSection
from index import IndexUnavailable
from ingest.models import STATUS_LABELS, DocumentMeta, Passage

__all__ = [
    "fetch_document",
    "load_document",
    "ViewLine",
    "ViewPassage",
    "ViewSection",
    "view_sections",
]

_PARA_START = re.compile(r"^\s*(\d{1,3}(?:\.\d{1,3})?)[.)]?\s")


def load_document(index: Any, doc_id: str) -> tuple[DocumentMeta, list[Passage]] | None:
    """The document and its passages in order, or None when the index does not hold it."""
    try:
        meta = index.document(doc_id)
    except (KeyError, LookupError, ValueError):
        return None
    if meta is None:
        return None
    passages = sorted(index.passages(doc_id), key=lambda p: p.order)
    return meta, passages


async def fetch_document(service: ChannelService, doc_id: str, not_found: str) -> tuple[DocumentMeta, list[Passage]]:
    """`load_document` for a route: 503 with the rebuild hint when the index is missing, 404 `not_found`
    when it does not hold `doc_id`."""
    try:
        index = service.index.get()
    except IndexUnavailable as exc:
        raise HTTPException(503, str(exc)) from exc
    found = await run_in_threadpool(load_document, index, doc_id)
    if found is None:
        raise HTTPException(404, not_found)
    return found


@dataclass
class ViewLine:
    text: str
    element_id: str = ""
    bullet: bool = False


@dataclass
class ViewPassage:
    passage: Passage
    element_id: str
    lines: list[ViewLine]
    anchors: list[str] = field(default_factory=list)  # p-n ids not found at a line start
    current: bool = False


@dataclass
class ViewSection:
    title: str
    path: list[str]
    anchor: str
    passages: list[ViewPassage]
    current: bool = False


def view_sections(passages: list[Passage], current: str | None = None) -> list[ViewSection]:
    """Group passages into consecutive sections; give each numbered paragraph's first start the id p-{n}."""
    sections: list[ViewSection] = []
    used: set[str] = set()
    for p in passages:
        if not sections or sections[-1].path != p.section_path:
            sections.append(
                ViewSection(
                    title=p.heading or "Document", path=list(p.section_path), anchor=p.section_anchor, passages=[]
                )
            )
        wanted = [n for n in p.paragraphs if n not in used]
        lines: list[ViewLine] = []
        for raw in p.text.split("\n"):
            if not raw.strip():
                continue
            line = ViewLine(text=raw.strip(), bullet=raw.lstrip().startswith(("•", "-", "·")))
            m = _PARA_START.match(raw)
            if m and m.group(1) in wanted and m.group(1) not in used:
                line.element_id = paragraph_element_id(m.group(1))
                used.add(m.group(1))
            lines.append(line)
        anchors = []
        for n in wanted:
            if n not in used:
                anchors.append(paragraph_element_id(n))
                used.add(n)
        vp = ViewPassage(
            passage=p,
            element_id=passage_element_id(p.passage_id),
            lines=lines,
            anchors=anchors,
            current=p.passage_id == current,
        )
        sections[-1].passages.append(vp)
        if vp.current:
            sections[-1].current = True
    return sections


def source_document(meta: DocumentMeta, passages: list[Passage]) -> SourceDocument:
    """The API shape of a document. Its `path` is only the file name: the server's folders are not shown."""
    return SourceDocument(
        document=meta.model_copy(update={"path": PurePath(meta.path).name}),
        status_label=STATUS_LABELS.get(meta.status, STATUS_LABELS["unknown"]),
        sections=[
            SourceSection(
                title=s.title,
                path=s.path,
                anchor=s.anchor,
                passages=[
                    SourcePassage(
                        passage_id=v.passage.passage_id,
                        element_id=v.element_id,
                        paragraphs=v.passage.paragraphs,
                        pages=v.passage.pages,
                        text=v.passage.text,
                    )
                    for v in s.passages
                ],
            )
            for s in view_sections(passages)
        ],
    )
