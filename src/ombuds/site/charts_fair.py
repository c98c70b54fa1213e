"""Server-side SVG charts for fair comparison: the funnel plot and the trend line chart.

As `site.charts`: role="group" with a title and description, no inline styles or scripts (the CSP forbids both), the
look from `.funnel*`/`.trend*` classes, every text escaped, and a table with the same figures after each chart. Each
chart carries its own key, drawn at its top with the very classes of the lines it names, so a key's sample always
looks like its line."""

from __future__ import annotations

from markupsafe import Markup, escape

from ombuds.charts import _number, _slug

WIDTH, HEIGHT = 480, 340  # near a phone's width, so the text stays legible when the chart is drawn at 360 px
LEFT, RIGHT, BOTTOM = 48, 14, 44
KEY_ROW = 20  # each key entry on its own line above the plot
POINT, HIGHLIGHT = 4, 6  # circle radii


def _frame(title: str, description: str, base: str, height: int) -> list[str]:
    title_id, desc_id = f"{base}-title", f"{base}-desc"
    return [f'<svg class="chart fair-chart" xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {height}" '
            f'width="{WIDTH}" height="{height}" role="group" aria-labelledby="{title_id} {desc_id}">',
            f'<title id="{title_id}">{escape(title)}</title>', f'<desc id="{desc_id}">{escape(description)}</desc>']


def _key(parts: list[str], entries: list[tuple[str, str, str]]) -> int:
    """entries: (kind "line" or "point", CSS classes, label). Returns the top of the plot below the key."""
    parts.append('<g class="chart-key" aria-hidden="true">')
    for i, (kind, css, label) in enumerate(entries):
        y = 4 + KEY_ROW * i + KEY_ROW / 2
        if kind == "line":
            parts.append(f'<line class="{css}" x1="{LEFT}" y1="{_number(y)}" x2="{LEFT + 28}" y2="{_number(y)}"/>')
        else:
            parts.append(f'<circle class="{css}" cx="{LEFT + 14}" cy="{_number(y)}" r="{HIGHLIGHT}"/>')
        parts.append(f'<text class="chart-axis chart-key__label" x="{LEFT + 36}" y="{_number(y + 5)}">'
                     f"{escape(label)}</text>")
    parts.append("</g>")
    return 4 + KEY_ROW * len(entries) + 12


class _Plot:
    """The plot box: y runs from 100% at `top` to 0% at HEIGHT - BOTTOM."""

    def __init__(self, top: float):
        self.top = top

    def y(self, value: float) -> float:
        return self.top + (HEIGHT - self.top - BOTTOM) * (1 - value)

    def percent_axis(self, parts: list[str]) -> None:
        for tenth in range(0, 11, 2):
            y = self.y(tenth / 10)
            parts.append(f'<line class="chart-gridline" x1="{LEFT}" y1="{_number(y)}" x2="{WIDTH - RIGHT}" '
                         f'y2="{_number(y)}" aria-hidden="true"/>')
            parts.append(f'<text class="chart-axis" x="{LEFT - 6}" y="{_number(y + 5)}" text-anchor="end" '
                         f'aria-hidden="true">{tenth * 10}%</text>')


Curve = list[tuple[int, float, float]]
FUNNEL_LIMITS = {"95": "95% limits (outside: unlikely by chance)", "99.8": "99.8% limits (very unlikely)"}


def funnel_chart(points: list[tuple[str, int, float, str, str, bool]], curves: dict[str, Curve],
                 target: float | None, title: str, description: str, x_label: str, *,
                 chart_id: str | None = None, root: str = "", highlight_name: str | None = None) -> Markup:
    """points: (code, denominator, rate, link (a path from ombuds.urls, put after `root`), accessible label,
    highlighted); curves: "95"/"99.8" → (n, lower, upper) from n = 1; target: the type average. The x axis (cases)
    is on a square-root scale, and says so. The highlighted council is drawn last, above the others."""
    base = chart_id or f"funnel-{_slug(title)}"
    parts = _frame(title, description, base, HEIGHT)
    key = [("line", "funnel-target", "Average")]
    key += [("line", f"funnel-limit funnel-limit--{_slug(name)}", FUNNEL_LIMITS.get(name, f"{name}% limits"))
            for name in curves]
    if highlight_name is not None:
        key.append(("point", "funnel-point funnel-point--highlight", highlight_name))
    plot = _Plot(_key(parts, key))
    n_max = max([n for _, n, *_ in points] + [n for c in curves.values() for n, _, _ in c] + [1])
    span = WIDTH - LEFT - RIGHT - HIGHLIGHT

    def x(n: float) -> float:
        return LEFT + span * (n / n_max) ** 0.5

    plot.percent_axis(parts)
    for tick in sorted({1, max(1, round(n_max / 4)), n_max}):
        parts.append(f'<text class="chart-axis" x="{_number(x(tick))}" y="{HEIGHT - BOTTOM + 18}" '
                     f'text-anchor="middle" aria-hidden="true">{tick:,}</text>')
    parts.append(f'<text class="chart-axis" x="{LEFT + span / 2}" y="{HEIGHT - 6}" text-anchor="middle" '
                 f'aria-hidden="true">{escape(x_label)} (square-root scale)</text>')
    for name, curve in curves.items():
        for side in (1, 2):
            line = " ".join(f"{_number(x(p[0]))},{_number(plot.y(p[side]))}" for p in curve)
            parts.append(f'<polyline class="funnel-limit funnel-limit--{_slug(name)}" points="{line}" '
                         'aria-hidden="true"/>')
    if target is not None:
        parts.append(f'<line class="funnel-target" x1="{LEFT}" y1="{_number(plot.y(target))}" x2="{WIDTH - RIGHT}" '
                     f'y2="{_number(plot.y(target))}" aria-hidden="true"/>')
    for code, n, value, link, label, highlighted in sorted(points, key=lambda p: p[5]):
        css = "funnel-point funnel-point--highlight" if highlighted else "funnel-point"
        parts.append(f'<a href="{escape(root + link)}" aria-label="{escape(label)}" id="point-{escape(code)}">'
                     f'<circle class="{css}" cx="{_number(x(n))}" cy="{_number(plot.y(value))}" '
                     f'r="{HIGHLIGHT if highlighted else POINT}"><title>{escape(label)}</title></circle></a>')
    parts.append("</svg>")
    return Markup("".join(parts))


def trend_chart(years: list[str], series: list[tuple[str, str, list[float | None]]], title: str, description: str,
                *, chart_id: str | None = None) -> Markup:
    """One line per series (name, CSS modifier, value per year; None breaks the line), years along the x axis, and
    a key naming each series that has a value."""
    base = chart_id or f"trend-{_slug(title)}"
    parts = _frame(title, description, base, HEIGHT)
    shown = [(name, modifier, values) for name, modifier, values in series if any(v is not None for v in values)]
    plot = _Plot(_key(parts, [("line", f"trend-line trend-line--{_slug(m)}", name) for name, m, _ in shown]))
    plot.percent_axis(parts)
    span = WIDTH - LEFT - RIGHT - 40
    step = span / max(len(years) - 1, 1)

    def x(i: int) -> float:
        return LEFT + 20 + i * step

    for i, label in enumerate(years):
        if len(years) <= 5 or (len(years) - 1 - i) % 2 == 0:  # every other year, back from the latest, when crowded
            parts.append(f'<text class="chart-axis" x="{_number(x(i))}" y="{HEIGHT - BOTTOM + 18}" '
                         f'text-anchor="middle">{escape(label)}</text>')
    for name, modifier, values in shown:
        runs: list[list[str]] = [[]]
        for i, value in enumerate(values):
            if value is None:
                runs.append([])
                continue
            runs[-1].append(f"{_number(x(i))},{_number(plot.y(value))}")
        for run in runs:
            if len(run) > 1:
                parts.append(f'<polyline class="trend-line trend-line--{_slug(modifier)}" points="{" ".join(run)}" '
                             'aria-hidden="true"/>')
        for i, value in enumerate(values):
            if value is not None:
                parts.append(f'<circle class="trend-point trend-point--{_slug(modifier)}" cx="{_number(x(i))}" '
                             f'cy="{_number(plot.y(value))}" r="{POINT}"><title>{escape(name)}, {escape(years[i])}'
                             "</title></circle>")
    parts.append("</svg>")
    return Markup("".join(parts))
