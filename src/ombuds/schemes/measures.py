"""`kinds.toml` (the columns of each input file) and `measures.toml` (what is counted and how it is shown)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from ombuds.schemes.fields import Problems, fields
from ombuds.schemes.keys import is_id
from ombuds.schemes.model import (
    COLUMN_TYPES,
    DISPLAYS,
    MEASURE_KINDS,
    Column,
    Kind,
    LabelMatch,
    LabelSet,
    Measure,
)

KINDS, MEASURES = "kinds.toml", "measures.toml"
COLUMN = {"name": ("str", True), "field": ("str", True), "type": ("str", True), "required": ("bool", False),
          "set": ("str", False), "aliases": ("strs", False)}
MEASURE = {"id": ("str", True), "name": ("str", True), "kind": ("str", True), "display": ("str", True),
           "field": ("str", False), "label": ("table", False), "set": ("str", False), "numerator": ("str", False),
           "denominator": ("str", False), "measure": ("str", False), "per": ("int", False),
           "breakdown": ("str", False), "fair": ("bool", False), "flag": ("str", False)}
NEEDS = {"distinct": ("field",), "count": ("label",), "by_label": ("set",), "ratio": ("numerator", "denominator"),
         "per_size": ("measure", "per")}
OPTIONAL = ("id", "name", "kind", "display", "breakdown")
ALSO = {"ratio": ("fair",), "count": ("flag",)}  # optional keys of one kind of measure


def _column(data: Any, key: str, sets: Mapping[str, LabelSet], problems: Problems) -> Column | None:
    row = fields(data, KINDS, key, COLUMN, problems)
    if row is None or not {"name", "field", "type"} <= row.keys():
        return None
    if row["type"] not in COLUMN_TYPES:
        problems.add(KINDS, f"{key}.type", f"unknown type '{row['type']}' (one of: {', '.join(COLUMN_TYPES)})")
        return None
    if row["type"] == "label" and row.get("set") not in sets:
        problems.add(KINDS, f"{key}.set", f"unknown label set '{row.get('set', '')}'" if "set" in row
                     else "missing (a label column names its label set)")
    if row["type"] != "label" and "set" in row:
        problems.add(KINDS, f"{key}.set", "only a label column has a set")
    return Column(name=row["name"], field=row["field"], type=row["type"], required=row.get("required", False),
                  set=row.get("set"), aliases=tuple(row.get("aliases", ())))


def _kind(kind_id: str, data: Any, sets: Mapping[str, LabelSet], problems: Problems) -> Kind | None:
    key = f"kinds.{kind_id}"
    if not is_id(kind_id):
        problems.add(KINDS, key, "a kind id is lower-case letters, digits and -")
    table = fields(data, KINDS, key, {"columns": ("tables", True), "key": ("strs", False)}, problems)
    if table is None or "columns" not in table:
        return None
    columns = [c for i, d in enumerate(table["columns"]) if (c := _column(d, f"{key}.columns[{i}]", sets, problems))]
    seen: set[str] = set()
    for i, column in enumerate(columns):
        if column.field in seen:
            problems.add(KINDS, f"{key}.columns[{i}].field", f"duplicate field '{column.field}'")
        seen.add(column.field)
    for field in table.get("key", ()):
        if field not in seen:
            problems.add(KINDS, f"{key}.key", f"'{field}' is not a field of this kind")
    return Kind(id=kind_id, columns=tuple(columns), key=tuple(table.get("key", ())))


def read_kinds(data: Any, sets: Mapping[str, LabelSet], problems: Problems) -> dict[str, Kind]:
    table = fields(data, KINDS, "", {"kinds": ("table", True)}, problems)
    if not table or "kinds" not in table:
        return {}
    return {k: kind for k, d in table["kinds"].items() if (kind := _kind(k, d, sets, problems))}


def _label_match(data: dict[str, Any], key: str, sets: Mapping[str, LabelSet], problems: Problems,
                 ) -> LabelMatch | None:
    table = fields(data, MEASURES, key, {"set": ("str", True), "ids": ("strs", True)}, problems)
    if table is None or not {"set", "ids"} <= table.keys():
        return None
    if table["set"] not in sets:
        problems.add(MEASURES, f"{key}.set", f"unknown label set '{table['set']}'")
        return None
    for label_id in table["ids"]:
        if label_id not in sets[table["set"]].ids:
            problems.add(MEASURES, f"{key}.ids", f"label set '{table['set']}' has no label '{label_id}'")
    return LabelMatch(set=table["set"], ids=tuple(table["ids"]))


def _measure(i: int, data: Any, sets: Mapping[str, LabelSet], kind_fields: set[str],
             flags: Callable[[str], set[str]], problems: Problems) -> Measure | None:
    key = f"measures[{i}]"
    row = fields(data, MEASURES, key, MEASURE, problems)
    if row is None or not {"id", "name", "kind", "display"} <= row.keys():
        return None
    key = f"measures.{row['id']}"
    kind = row["kind"]
    if not is_id(row["id"]):
        problems.add(MEASURES, key, "a measure id is lower-case letters, digits, - and _")
    if kind not in MEASURE_KINDS:
        problems.add(MEASURES, f"{key}.kind", f"unknown kind '{kind}' (one of: {', '.join(MEASURE_KINDS)})")
        return None
    if row["display"] not in DISPLAYS:
        problems.add(MEASURES, f"{key}.display", f"unknown display '{row['display']}' (one of: {', '.join(DISPLAYS)})")
    for name in NEEDS[kind]:
        if name not in row:
            problems.add(MEASURES, f"{key}.{name}", f"missing (a {kind} measure needs it)")
    for name in row:
        if name not in OPTIONAL and name not in NEEDS[kind] and name not in ALSO.get(kind, ()):
            problems.add(MEASURES, f"{key}.{name}", f"not used by a {kind} measure")
    if "field" in row and row["field"] not in kind_fields:
        problems.add(MEASURES, f"{key}.field", f"'{row['field']}' is not a field of any record kind")
    for name in ("set", "breakdown"):
        if name in row and row[name] not in sets:
            problems.add(MEASURES, f"{key}.{name}", f"unknown label set '{row[name]}'")
    if row.get("per", 1) <= 0:
        problems.add(MEASURES, f"{key}.per", "must be a positive number")
    label = _label_match(row["label"], f"{key}.label", sets, problems) if "label" in row else None
    if "flag" in row and label is not None and row["flag"] not in flags(label.set):
        problems.add(MEASURES, f"{key}.flag", f"'{row['flag']}' is not a flag of the records whose "
                     f"'{label.set}' label this counts")
    return Measure(id=row["id"], name=row["name"], kind=kind, display=row["display"], field=row.get("field"),
                   label=label, flag=row.get("flag"), set=row.get("set"), numerator=row.get("numerator"),
                   denominator=row.get("denominator"), measure=row.get("measure"), per=row.get("per"),
                   breakdown=row.get("breakdown"), fair=row.get("fair", False))


def _cycle(start: str, graph: dict[str, tuple[str, ...]]) -> list[str] | None:
    """The measures from `start` back to itself, if it depends on itself."""
    path, seen = [start], {start}

    def visit(node: str) -> bool:
        for other in graph.get(node, ()):
            if other == start:
                path.append(other)
                return True
            if other in seen:
                continue
            seen.add(other)
            path.append(other)
            if visit(other):
                return True
            path.pop()
        return False

    return path if visit(start) else None


def kind_flags(kinds: Mapping[str, Kind]) -> Callable[[str], set[str]]:
    """The flag fields of the record kinds that hold a label of a set (the rows a count over that set reads)."""
    def flags(set_id: str) -> set[str]:
        return {c.field for kind in kinds.values() if any(c.type == "label" and c.set == set_id for c in kind.columns)
                for c in kind.columns if c.type == "flag"}
    return flags


def read_measures(data: Any, sets: Mapping[str, LabelSet], kinds: Mapping[str, Kind], problems: Problems,
                  flags: Callable[[str], set[str]] | None = None) -> tuple[Measure, ...]:
    """The measures of measures.toml; `flags(set_id)` names the flags a count over that set may need (default: the
    record kinds' flag columns)."""
    table = fields(data, MEASURES, "", {"measures": ("tables", True)}, problems)
    if not table or "measures" not in table:
        return ()
    kind_fields = {c.field for kind in kinds.values() for c in kind.columns}
    flags = flags or kind_flags(kinds)
    measures = [m for i, d in enumerate(table["measures"])
                if (m := _measure(i, d, sets, kind_fields, flags, problems))]
    ids: set[str] = set()
    for measure in measures:
        if measure.id in ids:
            problems.add(MEASURES, f"measures.{measure.id}.id", "duplicate id")
        ids.add(measure.id)
    for measure in measures:
        for name in ("numerator", "denominator", "measure"):
            other = getattr(measure, name)
            if other is not None and other not in ids:
                problems.add(MEASURES, f"measures.{measure.id}.{name}", f"unknown measure '{other}'")
    graph = {m.id: m.depends_on for m in measures}
    reported: set[str] = set()
    for measure in measures:
        cycle = _cycle(measure.id, graph)
        if cycle and not reported & set(cycle):
            problems.add(MEASURES, f"measures.{measure.id}", f"measures depend on each other: {' → '.join(cycle)}")
            reported |= set(cycle)
    return tuple(measures)
