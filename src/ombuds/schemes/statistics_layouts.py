"""The format of an engine "lgsco" scheme's layouts (`layouts/<id>.toml`): how a year's letter and page lay out the
statistics, with every word and the years each layout is the default for. This module is the format's vocabulary
(section kinds, fields, the figures a `{placeholder}` may name) and its checks; `stats.layouts` draws it.

A placeholder is `{figure}` (the figure as its kind shows it) or `{figure:noun}` / `{figure:noun/plural}` (a count,
or a figure per 100,000 residents, with its noun agreeing: `{upheld:upheld decision}` is "1 upheld decision").
A list figure (`{service_areas}`) fills a whole table cell with one cell per label.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from itertools import pairwise
from typing import Any

from ombuds.errors import OmbudsError
from ombuds.schemes.fields import Problems, fields
from ombuds.years import Year

# Figure name → its kind; the values are the LGSCO engine's (stats.layouts, SPEC 2.3).
COUNTS = ("received_total", "dealt_with", "investigated", "upheld", "remedied_by_ombudsman", "satisfactory_remedies",
          "compliance_recorded", "complied_on_time", "complied_late", "not_complied", "not_for_us",
          "assessed_and_closed")
RATES = ("uphold_rate", "satisfactory_remedy_rate", "compliance_rate")
FIGURES: dict[str, str] = {
    **dict.fromkeys(COUNTS, "count"),
    **dict.fromkeys(RATES, "rate"),
    **{f"average_{rate}": "average" for rate in RATES},
    "upheld_per_100k": "per_100k", "average_upheld_per_100k": "per_100k",
    "authority": "text", "period": "text", "period_end": "text",
    "service_areas": "list", "received_by_area": "list", "outcomes": "list", "decided_by_outcome": "list",
}
NOUNS = ("count", "per_100k")  # the kinds a `{figure:noun}` may name
MAY_BE_MISSING = ("upheld_per_100k",)  # figures that may be absent (no population): `when_missing`

TOP = {"name": ("str", True), "default_from": ("str", False), "default_until": ("str", False),
       "zero_denominator": ("table", False), "bare_rates": ("strs", False), "sections": ("tables", True)}
SECTIONS: dict[str, dict[str, tuple[str, bool]]] = {
    "heading": {"kind": ("str", True), "lines": ("strs", True)},
    "table": {"kind": ("str", True), "caption": ("str", True), "notes": ("strs", False)},  # + header, rows
    "panel": {"kind": ("str", True), "id": ("str", True), "heading": ("str", True), "rate": ("str", True),
              "base": ("str", True), "no_rate": ("str", True), "lines": ("tables", True)},
    "overview": {"kind": ("str", True), "heading": ("str", True), "sentences": ("tables", True),
                 "items": ("tables", True)},
}
SENTENCE = {"text": ("str", True), "when_zero": ("table", False), "when_missing": ("table", False),
            "zero_as": ("table", False), "omit_when_zero": ("strs", False)}
LINE = {"role": ("str", True), **SENTENCE}
TABLE_CELLS = ("header", "rows")  # a table's rows of cells: each cell a string or { text, span }
ITEM = {"label": ("str", True), "value": ("str", True)}
CELL = {"text": ("str", True), "span": ("int", False)}
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_LIST_CELL = re.compile(r"\{([a-z_]+)\}")


def placeholders(text: str) -> list[tuple[str, str | None]]:
    """The `{figure}` and `{figure:words}` in a text, as (figure, words or None)."""
    found = []
    for inside in _PLACEHOLDER.findall(text):
        name, _, words = inside.partition(":")
        found.append((name, words if _ else None))
    return found


def list_cell(text: str) -> str | None:
    """The list figure a cell is made of (`{service_areas}`), or None for an ordinary cell."""
    match = _LIST_CELL.fullmatch(text)
    return match[1] if match and FIGURES.get(match[1]) == "list" else None


def start_year(label: str) -> int:
    return Year.parse(label).start_year


class _Check:
    def __init__(self, file: str, problems: Problems):
        self.file, self.problems = file, problems

    def add(self, key: str, reason: str) -> None:
        self.problems.add(self.file, key, reason)

    def words(self, text: str, key: str, *, cell: bool = False) -> None:
        if cell and list_cell(text):
            return
        for name, words in placeholders(text):
            kind = FIGURES.get(name)
            if kind is None:
                self.add(key, f"unknown placeholder {{{name}}}; known: {', '.join(sorted(FIGURES))}")
            elif kind == "list":
                self.add(key, f"{{{name}}} is a list: it must be a table cell on its own")
            elif words is not None and (kind not in NOUNS or not words.strip() or words.count("/") > 1):
                self.add(key, f"{{{name}:{words}}}: only a count or a figure per 100,000 takes words, as "
                              "{figure:noun} or {figure:noun/plural}")

    def sentence(self, item: Mapping, key: str, spec: dict) -> None:
        kept = fields(item, self.file, key, spec, self.problems) or {}
        if "text" in kept:
            self.words(kept["text"], f"{key}.text")
        for condition, allowed, what in (("when_zero", COUNTS, "a count"), ("zero_as", COUNTS, "a count"),
                                         ("when_missing", MAY_BE_MISSING, "a figure that may be missing")):
            for name, text in kept.get(condition, {}).items():
                if name not in allowed:
                    self.add(f"{key}.{condition}.{name}", f"'{name}' is not {what}")
                elif not isinstance(text, str):
                    self.add(f"{key}.{condition}.{name}", "must be a string")
                elif condition != "zero_as":
                    self.words(text, f"{key}.{condition}.{name}")
        for name in kept.get("omit_when_zero", []):
            if name not in COUNTS:
                self.add(f"{key}.omit_when_zero", f"'{name}' is not a count")

    def cells(self, rows: Any, key: str) -> None:
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            self.add(key, "must be a list of rows, each a list of cells")
            return
        for i, row in enumerate(rows):
            for j, cell in enumerate(row):
                where = f"{key}[{i}][{j}]"
                if isinstance(cell, str):
                    self.words(cell, where, cell=True)
                    continue
                kept = fields(cell, self.file, where, CELL, self.problems) or {}
                if "text" in kept:
                    self.words(kept["text"], f"{where}.text")
                if kept.get("span", 1) < 1:
                    self.add(f"{where}.span", "must be 1 or more")

    def section(self, section: Mapping, key: str) -> None:
        kind = section.get("kind") if isinstance(section, Mapping) else None
        if kind not in SECTIONS:
            self.add(f"{key}.kind", f"unknown section kind {kind!r}; one of {', '.join(SECTIONS)}")
            return
        cells = TABLE_CELLS if kind == "table" else ()
        kept = fields({k: v for k, v in section.items() if k not in cells}, self.file, key, SECTIONS[kind],
                      self.problems) or {}
        for name in ("caption", "heading", "no_rate"):
            if name in kept:
                self.words(kept[name], f"{key}.{name}")
        for i, text in enumerate(kept.get("lines", []) if kind == "heading" else kept.get("notes", [])):
            self.words(text, f"{key}.{'lines' if kind == 'heading' else 'notes'}[{i}]")
        if kind == "table":
            for name in TABLE_CELLS:
                if name in section:
                    self.cells(section[name], f"{key}.{name}")
                else:
                    self.add(f"{key}.{name}", "missing")
        if kind == "panel":
            if kept.get("rate", RATES[0]) not in RATES:
                self.add(f"{key}.rate", f"unknown rate '{kept['rate']}'; one of {', '.join(RATES)}")
            if kept.get("base", COUNTS[0]) not in COUNTS:
                self.add(f"{key}.base", f"'{kept['base']}' is not a count")
            for i, line in enumerate(kept.get("lines", [])):
                self.sentence(line, f"{key}.lines[{i}]", LINE)
        if kind == "overview":
            for i, sentence in enumerate(kept.get("sentences", [])):
                self.sentence(sentence, f"{key}.sentences[{i}]", SENTENCE)
            for i, item in enumerate(kept.get("items", [])):
                for name, text in (fields(item, self.file, f"{key}.items[{i}]", ITEM, self.problems) or {}).items():
                    self.words(text, f"{key}.items[{i}].{name}")


def check_layout(stem: str, data: Mapping, problems: Problems) -> None:
    """Every problem of one layout file, as `layouts/<stem>.toml: key: reason`."""
    c = _Check(f"layouts/{stem}.toml", problems)
    kept = fields(data, c.file, "", TOP, problems) or {}
    for key in ("default_from", "default_until"):
        if key in kept:
            try:
                start_year(kept[key])
            except OmbudsError as error:
                c.add(key, str(error))
    for rate, shown in kept.get("zero_denominator", {}).items():
        if rate not in RATES:
            c.add(f"zero_denominator.{rate}", f"unknown rate; one of {', '.join(RATES)}")
        elif not isinstance(shown, str):
            c.add(f"zero_denominator.{rate}", "must be a string")
    for rate in kept.get("bare_rates", []):
        if rate not in RATES:
            c.add("bare_rates", f"unknown rate '{rate}'; one of {', '.join(RATES)}")
    seen: set[str] = set()
    for i, section in enumerate(kept.get("sections", [])):
        c.section(section, f"sections[{i}]")
        if section.get("kind") == "panel" and section.get("id") in seen:
            c.add(f"sections[{i}].id", f"another panel is '{section['id']}': a panel's id names it in the letter")
        seen.add(section.get("id"))


def check_layouts(layouts: Mapping[str, Mapping], problems: Problems) -> None:
    """Each layout file, then the years: every year has exactly one default layout (the first from the earliest
    year, the last to every later one, none overlapping)."""
    found = len(problems.found)
    for stem, data in layouts.items():
        check_layout(stem, data, problems)
    if not layouts or len(problems.found) > found:
        return
    spans = sorted((_span(data), stem) for stem, data in layouts.items())
    if spans[0][0][0] != 0:
        problems.add(f"layouts/{spans[0][1]}.toml", "default_from", "the earliest layout must have no default_from "
                     "(it is the default for every year before the next)")
    if spans[-1][0][1] is not None:
        problems.add(f"layouts/{spans[-1][1]}.toml", "default_until", "the latest layout must have no "
                     "default_until (it is the default for every later year)")
    for (before, name), (after, next_name) in pairwise(spans):
        if before[1] is None or before[1] + 1 != after[0]:
            problems.add(f"layouts/{next_name}.toml", "default_from", f"must be the year after layouts/{name}.toml's "
                         "default_until (every year has exactly one default layout)")


def _span(data: Mapping) -> tuple[int, int | None]:
    """The first and last start year a layout is the default for (0: from the earliest; None: to every later)."""
    until = data.get("default_until")
    return (start_year(data["default_from"]) if "default_from" in data else 0,
            start_year(until) if until is not None else None)


