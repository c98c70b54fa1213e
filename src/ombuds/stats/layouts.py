"""The statistics part of a letter or page, laid out as each edition shows it (SPEC 1.4), as plain data.

A layout is data: the scheme's `layouts/<id>.toml` (the LGSCO's are in `schemes/lgsco/layouts/`; the format is in
docs/schemes.md and `schemes.statistics_layouts`) holds its words, the years it is the default for and its notation
for a rate with a zero denominator. This module fills it in for one authority and year: it gives each figure a
placeholder names, formatted by `stats.format`, and applies the few rules the data names (a sentence for a count
that is zero, a figure that is missing, a noun that agrees with its count). Letters (HTML and PDF) and the site draw
the sections. A section is a dict with a `kind`: `heading` (lines), `table` (caption, header rows of cells, body
rows, notes), `panel` (heading and lines, each with a role) or `overview` (heading, sentences and labelled counts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from ombuds.errors import OmbudsError
from ombuds.labels import EngineLabels, engine_labels
from ombuds.schemes import Scheme, load_scheme
from ombuds.schemes.statistics_layouts import FIGURES, list_cell, placeholders, start_year
from ombuds.stats import format as fmt
from ombuds.stats.record import StatisticsRecord
from ombuds.years import Year

APPENDIX_2017 = "appendix-2017-18"
APPENDIX_2018 = "appendix-2018-19"
PANELS = "panels-2019-20"
PANELS_PER_100K = "panels-2022-23"
OVERVIEW = "overview-2024-25"

# Each figure a layout may name, read from an authority's statistics (its kind, and so its display rule, is in
# schemes.statistics_layouts.FIGURES).
_VALUES: dict[str, Callable[[StatisticsRecord], object]] = {
    "received_total": lambda s: s.received_total,
    "dealt_with": lambda s: s.dealt_with,
    "investigated": lambda s: s.investigated,
    "upheld": lambda s: s.upheld,
    "remedied_by_ombudsman": lambda s: s.remedied_by_ombudsman,
    "satisfactory_remedies": lambda s: s.satisfactory_remedies,
    "compliance_recorded": lambda s: s.compliance.recorded,
    "complied_on_time": lambda s: s.compliance.on_time,
    "complied_late": lambda s: s.compliance.late,
    "not_complied": lambda s: s.compliance.not_complied,
    "uphold_rate": lambda s: s.uphold_rate,
    "satisfactory_remedy_rate": lambda s: s.satisfactory_remedy_rate,
    "compliance_rate": lambda s: s.compliance_rate,
    "average_uphold_rate": lambda s: s.average.uphold_rate,
    "average_satisfactory_remedy_rate": lambda s: s.average.satisfactory_remedy_rate,
    "average_compliance_rate": lambda s: s.average.compliance_rate,
    "upheld_per_100k": lambda s: s.upheld_per_100k,
    "average_upheld_per_100k": lambda s: s.average.upheld_per_100k,
    "authority": lambda s: s.authority.name,
    "period": lambda s: fmt.period(s.period),
    "period_end": lambda s: fmt.period_end(s.period),
}
# The figures worded by the scheme's labels (the record's counts are keyed by their words).
_WORDED: dict[str, Callable[[StatisticsRecord, EngineLabels], object]] = {
    "not_for_us": lambda s, w: s.not_for_us(w),
    "assessed_and_closed": lambda s, w: s.assessed_and_closed(w),
    "service_areas": lambda s, w: list(w.service_areas),
    "received_by_area": lambda s, w: [fmt.number(s.received.get(area)) for area in w.service_areas],
    "outcomes": lambda s, w: list(w.outcomes),
    "decided_by_outcome": lambda s, w: [fmt.number(s.decided.get(outcome)) for outcome in w.outcomes],
}


@dataclass(frozen=True)
class Layout:
    """How one edition lays out the statistics: `spec` is its layout file. `years` are the start years it is the
    default for."""

    id: str
    years: range
    spec: Mapping = field(repr=False)
    labels: EngineLabels = field(repr=False)  # its scheme's words for the labels its tables list
    scheme: Scheme = field(repr=False, compare=False)  # the scheme it is one of (its bodies, its words)
    zero_denominator: Mapping[str, str] = field(default_factory=dict)  # rate name → what a 0/0 rate shows
    bare_rates: frozenset[str] = frozenset()  # rates printed without `%` (the table heading carries it)

    @property
    def per_100k(self) -> bool:
        """Whether the layout shows upheld decisions per 100,000 residents."""
        return self.shows("upheld_per_100k")

    @property
    def overview(self) -> bool:
        """Whether the layout opens with a complaint overview."""
        return any(section["kind"] == "overview" for section in self.spec["sections"])

    def shows(self, figure: str) -> bool:
        """Whether any of the layout's words name `figure`."""
        return figure in named(self.spec)

    def rate(self, s: StatisticsRecord, name: str) -> str:
        """An authority's own rate (uphold_rate, satisfactory_remedy_rate, compliance_rate) as this layout shows
        it."""
        return fmt.rate(getattr(s, name), zero=self.zero_denominator.get(name, "0%"), bare=name in self.bare_rates)

    def panel(self, panel_id: str) -> Mapping:
        """A panel's layout: its `rate`, its `base` (the count the rate is of) and its words."""
        return next(section for section in self.spec["sections"] if section.get("id") == panel_id)

    def figure(self, s: StatisticsRecord, name: str) -> object:
        """The value of a figure a layout names (`investigated`, `compliance_recorded`, …), as stats holds it."""
        return _WORDED[name](s, self.labels) if name in _WORDED else _VALUES[name](s)

    def sections(self, s: StatisticsRecord, *, zero_in_words: bool = False) -> list[dict]:
        """The sections; with `zero_in_words` (the site), a panel whose rate has nothing to divide by says so in
        words instead of showing a rate."""
        fill = _Filler(self, s)
        return [_SECTIONS[spec["kind"]](spec, fill, zero_in_words) for spec in self.spec["sections"]]


class _Filler:
    """One authority's figures as a layout's words name them, each formatted by `stats.format`."""

    def __init__(self, layout: Layout, s: StatisticsRecord):
        self.layout, self.s = layout, s

    def value(self, name: str) -> object:
        return self.layout.figure(self.s, name)

    def shown(self, name: str, words: str | None) -> str:
        kind, value = FIGURES[name], self.value(name)
        singular, _, plural = (words or "").partition("/")
        if kind == "count":
            return fmt.counted(value, singular, plural or None) if words else fmt.number(value)
        if kind == "per_100k":
            return fmt.per_100k_phrase(value, singular, plural or singular + "s") if words else fmt.per_100k(value)
        if kind == "rate":
            return self.layout.rate(self.s, name)
        if kind == "average":
            return fmt.average(value)
        return str(value)

    def text(self, text: str, zero_as: Mapping[str, str] | None = None) -> str:
        for name, words in placeholders(text):
            said = zero_as[name] if zero_as and name in zero_as and not self.value(name) else self.shown(name, words)
            text = text.replace("{" + name + (f":{words}" if words is not None else "") + "}", said)
        return text

    def sentence(self, item: Mapping) -> str | None:
        """The sentence an item says for this authority: None where a count it needs is zero (`omit_when_zero`),
        its `when_zero` or `when_missing` words where a count is zero or a figure is missing, else its text. A
        count a published document did not state (None) reads as zero here."""
        if any(not self.value(name) for name in item.get("omit_when_zero", ())):
            return None
        for name, words in item.get("when_zero", {}).items():
            if not self.value(name):
                return self.text(words)
        for name, words in item.get("when_missing", {}).items():
            if self.value(name) is None:
                return self.text(words)
        return self.text(item["text"], item.get("zero_as"))

    def cells(self, row: list) -> list[dict]:
        found = []
        for cell in row:
            text, span = (cell, 1) if isinstance(cell, str) else (cell["text"], cell.get("span", 1))
            if (name := list_cell(text)) is not None:
                found += [{"text": t, "span": 1} for t in self.value(name)]
            else:
                found.append({"text": self.text(text), "span": span})
        return found


def _heading(spec: Mapping, fill: _Filler, zero_in_words: bool) -> dict:
    return {"kind": "heading", "lines": [fill.text(line) for line in spec["lines"]]}


def _table(spec: Mapping, fill: _Filler, zero_in_words: bool) -> dict:
    return {"kind": "table", "caption": fill.text(spec["caption"]),
            "header": [fill.cells(row) for row in spec["header"]], "rows": [fill.cells(row) for row in spec["rows"]],
            "notes": [fill.text(note) for note in spec.get("notes", [])]}


def _panel(spec: Mapping, fill: _Filler, zero_in_words: bool) -> dict:
    """A panel; with `zero_in_words`, where its base is zero, its `no_rate` sentence stands in for its headline (a
    base a published document did not state is not zero)."""
    no_rate = zero_in_words and fill.value(spec["base"]) == 0
    lines = []
    for line in spec["lines"]:
        text = fill.text(spec["no_rate"]) if no_rate and line["role"] == "headline" else fill.sentence(line)
        if text is not None:
            lines.append({"role": line["role"], "text": text})
    return {"kind": "panel", "id": spec["id"], "heading": fill.text(spec["heading"]), "lines": lines}


def _overview(spec: Mapping, fill: _Filler, zero_in_words: bool) -> dict:
    sentences = [fill.sentence(item) for item in spec["sentences"]]
    return {"kind": "overview", "heading": fill.text(spec["heading"]),
            "sentences": [sentence for sentence in sentences if sentence is not None],
            "items": [{"label": fill.text(item["label"]), "value": fill.text(item["value"])}
                      for item in spec["items"]]}


_SECTIONS: dict[str, Callable[[Mapping, _Filler, bool], dict]] = {
    "heading": _heading, "table": _table, "panel": _panel, "overview": _overview}


def named(spec: Mapping) -> set[str]:
    """Every figure a layout's (or one section's) words name."""
    found: set[str] = set()

    def walk(value: object) -> None:
        if isinstance(value, str):
            found.update(name for name, _ in placeholders(value))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, Mapping):
            for item in value.values():
                walk(item)

    walk(spec)
    return found


def _layout(layout_id: str, spec: Mapping, scheme: Scheme) -> Layout:
    until = spec.get("default_until")
    years = range(start_year(spec["default_from"]) if "default_from" in spec else 0,
                  start_year(until) + 1 if until is not None else 10_000)
    return Layout(layout_id, years, spec, engine_labels(scheme), scheme, dict(spec.get("zero_denominator", {})),
                  frozenset(spec.get("bare_rates", ())))


@cache
def _layouts_in(folder: Path) -> tuple[Layout, ...]:
    scheme = load_scheme(folder)
    return tuple(sorted((_layout(stem, spec, scheme) for stem, spec in scheme.layouts.items()),
                        key=lambda layout: layout.years.start))


def layouts_of(scheme: Scheme) -> tuple[Layout, ...]:
    """An engine "lgsco" scheme's layouts, in the order of the years they are the default for."""
    return _layouts_in(scheme.folder)


def layout_for(year: Year, scheme: Scheme) -> Layout:
    """The layout a year's letters and pages use unless an edition says otherwise."""
    return next(layout for layout in layouts_of(scheme) if year.start_year in layout.years)


def layout(layout_id: str, scheme: Scheme) -> Layout:
    """The scheme's layout named `layout_id`."""
    chosen = layouts_of(scheme)
    found = next((candidate for candidate in chosen if candidate.id == layout_id), None)
    if found is None:
        raise OmbudsError(f"unknown layout '{layout_id}': use one of {', '.join(c.id for c in chosen)}")
    return found
