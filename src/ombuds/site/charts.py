"""Server-side SVG bar charts: horizontal bars, labelled, with an accessible name and description.

No inline styles and no scripts (the site's Content-Security-Policy forbids both): the look comes from the `.chart*`
classes. Every text is escaped. Each chart on a page is followed by a table with the same figures."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

WIDTH = 720
LABEL_WIDTH = 220
VALUE_WIDTH = 70
BAR_HEIGHT = 22
GAP = 10
TOP = 10
AXIS = 24


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _number(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def bar_chart(items: list[tuple[str, float | None, str]], title: str, description: str, *,
              chart_id: str | None = None) -> Markup:
    """One bar per item (label, value, the value as shown); bars scale to the largest value. A None value draws
    no bar but keeps its label and shown text."""
    base = chart_id or f"chart-{_slug(title)}"
    title_id, desc_id = f"{base}-title", f"{base}-desc"
    values = [v for _, v, _ in items if v is not None]
    top = max(values, default=0) or 1
    plot = WIDTH - LABEL_WIDTH - VALUE_WIDTH
    height = TOP + len(items) * (BAR_HEIGHT + GAP) + AXIS
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{title_id} {desc_id}">',
             f'<title id="{title_id}">{escape(title)}</title>', f'<desc id="{desc_id}">{escape(description)}</desc>']
    bottom = height - AXIS
    for quarter in range(5):
        x = LABEL_WIDTH + plot * quarter / 4
        parts.append(f'<line class="chart-gridline" x1="{_number(x)}" y1="{TOP}" x2="{_number(x)}" '
                     f'y2="{bottom}" aria-hidden="true"/>')
    for i, (label, value, shown) in enumerate(items):
        y = TOP + i * (BAR_HEIGHT + GAP)
        middle = y + BAR_HEIGHT / 2 + 4
        parts.append('<g class="chart-row">')
        parts.append(f'<text class="chart-label" x="{LABEL_WIDTH - 8}" y="{_number(middle)}" '
                     f'text-anchor="end">{escape(label)}</text>')
        if value is not None:
            width = plot * max(value, 0) / top
            parts.append(f'<rect class="chart-bar" x="{LABEL_WIDTH}" y="{y}" width="{_number(width)}" '
                         f'height="{BAR_HEIGHT}"><title>{escape(label)}: {escape(shown)}</title></rect>')
        else:
            width = 0
        parts.append(f'<text class="chart-label" x="{_number(LABEL_WIDTH + width + 6)}" y="{_number(middle)}">'
                     f'{escape(shown)}</text>')
        parts.append("</g>")
    parts.append(f'<line class="chart-gridline" x1="{LABEL_WIDTH}" y1="{bottom}" x2="{LABEL_WIDTH + plot}" '
                 f'y2="{bottom}" aria-hidden="true"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
