"""How every channel (web, Slack, command line) shows an `Answer`: the same parts, each once.

`Answer.text` is the whole answer as plain text: the safeguarding notice first (when there is one), the lead,
"Also in the guidance:" points, for a decline the closest sections as "- " lines, and the must/should legend
last. The channels show the notice as a warning, the legend compactly under the sources and the closest
sections as links, so `answer_view` splits them off the text: `body` is what remains, shown once.

A point quoting a list holds the lead-in then its items inline ("... may be able to: • provide ...; • help
... [3]"); `quoted_list` splits it and `lay_out` shows it as the web chat does: the lead-in, then one item a
line with its marker kept as text, the citation after the last item. Only where lines break changes: the
quote is still verbatim.

A point whose quote does not start with its answering sentence (a lead with the sentences that introduce it)
has that sentence marked (`marked_focus`, `mark`, `marked_runs`): bold in Slack and the terminal, highlighted in
the web chat and on the review pages.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from assistant.models import Answer, ClosestSection
from textkit import is_list_item, list_markers

__all__ = [
    "AnswerView",
    "EVIDENCE_NOTES",
    "answer_view",
    "evidence_note",
    "dated_title",
    "absolute_url",
    "outside_link",
    "bulleted",
    "quoted_list",
    "lay_out",
    "marked_focus",
    "mark",
    "marked_runs",
]

_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")
_BULLETS = frozenset("•●▪◦‣∙·\uf0b7")
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7, "viii": 8, "ix": 9, "x": 10}
_ITEM_END = re.compile(r"[.;:,](?:\s+(?:and|or))?$")
"""How the text before a lettered item ends when the letter opens an item ("...; (b)", "..., and (c)"), not
a reference in a sentence ("(a) and (b) of the Act")."""


@dataclass(frozen=True)
class AnswerView:
    """The parts of an answer as the channels show them: each appears once."""

    notice: str
    body: str
    legend: str


def _drop_closest_list(lines: list[str], closest: list[ClosestSection]) -> list[str]:
    """Without the trailing "heading:" line and its "- " lines when they list exactly the closest sections."""
    n = len(closest)
    if not n or len(lines) < n + 1:
        return lines
    tail, heading = lines[-n:], lines[-n - 1]
    if heading.rstrip().endswith(":") and all(line.startswith("- ") for line in tail):
        return lines[: -n - 1]
    return lines


def answer_view(answer: Answer) -> AnswerView:
    """The notice, the text without the parts shown on their own (notice, legend, a decline's closest
    sections), and the legend."""
    lines = answer.text.strip().split("\n")
    notice = answer.safeguarding_notice.strip()
    if notice and lines and lines[0].strip() == notice:
        lines = lines[1:]
    legend = answer.legend.strip()
    while lines and not lines[-1].strip():
        lines.pop()
    if legend and lines and lines[-1].strip() == legend:
        lines.pop()
    if answer.declined:
        lines = _drop_closest_list(lines, answer.closest_sections)
    body = "\n".join(lines).strip()
    body = re.sub(r"\n{3,}", "\n\n", body)
    return AnswerView(notice=notice, body=body, legend=legend)


EVIDENCE_NOTES = {
    "strong": "Evidence: strong. The first source matches the question closely.",
    "moderate": "Evidence: moderate. Check that the sources fit your case.",
    "weak": (
        "Evidence: weak. The guidance I hold may not answer this directly: check the sources and the related "
        "sections before relying on it."
    ),
}
"""What each evidence level tells the reader (`assistant.decline.evidence_level`). On the question sets a "strong"
lead was right 0.78-1.0 of the time, a "moderate" one 0.5-0.7 and a "weak" one about a third of the time
(evals/README.md, "Evidence labels")."""


def evidence_note(answer: Answer) -> str:
    """The line saying how well the guidance found answers the question ('' for a decline, which says so
    itself, and for an answer without an evidence level)."""
    return "" if answer.declined else EVIDENCE_NOTES.get(answer.evidence, "")


def dated_title(title: str, published: str) -> str:
    """The title with its date once: 'Children missing education (Aug 2024)' stays as it is (it has a year);
    'Guidance' + 'July 2025 (in force September 2025)' -> 'Guidance (July 2025, in force September 2025)'."""
    published = published.strip()
    if not published or _YEAR.search(title) or published.lower() in title.lower():
        return title
    flat = re.sub(r"\s*\(([^()]*)\)", r", \1", published).strip(", ")
    return f"{title} ({flat})"


def absolute_url(base_url: str, url: str) -> str:
    """`url` made absolute against `base_url` ('' when either is empty; absolute URLs unchanged)."""
    if not url:
        return ""
    if url.startswith(("http://", "https://")):
        return url
    if not base_url:
        return ""
    return base_url.rstrip("/") + "/" + url.lstrip("/")


def outside_link(base_url: str, url: str, source_url: str = "") -> str:
    """A link that opens outside the web app: the source viewer at `base_url` when one is set, else the
    official publication (GOV.UK), else ''."""
    return absolute_url(base_url, url) or source_url


def bulleted(text: str, mark: str = "•") -> str:
    """Plain-text "- " list items with a real bullet."""
    return re.sub(r"(?m)^- ", f"{mark} ", text)


def _marker_places(marker: str) -> tuple[str, set[int]]:
    """The style of a lettered or roman marker and the places it can have: '(c)' -> ('(x)', {3});
    'i)' -> ('x)', {1, 9}) (roman one, or the letter after 'h)')."""
    style = ("(" if marker.startswith("(") else "") + "x" + marker[-1]
    label = marker.strip("().")
    places = {_ROMAN[label]} if label in _ROMAN else set()
    if len(label) == 1:
        places.add(ord(label) - ord("a") + 1)
    return style, places


def _item_starts(text: str) -> list[int]:
    """Where the items of a quoted list start in `text`: at every bullet, and at lettered or roman markers that
    follow on from each other ('(a)', '(b)', ...; at least two) after the end of an item."""
    starts = []
    runs: list[list[tuple[int, str, set[int]]]] = []
    for m in list_markers(text):
        marker = m.group(0)
        if marker in _BULLETS:
            starts.append(m.start())
            continue
        style, places = _marker_places(marker)
        follows = _ITEM_END.search(text[: m.start()].rstrip())
        for run in reversed(runs):
            _, last_style, last_places = run[-1]
            if follows and last_style == style and any(p - 1 in last_places for p in places):
                run.append((m.start(), style, places))
                break
        else:
            runs.append([(m.start(), style, places)])
    starts += [start for run in runs if len(run) > 1 for start, _, _ in run]
    return sorted(starts)


def quoted_list(text: str) -> tuple[str, list[str]]:
    """A point that quotes a list, split for showing: its lead-in and its items, each item starting with its
    marker as the text has it; whatever followed the last item (the citation '[3]') stays with it.

    `(text, [])` when it quotes no list; the lead-in is '' when the text opens with an item. The lead-in and
    the items joined by spaces are the text again.
    """
    starts = _item_starts(text)
    if not starts:
        return text, []
    lead = text[: starts[0]].strip()
    items = [text[a:b].strip() for a, b in zip(starts, [*starts[1:], len(text)], strict=True)]
    if is_list_item(lead):
        return "", [lead, *items]
    return lead, items


def lay_out(body: str, indent: str = "  ") -> str:
    """`body` (lines of plain text) with each quoted list laid out: its lead-in, then one item a line with its
    marker, the citation after the last item. The items of a "- " point are indented by `indent` under it."""
    lines = []
    for line in body.split("\n"):
        lead, items = quoted_list(line)
        point = line.startswith("- ")
        if not items or (point and not lead.strip("- ")):
            lines.append(line)
            continue
        lines += [lead] if lead else []
        lines += [(indent if point else "") + item for item in items]
    return "\n".join(lines)


def marked_focus(answer: Answer) -> list[str]:
    """The answering sentences a reader should see marked: each point's `focus` when its quote holds it but does
    not start with it (a quote that starts with its answering sentence shows it first)."""
    return [p.focus for p in answer.points if p.focus and p.focus in p.text and not p.text.startswith(p.focus)]


def _shown(text: str, focus: str, across_lines: bool = False) -> re.Match[str] | None:
    """The first run of `text` that shows `focus` word for word (any spaces between its words, and line breaks
    too with `across_lines`), if any."""
    words = focus.split()
    if not words:
        return None
    gap = r"\s+" if across_lines else r"[ \t]+"
    return re.search(gap.join(re.escape(w) for w in words), text)


def mark(text: str, focus: str, marked: Callable[[str], str], across_lines: bool = False) -> str:
    """`text` with the first run that shows `focus` (`_shown`) replaced by `marked(run)`; `text` unchanged when
    no run shows it."""
    found = _shown(text, focus, across_lines)
    if found is None:
        return text
    return text[: found.start()] + marked(found.group(0)) + text[found.end() :]


def marked_runs(answer: Answer) -> list[tuple[str, bool]]:
    """`answer.text` cut into runs, each with whether it is an answering sentence to mark (`marked_focus`), for
    pages that mark it with their own markup; joined, the runs are the text."""
    runs = [(answer.text, False)]
    for focus in marked_focus(answer):
        for i, (text, is_marked) in enumerate(runs):
            found = None if is_marked else _shown(text, focus)
            if found is not None:
                cut = [(text[: found.start()], False), (found.group(0), True), (text[found.end() :], False)]
                runs[i : i + 1] = [run for run in cut if run[0]]
                break
    return runs
