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

__all__ = ["citation", "citation_url", "passage_anchor", "published_label", "section_link"]


def passage_anchor(passage: Passage, paragraph: str = "") -> str:
    """Element id in the source viewer: `p-39` (the paragraph, or the passage's first), or `passage-...`."""
    number = paragraph or (passage.paragraphs[0] if passage.paragraphs else "")
    if number:
        return f"p-{number}"
    return "passage-" + passage.passage_id.replace(":", "-")


def citation_url(passage: Passage, paragraph: str = "") -> str:
    """`/sources/{doc_id}?passage={passage_id}#{anchor}` (relative; channels prefix public_base_url)."""
    return f"/sources/{passage.doc_id}?passage={passage.passage_id}#{passage_anchor(passage, paragraph)}"


def published_label(doc: DocumentMeta) -> str:
    """The document's date as it words it, else ISO."""
    return doc.published_label or (doc.published.isoformat() if doc.published else "")


def citation(number: int, point: Point) -> Citation:
    """The citation behind one quoted point: the paragraph quoted, its pages, and the passages' exact text."""
    p, d = point.passage, point.candidate.doc
    pages: list[int] = []
    for quoted in point.passages:
        pages.extend(page for page in quoted.pages if page not in pages)
    paragraphs = point.paragraphs or list(p.paragraphs)
    return Citation(
        number=number,
        passage_id=p.passage_id,
        doc_id=d.doc_id,
        title=d.citation_name,
        status=d.status,
        status_label=STATUS_LABELS.get(d.status, STATUS_LABELS["unknown"]),
        published=published_label(d),
        section=p.section,
        paragraphs=paragraphs,
        pages=sorted(pages),
        quote="\n".join(quoted.text for quoted in point.passages),
        url=citation_url(p, paragraphs[0] if paragraphs else ""),
        source_url=d.source_link(p.section_anchor),
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
