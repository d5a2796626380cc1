"""The figures of a question set's runs by date, as an inline SVG chart (no script, scales to a phone)."""

from __future__ import annotations

from datetime import datetime
from html import escape

__all__ = ["SERIES", "svg_chart"]

SERIES = (
    ("lead", "lead", "#1d4f91", ""),
    ("recall@5", "recall@5", "#00703c", "6 3"),
    ("fact_coverage", "facts", "#6f4500", "2 3"),
    ("decline_accuracy", "declines", "#b10e1e", "10 3 2 3"),
)
"""(summary key, label, colour, dash pattern): dashes tell the lines apart without colour."""
W, H, LEFT, RIGHT, TOP, BOTTOM = 640, 300, 44, 96, 16, 40


def _x(when: datetime, first: datetime, last: datetime) -> float:
    span = (last - first).total_seconds()
    share = 0.5 if span <= 0 else (when - first).total_seconds() / span
    return LEFT + share * (W - LEFT - RIGHT)


def _y(value: float) -> float:
    return TOP + (1 - max(0.0, min(1.0, value))) * (H - TOP - BOTTOM)


def svg_chart(points: list[tuple[datetime, dict[str, float | None]]], title: str) -> str:
    """A line per figure (0..1) over the runs' dates, oldest left; one run shows its points and values."""
    if not points:
        return ""
    first, last = points[0][0], points[-1][0]
    parts = [
        f'<svg class="chart" viewBox="0 0 {W} {H}" role="img" aria-labelledby="chart-title chart-desc" '
        'xmlns="http://www.w3.org/2000/svg">',
        f'<title id="chart-title">{escape(title)}</title>',
        f'<desc id="chart-desc">{len(points)} runs from {first:%d %b %Y} to {last:%d %b %Y}; the table above '
        "gives the latest figures.</desc>",
    ]
    for tick in (0.0, 0.25, 0.5, 0.75, 1.0):
        y = _y(tick)
        parts.append(f'<line x1="{LEFT}" x2="{W - RIGHT}" y1="{y:.1f}" y2="{y:.1f}" stroke="#d8d8d8"/>')
        parts.append(f'<text x="{LEFT - 6}" y="{y + 4:.1f}" text-anchor="end" font-size="12">{tick:.2f}</text>')
    dates = sorted({when.date() for when, _ in points})
    for day in dates if len(dates) <= 6 else dates[:: max(1, len(dates) // 6)]:
        when = next(w for w, _ in points if w.date() == day)
        parts.append(
            f'<text x="{_x(when, first, last):.1f}" y="{H - BOTTOM + 18}" text-anchor="middle" '
            f'font-size="12">{day:%d %b}</text>'
        )
    labels: list[tuple[float, str, str]] = []
    for key, label, colour, dash in SERIES:
        xy = [(_x(w, first, last), _y(v)) for w, s in points if (v := s.get(key)) is not None]
        if not xy:
            continue
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        if len(xy) > 1:
            path = " ".join(f"{x:.1f},{y:.1f}" for x, y in xy)
            parts.append(f'<polyline points="{path}" fill="none" stroke="{colour}" stroke-width="2.5"{dashes}/>')
        for x, y in xy:
            parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{colour}"/>')
        last_value = next(v for w, s in reversed(points) if (v := s.get(key)) is not None)
        labels.append((xy[-1][1] + 4, f"{escape(label)} {float(last_value):.2f}", colour))
    floor = 0.0
    for y, text, colour in sorted(labels):
        y = max(y, floor + 15)
        floor = y
        parts.append(f'<text x="{W - RIGHT + 8}" y="{y:.1f}" font-size="13" fill="{colour}">{text}</text>')
    parts.append("</svg>")
    return "\n".join(parts)
