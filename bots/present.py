"""How every channel (web, Slack, command line) shows an `Answer`: the same parts, each once.

`Answer.text` is the whole answer as plain text: the safeguarding notice first (when there is one), the lead,
"Also in the guidance:" points, for a decline the closest sections as "- " lines, and the must/should legend
last. The channels show the notice as a warning, the legend compactly under the sources and the closest
sections as links, so `answer_view` splits them off the text: `body` is what remains, shown once.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from assistant.models import Answer, ClosestSection

__all__ = ["AnswerView", "answer_view", "dated_title", "absolute_url", "outside_link", "bulleted"]

_YEAR = re.compile(r"\b(?:19|20)\d{2}\b")


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
