"""Stage 4, compose: the answer text from the selected points, short enough for a phone.

Shape: the lead (whole sentences of one paragraph, with where it comes from), at most two further points,
and the must/should legend once (`legend`), only for the kinds of document cited. "Related sections" travel
beside the text (`Answer.related_sections`): each channel shows them as links without quotes
(`related_line` is the plain-text form). Every quoted sentence is verbatim from its cited passage; the only
other text is framing (document, status, section, paragraph) and the legend.
"""

from __future__ import annotations

from assistant.models import Citation, ClosestSection
from assistant.select import Point

__all__ = ["LEGEND_PARTS", "STATUS_WORDS", "compose_text", "legend", "point_source", "related_line", "section_where"]

STATUS_WORDS = {
    "statutory": "statutory guidance",
    "non-statutory": "non-statutory guidance",
    "announcement": "announcement, not guidance",
    "local": "local document",
    "unknown": "status unknown",
}

LEGEND_PARTS = {
    "statutory": "in statutory guidance 'must' is a legal duty and 'should' is expected unless there is good reason not to",
    "non-statutory": "non-statutory guidance is advice on good practice, not a legal duty",
    "announcement": "announcements are news, not guidance",
    "local": "local documents are local policy, not national guidance",
    "unknown": "a document of unknown status should be checked at its source",
}


def legend(citations: list[Citation]) -> str:
    """One sentence saying how to read 'must' and 'should' in the kinds of document cited ('' if none)."""
    statuses = list(dict.fromkeys(c.status for c in citations))
    parts = [LEGEND_PARTS[s] for s in LEGEND_PARTS if s in statuses]
    return f"How to read this: {'; '.join(parts)}." if parts else ""


def _place(citation: Citation) -> list[str]:
    """The heading (unless the title says it) and the paragraph, or else the page, of a citation."""
    heading = citation.section.split(" > ")[-1] if citation.section else ""
    parts = []
    if heading and heading.lower() not in citation.title.lower():
        parts.append(heading)
    if citation.paragraphs:
        parts.append(f"para {citation.paragraphs[0]}")
    elif citation.pages:
        parts.append(f"p.{citation.pages[0]}")
    return parts


def _where(citation: Citation) -> str:
    return ", ".join([citation.title, *_place(citation)])


def point_source(citation: Citation) -> str:
    """'Designated teacher guidance (Feb 2018) (statutory guidance), Pupil Premium Plus (PP+), para 41'; the
    status follows the whole title, commas and all."""
    status = STATUS_WORDS.get(citation.status, citation.status)
    return ", ".join([f"{citation.title} ({status})", *_place(citation)])


def section_where(link: ClosestSection) -> str:
    """'Designated teacher guidance (Feb 2018), Pupil Premium Plus (PP+), para 43, p.22'."""
    heading = link.section.split(" > ")[-1] if link.section else ""
    where = [link.title]
    if heading:
        where.append(heading)
    if link.paragraphs:
        where.append(f"para {link.paragraphs[0]}")
    if link.pages:
        where.append(f"p.{link.pages[0]}")
    return ", ".join(where)


def related_line(links: list[ClosestSection]) -> str:
    """'Related sections: A, heading, para 4; B, heading, p.9.' ('' when there are none)."""
    return ("Related sections: " + "; ".join(section_where(link) for link in links) + ".") if links else ""


def compose_text(
    points: list[Point],
    citations: list[Citation],
    numbers: list[int],
    notice: str = "",
    note: str = "",
) -> str:
    """Plain text with [n] markers: lead, further points, a note and the legend."""
    by_number = {c.number: c for c in citations}
    lines: list[str] = []
    if notice:
        lines += [notice, ""]
    lead, lead_number = points[0], numbers[0]
    lines += [f"{point_source(by_number[lead_number])}:", f"{lead.text} [{lead_number}]"]
    if len(points) > 1:
        lines += ["", "Also in the guidance:"]
        for point, number in zip(points[1:], numbers[1:], strict=True):
            lines.append(f"- {_where(by_number[number])}: {point.text} [{number}]")
    if note:
        lines += ["", note]
    text_legend = legend(citations)
    if text_legend:
        lines += ["", text_legend]
    return "\n".join(lines).strip()
