"""Stage 5, cite: citations for the quoted points, and links for related sections.

Citation links point at the web source viewer: `/sources/{doc_id}?passage={passage_id}#{anchor}` where
`anchor` is `p-<paragraph number>` for the paragraph quoted, else `passage-<passage_id with ':' as '-'>`.
The source viewer gives those element ids to the paragraphs and passages it renders.
"""

from __future__ import annotations

from assistant.models import Citation, ClosestSection
from assistant.retrieve import Candidate
from assistant.select import Point
from ingest.models import STATUS_LABELS, DocumentMeta, Passage

__all__ = [
    "citation",
    "citation_url",
    "paragraph_element_id",
    "passage_anchor",
    "passage_citation",
    "passage_element_id",
    "published_label",
    "section_link",
]


def paragraph_element_id(number: str) -> str:
    """The source viewer's element id of a numbered paragraph: `p-39`."""
    return f"p-{number}"


def passage_element_id(passage_id: str) -> str:
    """The source viewer's element id of a passage: `passage-<passage_id with ':' as '-'>`."""
    return "passage-" + passage_id.replace(":", "-")


def passage_anchor(passage: Passage, paragraph: str = "") -> str:
    """Element id in the source viewer: `p-39` (the paragraph, or the passage's first), or `passage-...`."""
    number = paragraph or (passage.paragraphs[0] if passage.paragraphs else "")
    return paragraph_element_id(number) if number else passage_element_id(passage.passage_id)


def citation_url(passage: Passage, paragraph: str = "") -> str:
    """`/sources/{doc_id}?passage={passage_id}#{anchor}` (relative; channels prefix public_base_url)."""
    return f"/sources/{passage.doc_id}?passage={passage.passage_id}#{passage_anchor(passage, paragraph)}"


def published_label(doc: DocumentMeta) -> str:
    """The document's date as it words it, else ISO."""
    return doc.published_label or (doc.published.isoformat() if doc.published else "")


def passage_citation(
    number: int,
    passage: Passage,
    doc: DocumentMeta,
    *,
    paragraphs: list[str] | None = None,
    pages: list[int] | None = None,
    quote: str | None = None,
    score: float = 1.0,
) -> Citation:
    """A citation of `passage` of `doc`: by default the whole passage (its paragraphs, pages and text), as for
    answers a reviewer corrected and cited by hand; `citation` narrows it to what a point quotes."""
    paragraphs = list(passage.paragraphs) if paragraphs is None else paragraphs
    return Citation(
        number=number,
        passage_id=passage.passage_id,
        doc_id=doc.doc_id,
        title=doc.citation_name,
        status=doc.status,
        status_label=STATUS_LABELS.get(doc.status, STATUS_LABELS["unknown"]),
        published=published_label(doc),
        section=passage.section,
        paragraphs=paragraphs,
        pages=list(passage.pages) if pages is None else pages,
        quote=passage.text if quote is None else quote,
        url=citation_url(passage, paragraphs[0] if paragraphs else ""),
        source_url=doc.source_link(passage.section_anchor),
        score=score,
    )


def citation(number: int, point: Point) -> Citation:
    """The citation behind one quoted point: the paragraph quoted, its pages, and the passages' exact text."""
    pages: list[int] = []
    for quoted in point.passages:
        pages.extend(page for page in quoted.pages if page not in pages)
    return passage_citation(
        number,
        point.passage,
        point.candidate.doc,
        paragraphs=point.paragraphs or list(point.passage.paragraphs),
        pages=sorted(pages),
        quote="\n".join(quoted.text for quoted in point.passages),
        score=round(float(point.candidate.relevance), 4),
    )


def section_link(candidate: Candidate) -> ClosestSection:
    """A related or closest section, as a link without a quote."""
    p, d = candidate.passage, candidate.doc
    return ClosestSection(
        doc_id=d.doc_id,
        title=d.citation_name,
        section=p.section,
        paragraphs=list(p.paragraphs),
        pages=list(p.pages),
        url=citation_url(p),
        score=round(float(candidate.relevance), 4),
    )
