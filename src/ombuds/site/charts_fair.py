"""Server-side SVG charts for fair comparison: the funnel plot and the trend line chart.

As `site.charts`: role="group" with a title and description, no inline styles or scripts (the CSP forbids both), the
look from `.funnel*`/`.trend*` classes, every text escaped, and a table with the same figures after each chart."""

from __future__ import annotations

from markupsafe import Markup, escape

from ombuds.charts import _number, _slug

WIDTH, HEIGHT = 720, 420
LEFT, RIGHT, TOP, BOTTOM = 56, 16, 12, 44


def _frame(title: str, description: str, base: str) -> list[str]:
    title_id, desc_id = f"{base}-title", f"{base}-desc"
    return [f'<svg class="chart fair-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" '
            f'width="{WIDTH}" height="{HEIGHT}" role="group" aria-labelledby="{title_id} {desc_id}">',
            f'<title id="{title_id}">{escape(title)}</title>', f'<desc id="{desc_id}">{escape(description)}</desc>']


def _y(value: float) -> float:
    return TOP + (HEIGHT - TOP - BOTTOM) * (1 - value)


def _percent_axis(parts: list[str]) -> None:
    for tenth in range(0, 11, 2):
        y = _y(tenth / 10)
        parts.append(f'<line class="chart-gridline" x1="{LEFT}" y1="{_number(y)}" x2="{WIDTH - RIGHT}" '
                     f'y2="{_number(y)}" aria-hidden="true"/>')
        parts.append(f'<text class="chart-axis" x="{LEFT - 6}" y="{_number(y + 4)}" text-anchor="end" '
                     f'aria-hidden="true">{tenth * 10}%</text>')


Curve = list[tuple[int, float, float]]


def funnel_chart(points: list[tuple[str, int, float, str, str, bool]], curves: dict[str, Curve],
                 target: float | None, title: str, description: str, x_label: str, *,
                 chart_id: str | None = None, root: str = "") -> Markup:
    """points: (code, denominator, rate, link (a path from ombuds.urls, put after `root`), accessible label,
    highlighted); curves: "95"/"99.8" → (n, lower,
    upper) from n = 1; target: the type average. The x axis (cases) is on a square-root scale."""
    base = chart_id or f"funnel-{_slug(title)}"
    parts = _frame(title, description, base)
    n_max = max([n for _, n, *_ in points] + [n for c in curves.values() for n, _, _ in c] + [1])
    span = WIDTH - LEFT - RIGHT

    def x(n: float) -> float:
        return LEFT + span * (n / n_max) ** 0.5

    _percent_axis(parts)
    for tick in sorted({1, max(1, round(n_max / 4)), max(1, round(n_max / 2)), n_max}):
        parts.append(f'<text class="chart-axis" x="{_number(x(tick))}" y="{HEIGHT - BOTTOM + 16}" '
                     f'text-anchor="middle" aria-hidden="true">{tick:,}</text>')
    parts.append(f'<text class="chart-axis" x="{LEFT + span / 2}" y="{HEIGHT - 6}" text-anchor="middle" '
                 f'aria-hidden="true">{escape(x_label)}</text>')
    for name, curve in curves.items():
        for side in (1, 2):
            line = " ".join(f"{_number(x(p[0]))},{_number(_y(p[side]))}" for p in curve)
            parts.append(f'<polyline class="funnel-limit funnel-limit--{_slug(name)}" points="{line}" '
                         'aria-hidden="true"/>')
    if target is not None:
        parts.append(f'<line class="funnel-target" x1="{LEFT}" y1="{_number(_y(target))}" x2="{WIDTH - RIGHT}" '
                     f'y2="{_number(_y(target))}" aria-hidden="true"/>')
    for code, n, value, link, label, highlighted in points:
        css = "funnel-point funnel-point--highlight" if highlighted else "funnel-point"
        parts.append(f'<a href="{escape(root + link)}" aria-label="{escape(label)}" id="point-{escape(code)}">'
                     f'<circle class="{css}" cx="{_number(x(n))}" cy="{_number(_y(value))}" '
                     f'r="{6 if highlighted else 4}"><title>{escape(label)}</title></circle></a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_chart(years: list[str], series: list[tuple[str, str, list[float | None]]], title: str, description: str,
                *, chart_id: str | None = None) -> Markup:
    """One line per series (name, CSS modifier, value per year; None breaks the line), years along the x axis."""
    base = chart_id or f"trend-{_slug(title)}"
    parts = _frame(title, description, base)
    _percent_axis(parts)
    span = WIDTH - LEFT - RIGHT - 40
    step = span / max(len(years) - 1, 1)

    def x(i: int) -> float:
        return LEFT + 20 + i * step

    for i, label in enumerate(years):
        parts.append(f'<text class="chart-axis" x="{_number(x(i))}" y="{HEIGHT - BOTTOM + 16}" '
                     f'text-anchor="middle">{escape(label)}</text>')
    for name, modifier, values in series:
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{_number(x(i))},{_number(_y(value))}")
            parts.append(f'<circle class="trend-point trend-point--{_slug(modifier)}" cx="{_number(x(i))}" '
                         f'cy="{_number(_y(value))}" r="4"><title>{escape(name)}, {escape(years[i])}</title></circle>')
        for run in runs:
            if len(run) > 1:
                parts.append(f'<polyline class="trend-line trend-line--{_slug(modifier)}" points="{" ".join(run)}" '
                             'aria-hidden="true"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
