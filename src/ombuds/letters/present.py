"""The statistics sections of `stats.layouts`, dressed for a letter: plain words where a base is zero or an average
is n/a, key figures for each panel, table headers with no empty cells and row labels marked as row headers. The
plain words are the scheme's (scheme.toml `[words.letter]`, reached as `layout.labels.letter`).

Nothing here computes a figure: every number shown was formatted by `stats.format` (through the layout); the
plain sentences are chosen by whether a count that is already held is zero, or an average absent.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from functools import lru_cache

from ombuds.registry import Registry, registry_of
from ombuds.stats import format as fmt
from ombuds.stats.layouts import Layout, named
from ombuds.stats.record import StatisticsRecord

NBSP = "\u00a0"
# What a panel's zero base means, by the count its rate is of (the layout's panel `base`): the words' keys.
NOTHING_COUNTED = {"investigated": "nothing_investigated", "compliance_recorded": "nothing_recorded",
                   "upheld": "nothing_upheld"}
_MONTHS = "January|February|March|April|May|June|July|August|September|October|November|December"
_DATE = re.compile(rf"\b(\d{{1,2}}) ({_MONTHS}) (\d{{4}})\b")
_COUNT = re.compile(r"\b(\d[\d,.]*%?) (?=[a-z])")


@lru_cache(maxsize=8192)
def typeset(text: str) -> str:
    """Typographic apostrophes, and non-breaking spaces inside dates and between a number and its noun. Cached:
    most texts (headings, notes, labels) are the same in every letter."""
    if " " not in text and "'" not in text:
        return text
    text = re.sub(r"(?<=\w)'(?=\w)", "\u2019", text)
    text = _DATE.sub(lambda m: f"{m[1]}{NBSP}{m[2]}{NBSP}{m[3]}", text)
    return _COUNT.sub(lambda m: m[1] + NBSP, text)


def name_in_sentence(s: StatisticsRecord, layout: Layout) -> str:
    """`the Council of the Isles of Scilly` where the layout's scheme's registry says the body's name takes 'the'
    in running text."""
    name = s.authority.name
    return f"the {name}" if registry_of(layout.scheme).get(s.authority.code).takes_the else name


def plain_words(layout: Layout, spec: Mapping, s: StatisticsRecord, about: str) -> list[str]:
    """What a zero base or an absent average means, said plainly (shown beside the SPEC's `0%`, `-` and `n/a`);
    `spec` is the panel's layout (its `rate` and `base`)."""
    said = []
    words = layout.labels.letter
    if layout.figure(s, spec["base"]) == 0 and spec["base"] in NOTHING_COUNTED:
        said.append(words[NOTHING_COUNTED[spec["base"]]].replace("{about}", about))
    if getattr(s.average, spec["rate"]) is None:
        said.append(words[_no_average(s, registry_of(layout.scheme))])
    return said


def _no_average(s: StatisticsRecord, bodies: Registry) -> str:
    """Why there is no type average (the key of its words): the body has no type, the council has been abolished,
    or no similar authority had a case to average."""
    authority = bodies.get(s.authority.code)
    if not authority.has_type_average:
        return "no_average_no_type"
    if authority.end_date is not None and authority.end_date <= s.period.end:
        return "no_average_abolished"
    return "no_average_no_cases"


def small_numbers(base: int, words: Mapping[str, str]) -> str | None:
    """The caveat where a rate rests on few cases."""
    if 0 < base < fmt.FEW_CASES:
        return words["few_cases"].replace("{cases}", fmt.counted(base, "case"))
    return None


def panel(section: dict, layout: Layout, s: StatisticsRecord, about: str) -> dict:
    """A panel with its key figures (the rate, the type average) and its plain words. Where the rate's base is
    zero there is no rate: no key figure, headline or comparison, the plain words first instead (the tables of
    2017-18 and 2018-19 keep their published notation); on few cases, the small-numbers caveat; the advice on
    compliance only below 100%. Where nothing was investigated, the plain words name the council instead of the
    lead line of 2024-25."""
    spec = layout.panel(section["id"])
    rate_name = spec["rate"]
    base = layout.figure(s, spec["base"])
    rate = getattr(s, rate_name)
    dropped = {"headline", "comparison"} if base == 0 else set()
    if rate_name == "compliance_rate" and (rate is None or rate >= 1):
        dropped.add("note")
    lines = [_with_the(line, s.authority.name, about) for line in section["lines"]
             if line["role"] not in dropped and not (line["role"] == "lead" and s.investigated == 0)]
    plain = [{"role": "plain", "text": t} for t in plain_words(layout, spec, s, about)]
    average = getattr(s.average, rate_name)
    words = layout.labels.letter
    if base == 0 and average is not None:
        plain.append({"role": "plain", "text": words["average_was"].replace("{average}", fmt.average(average))})
    if caveat := small_numbers(base, words):
        plain.append({"role": "caveat", "text": caveat})
    at = 0 if base == 0 else next((i for i, line in enumerate(lines) if line["role"] == "base"), len(lines))
    key = None if base == 0 else {
        "rate": layout.rate(s, rate_name), "rate_label": words[f"{rate_name}_label"],
        "average": fmt.average(average), "average_label": words["average_label"]}
    return {**section, "lines": [*lines[:at], *plain, *lines[at:]], "key": key}


def _with_the(line: dict, name: str, about: str) -> dict:
    """'Adjusted for the Council of the Isles of Scilly's population' where the name takes 'the'."""
    if about == name or line["role"] != "per100k":
        return line
    return {**line, "text": line["text"].replace(f"for {name}", f"for {about}")}


def table_plain_words(shows: set[str], s: StatisticsRecord, about: str, words: Mapping[str, str]) -> list[str]:
    """Beside a 2017-18/2018-19 table of zeros (its figures stay as the SPEC has them), what it means; never
    'we investigated 0 complaints and upheld 0'. A table is known by the figures its layout names (`shows`)."""
    said = None
    if "received_total" in shows and s.received_total == 0:
        said = "nothing_received"
    elif "dealt_with" in shows and s.dealt_with == 0:
        said = "nothing_decided"
    elif "dealt_with" in shows and s.investigated == 0:
        said = "nothing_investigated_no_rate"
    elif "satisfactory_remedies" in shows and s.upheld == 0:
        said = "nothing_upheld"
    elif "compliance_recorded" in shows and s.compliance.recorded == 0:
        said = "nothing_recorded"
    return [] if said is None else [words[said].replace("{about}", about)]


def table(section: dict, shows: set[str], s: StatisticsRecord, about: str, words: Mapping[str, str]) -> dict:
    """Header rows with no empty cells (a blank group label named, a blank cell above 'Total' merged into it),
    the first body cell a row header where it labels the row, a width weight for each column, and plain words
    where there is nothing to count."""
    header = [[{**c, "rows": 1} for c in row] for row in section["header"]]
    if len(header) == 2:
        top, bottom = header
        for i, c in enumerate(top):
            if not c["text"] and i == 0:
                top[i] = {**c, "text": words["without_investigation"]}
        if not top[-1]["text"] and top[-1]["span"] == 1:
            top[-1] = {**bottom[-1], "rows": 2}
            bottom.pop()
    elif header and not header[0][0]["text"]:
        header[0][0] = {**header[0][0], "text": words["compliance_corner"]}
    row_headed = any(row and row[0]["text"] and not row[0]["text"][0].isdigit() for row in section["rows"])
    labels = [c["text"] or words["compliance_corner"] for c in section["header"][-1] for _ in range(c["span"])]
    rows = []
    for row in section["rows"]:
        cells, column = [], 0
        for j, c in enumerate(row):
            label = labels[column] if c["span"] == 1 and not (row_headed and j == 0) else ""
            cells.append({**c, "row_header": row_headed and j == 0, "label": label})
            column += c["span"]
        rows.append(cells)
    return {**section, "header": header, "rows": rows, "columns": _column_texts(section["header"][-1]),
            "plain": table_plain_words(shows, s, about, words),
            "row_labels": [row[0]["text"] for row in rows if row and row[0]["row_header"]]}


def _column_texts(cells: list[dict]) -> list[str]:
    """Per column, the heading it must hold in at most two lines (the PDF measures it in the typeface)."""
    return [c["text"] if c["span"] == 1 else "" for c in cells for _ in range(c["span"])]


_NAMES = frozenset({"kind", "id", "role"})


def _typeset_all(value):
    """Every text in a section typeset; its kind, id and roles left alone."""
    if isinstance(value, str):
        return typeset(value)
    if isinstance(value, list):
        return [_typeset_all(v) for v in value]
    if isinstance(value, dict):
        return {k: v if k in _NAMES else _typeset_all(v) for k, v in value.items()}
    return value


def sections(raw: list[dict], layout: Layout, s: StatisticsRecord, about: str) -> list[dict]:
    """The layout's sections as the letter shows them, typeset."""
    return [_typeset_all(section) for section in _dressed(raw, layout, s, about)]


def _dressed(raw: list[dict], layout: Layout, s: StatisticsRecord, about: str) -> list[dict]:
    dressed = []
    for section, spec in zip(raw, layout.spec["sections"], strict=True):
        kind = section["kind"]
        if kind == "panel":
            dressed.append(panel(section, layout, s, about))
        elif kind == "table":
            dressed.append(table(section, named(spec), s, about, layout.labels.letter))
        else:
            dressed.append(section)
    return dressed
