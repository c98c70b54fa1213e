"""`kinds.toml` of an engine "lgsco" scheme: the LGSCO's input files (SPEC 2.1) and the case tables they fill.

Each kind is one input file and one table: its columns (header, accepted spellings, type, required or optional,
label set, whether personal), the table's key, column order and indexes. `ombuds.ingest.kinds` checks rows by it
and `ombuds.store.schema` makes the tables of it; what stays code is the checking each type and rule names.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ombuds.schemes.fields import Problems, fields
from ombuds.schemes.keys import column_key, is_id
from ombuds.schemes.model import CaseColumn, CaseKind, LabelSet

KINDS = "kinds.toml"
CASE_TYPES: tuple[str, ...] = ("reference", "body", "date", "year", "label", "choice", "provision", "flag", "text",
                               "lettered", "email", "count")
WORD_LISTS: tuple[str, ...] = ("own_outcomes", "complies")  # the engine's fixed values (ombuds.labels), by name
RULES: Mapping[str, tuple[str, ...]] = {  # the checks across columns (ombuds.ingest.kinds), and the columns each needs
    "remedy_only_when_upheld": ("outcome", "satisfactory_remedy", "remedied_by_ombudsman"),
    "dates_in_order": ("received_date", "acknowledged_date", "response_date", "extended_to"),
    "population_not_zero": ("population",),
}
SIZED = ("label", "choice", "provision")  # stored as text of at most `width` characters
COLUMN = {"name": ("str", True), "field": ("str", True), "type": ("str", True), "required": ("bool", False),
          "aliases": ("strs", False), "set": ("str", False), "values": ("str or strs", False),
          "default": ("str", False), "width": ("int", False), "integer": ("bool", False), "date": ("str", False),
          "lifetime": ("bool", False), "lines": ("bool", False), "personal": ("bool", False),
          "formats": ("strs", False)}
KIND = {"columns": ("tables", True), "key": ("strs", True), "order": ("strs", False), "indexes": ("table", False),
        "rules": ("strs", False), "first_load": ("bool", False)}


def _column(data: Any, key: str, sets: Mapping[str, LabelSet], problems: Problems) -> CaseColumn | None:
    row = fields(data, KINDS, key, COLUMN, problems)
    if row is None or not {"name", "field", "type"} <= row.keys():
        return None
    kind = row["type"]
    if kind not in CASE_TYPES:
        problems.add(KINDS, f"{key}.type", f"unknown type '{kind}' (one of: {', '.join(CASE_TYPES)})")
        return None
    for where, name in (("name", row["name"]), *(("aliases", alias) for alias in row.get("aliases", ()))):
        if column_key(name) != name:
            problems.add(KINDS, f"{key}.{where}", f"'{name}' is not written as a column key: '{column_key(name)}'")
    only = {"set": ("label",), "values": ("choice",), "default": ("label", "choice"), "width": SIZED,
            "integer": ("choice",), "date": ("body",), "lifetime": ("body",), "lines": ("text",), "formats": ("date",)}
    for name, types in only.items():
        if name in row and kind not in types:
            problems.add(KINDS, f"{key}.{name}", f"only a {' or '.join(types)} column has {name}")
    _values(row, "values" in data, key, sets, problems)
    for form in row.get("formats", ()):
        if not _date_format(form):
            problems.add(KINDS, f"{key}.formats", f"'{form}' is not a date format with a day (%d), a month (%m, %b "
                                                  "or %B) and a year (%Y or %y)")
    if kind in SIZED and "width" not in row and not row.get("integer"):
        problems.add(KINDS, f"{key}.width", f"missing (a {kind} column is stored as text of at most this length)")
    if kind == "reference" and row["name"] != "reference":
        problems.add(KINDS, f"{key}.name", "a reference column is named 'reference'")
    if row.get("personal") and (row.get("required") or kind == "flag" or "default" in row):
        problems.add(KINDS, f"{key}.personal", "only an optional column with no default value can be personal: "
                                               "its stored value is left empty")
    values = row.get("values", ())
    return CaseColumn(name=row["name"], field=row["field"], type=kind, required=row.get("required", False),
                      aliases=tuple(row.get("aliases", ())), set=row.get("set"),
                      values=values if isinstance(values, str) else tuple(values), default=row.get("default"),
                      width=row.get("width"), integer=row.get("integer", False), date=row.get("date"),
                      lifetime=row.get("lifetime", True), lines=row.get("lines", False),
                      personal=row.get("personal", False), formats=tuple(row.get("formats", ())))


def _date_format(form: str) -> bool:
    return "%d" in form and any(m in form for m in ("%m", "%b", "%B")) and any(y in form for y in ("%Y", "%y"))


def _values(row: dict[str, Any], given: bool, key: str, sets: Mapping[str, LabelSet], problems: Problems) -> None:
    """A label column's set and a choice column's values exist, and a default is one of them."""
    if row["type"] == "label" and row.get("set") not in sets:
        problems.add(KINDS, f"{key}.set", f"unknown label set '{row['set']}'" if "set" in row
                     else "missing (a label column names its label set)")
    values = row.get("values")
    if row["type"] == "choice":
        if values is None and not given:  # (given but not words: said already)
            problems.add(KINDS, f"{key}.values", "missing (a list of words, or one of: " + ", ".join(WORD_LISTS) + ")")
        elif values is not None and not (values in WORD_LISTS if isinstance(values, str) else values):
            problems.add(KINDS, f"{key}.values", "must be a list of words, or one of: " + ", ".join(WORD_LISTS))
    default = row.get("default")
    if default is not None and row["type"] == "label" and row.get("set") in sets and \
            default not in sets[row["set"]].ids:
        problems.add(KINDS, f"{key}.default", f"not a label id of the set '{row['set']}'")
    if default is not None and isinstance(values, list) and default not in values:
        problems.add(KINDS, f"{key}.default", "not one of the values")


def _kind(kind_id: str, data: Any, sets: Mapping[str, LabelSet], problems: Problems) -> CaseKind | None:
    key = f"kinds.{kind_id}"
    if not is_id(kind_id):
        problems.add(KINDS, key, "a kind id is lower-case letters, digits and _")
    table = fields(data, KINDS, key, KIND, problems)
    if table is None or not {"columns", "key"} <= table.keys():
        return None
    columns = tuple(c for i, d in enumerate(table["columns"])
                    if (c := _column(d, f"{key}.columns[{i}]", sets, problems)))
    names, stored = [c.name for c in columns], [c.field for c in columns]
    for i, column in enumerate(columns):
        for what, seen in (("name", names[:i]), ("field", stored[:i])):
            if getattr(column, what) in seen:
                problems.add(KINDS, f"{key}.columns[{i}].{what}", f"duplicate {what} '{getattr(column, what)}'")
        if column.date is not None and not any(c.name == column.date and c.type in ("date", "year") for c in columns):
            problems.add(KINDS, f"{key}.columns[{i}].date",
                         f"'{column.date}' is not a date or year column of this kind")
    if not any(c.required for c in columns):
        problems.add(KINDS, f"{key}.columns", "no required column: a file of the kind could not be recognised")
    order = tuple(table.get("order", stored))
    if sorted(order) != sorted(stored):
        problems.add(KINDS, f"{key}.order", "must list every field of the kind once")
    indexes = {name: tuple(on) for name, on in table.get("indexes", {}).items()}
    for where, wanted in (("key", table["key"]), *((f"indexes.{n}", on) for n, on in indexes.items())):
        for field in wanted if isinstance(wanted, list | tuple) else ():
            if field not in stored:
                problems.add(KINDS, f"{key}.{where}", f"'{field}' is not a field of this kind")
    for rule in table.get("rules", ()):
        if rule not in RULES:
            problems.add(KINDS, f"{key}.rules", f"unknown rule '{rule}' (one of: {', '.join(RULES)})")
        elif missing := [c for c in RULES[rule] if c not in names]:
            problems.add(KINDS, f"{key}.rules", f"'{rule}' needs the column(s) {', '.join(missing)}")
    return CaseKind(id=kind_id, columns=columns, key=tuple(table["key"]), order=order, indexes=indexes,
                    rules=tuple(table.get("rules", ())), first_load=table.get("first_load", True))


def read_case_kinds(data: Any, sets: Mapping[str, LabelSet], problems: Problems) -> dict[str, CaseKind]:
    table = fields(data, KINDS, "", {"kinds": ("table", True)}, problems)
    if not table or "kinds" not in table:
        return {}
    kinds = {k: kind for k, d in table["kinds"].items() if (kind := _kind(k, d, sets, problems))}
    _aliases(kinds, problems)
    return kinds


def _aliases(kinds: Mapping[str, CaseKind], problems: Problems) -> None:
    """A header spelling names one column: an alias may be no kind's column name, nor another column's alias."""
    names = {c.name for kind in kinds.values() for c in kind.columns}
    target: dict[str, str] = {}
    for kind in kinds.values():
        for i, column in enumerate(kind.columns):
            for alias in column.aliases:
                if alias in names or target.setdefault(alias, column.name) != column.name:
                    other = alias if alias in names else target[alias]
                    problems.add(KINDS, f"kinds.{kind.id}.columns[{i}].aliases",
                                 f"'{alias}' already names the column '{other}'")
