"""Server-side SVG bar charts: horizontal bars, labelled, with an accessible name and description.

No inline styles and no scripts on the site (its Content-Security-Policy forbids both): the look comes from the
`.chart*` classes of the site's stylesheet. A document with no such stylesheet (a report's PDF and HTML) asks for
`standalone=True`: the same classes, styled by a `<style>` inside the SVG. Every text is escaped. Each chart is
followed by a table with the same figures."""

from __future__ import annotations

import re

from markupsafe import Markup, escape

WIDTH = 400  # narrow, so that on a phone the chart is drawn near its own size and its text stays readable
VALUE_WIDTH = 64
LABEL_HEIGHT = 18  # each label sits on its own line above its bar
BAR_HEIGHT = 16
GAP = 12
TOP = 4
STANDALONE_STYLE = (".chart-bar{fill:#1d70b8}.chart-gridline{stroke:#b1b4b6;stroke-width:1}"
                    ".chart-label{font-family:'DejaVu Sans',sans-serif;font-size:11px;fill:#0b0c0c}")


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "chart"


def _number(x: float) -> str:
    return f"{x:.2f}".rstrip("0").rstrip(".")


def bar_chart(items: list[tuple[str, float | None, str]], title: str, description: str, *,
              chart_id: str | None = None, standalone: bool = False) -> Markup:
    """One bar per item (label, value, the value as shown); bars scale to the largest value. A None value draws
    no bar but keeps its label and shown text."""
    base = chart_id or f"chart-{_slug(title)}"
    title_id, desc_id = f"{base}-title", f"{base}-desc"
    values = [v for _, v, _ in items if v is not None]
    top = max(values, default=0) or 1
    plot = WIDTH - VALUE_WIDTH
    row = LABEL_HEIGHT + BAR_HEIGHT + GAP
    height = TOP + len(items) * row
    parts = [f'<svg class="chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
             f'width="{WIDTH}" height="{height}" role="img" aria-labelledby="{title_id} {desc_id}">',
             f'<title id="{title_id}">{escape(title)}</title>', f'<desc id="{desc_id}">{escape(description)}</desc>']
    if standalone:
        parts.append(f"<style>{STANDALONE_STYLE}</style>")
    for quarter in range(5):
        x = max(0.5, plot * quarter / 4)
        parts.append(f'<line class="chart-gridline" x1="{_number(x)}" y1="{TOP + LABEL_HEIGHT}" x2="{_number(x)}" '
                     f'y2="{height - GAP}" aria-hidden="true"/>')
    for i, (label, value, shown) in enumerate(items):
        y = TOP + i * row
        bar_top = y + LABEL_HEIGHT
        parts.append('<g class="chart-row">')
        parts.append(f'<text class="chart-label" x="0" y="{y + LABEL_HEIGHT - 5}">{escape(label)}</text>')
        width = plot * max(value, 0) / top if value is not None else 0
        if value is not None:
            parts.append(f'<rect class="chart-bar" x="0" y="{bar_top}" width="{_number(width)}" '
                         f'height="{BAR_HEIGHT}"><title>{escape(label)}: {escape(shown)}</title></rect>')
        parts.append(f'<text class="chart-label chart-value" x="{_number(width + 6)}" '
                     f'y="{bar_top + BAR_HEIGHT - 3}">{escape(shown)}</text>')
        parts.append("</g>")
    parts.append("</svg>")
    return Markup("".join(parts))
