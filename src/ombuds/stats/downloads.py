"""Every authority's statistics for a year, or for every year, as downloadable files (CSV, JSON, XLSX), their
Frictionless Table Schema, and the one national figure the national page needs that `summary` does not give:
complaints received, summed by service area.

The CSV and XLSX files have one column set whatever the year (`fixed_columns`, in the scheme's words, then any
service area or outcome the labels do not know, should a row have one): a comparison a year lacks (no earlier year,
no funnel plot) leaves its cells empty rather than dropping its columns. Booleans are `true`/`false` in CSV and
booleans in XLSX.

Spreadsheet cells that a spreadsheet program would read as a formula (text starting with `=`, `+`, `-`, `@`, a tab
or a carriage return) are neutralised with a leading `'`; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable
from functools import cache

from ombuds.labels import EngineLabels
from ombuds.memo import KeptByIdentity
from ombuds.stats.export import flatten, neutralise
from ombuds.stats.record import StatisticsRecord
from ombuds.stats.workbook import workbook

EXTENSIONS = ("csv", "json", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def received_by_area(records: Iterable[StatisticsRecord], labels: EngineLabels) -> dict[str, int | None]:
    """Complaints and enquiries received in England by service area (the published areas first, in their order,
    then any others), and `total`. An area is None where any authority's figure for it is unknown."""
    records = list(records)
    areas = [a for a in labels.service_areas if any(a in r.received for r in records)]
    areas += sorted({k for r in records for k in r.received} - set(areas) - {"total"})
    summed: dict[str, int | None] = {}
    for area in [*areas, "total"]:
        values = [r.received.get(area, 0) for r in records]
        summed[area] = None if None in values else sum(values)
    return summed


RATES = ("uphold_rate", "satisfactory_remedy_rate", "compliance_rate")


@cache
def fixed_columns(labels: EngineLabels) -> dict[str, str]:
    """Column → Table Schema type, in the files' order (the counts by label in the scheme's words)."""
    columns = {"authority.code": "string", "authority.name": "string", "authority.type": "string", "year": "string"}
    columns |= {f"received.{area}": "integer" for area in (*labels.service_areas, "total")}
    columns |= {f"decided.{outcome}": "integer" for outcome in (*labels.outcomes, "total")}
    columns |= {"investigated": "integer", "upheld": "integer", "uphold_rate": "number",
                "satisfactory_remedies": "integer", "satisfactory_remedy_rate": "number",
                "remedied_by_ombudsman": "integer", "compliance.recorded": "integer", "compliance.on_time": "integer",
                "compliance.late": "integer", "compliance.not_complied": "integer", "compliance_rate": "number",
                "population": "integer", "upheld_per_100k": "number", "average.method": "string"}
    columns |= {f"average.{rate}": "number" for rate in (*RATES, "upheld_per_100k")}
    columns |= {f"interval.{rate}.{end}": "number" for rate in RATES for end in ("low", "high")}
    columns |= {f"funnel.{rate}": "string" for rate in RATES}
    for rate in RATES:
        columns |= {f"change.{rate}.previous_year": "string", f"change.{rate}.previous": "number",
                    f"change.{rate}.current": "number", f"change.{rate}.p_value": "number",
                    f"change.{rate}.test": "string", f"change.{rate}.significant": "boolean",
                    f"change.{rate}.direction": "string"}
    return columns


def rows(records: Iterable[StatisticsRecord], labels: EngineLabels) -> list[dict]:
    """One flat row per record (`flatten` of the SPEC object), every cell neutralised; a nested part that is absent
    as a whole (`funnel`, `change.uphold_rate`) leaves no cell of its own."""
    fixed = fixed_columns(labels)
    return [_rows.get(r, labels, lambda r=r: _row(r, fixed)) for r in records]


def _row(record: StatisticsRecord, fixed: dict[str, str]) -> dict:
    return {k: neutralise(v) for k, v in flatten(record.to_json()).items() if k in fixed or _extra(k)}


_rows: KeptByIdentity[dict] = KeptByIdentity(8192)
"""Records' flat rows (every year's of the demo), made once for the year's files, the all-years files and the data
package."""


def object_rows(objects: Iterable[dict]) -> list[dict]:
    """One flat row per JSON object of any scheme's records (`flatten`), every cell neutralised."""
    return [{k: neutralise(v) for k, v in flatten(o).items()} for o in objects]


def _header(flat: list[dict]) -> list[str]:
    """A measures scheme's columns: the first row's keys, then any key a later row adds; a column empty in every row
    (a breakdown's rate in a year with nothing to divide by) is left out."""
    keys = dict.fromkeys(k for row in flat for k in row)
    return [k for k in keys if any(row.get(k) not in (None, "") for row in flat)]


SCHEMA_TYPES = {bool: "boolean", int: "integer", float: "number", str: "string"}


def object_columns(objects: Iterable[dict]) -> list[str]:
    """The columns of a measures scheme's downloads of `objects`: every column any of them fills, in the order
    the records give them. Given every year's records, one column set for every year's file and the all-years
    file (a column a year leaves empty is empty there, not dropped)."""
    return _header(object_rows(objects))


def objects_schema(objects: list[dict], primary_key: list[str]) -> dict:
    """The Frictionless Table Schema of a measures scheme's CSV or XLSX download of `objects` (given every year's,
    the schema of every file): each column typed by the values it holds (a rate is a float, so `number` even where
    every rate is a whole number; counts `integer`; flags `boolean`)."""
    flat = object_rows(objects)
    return _schema([{"name": k, "type": _type_of(flat, k)} for k in _header(flat)], primary_key)


def _type_of(flat: list[dict], key: str) -> str:
    seen = {SCHEMA_TYPES[type(row[key])] for row in flat if row.get(key) not in (None, "")}
    if seen == {"integer", "number"}:
        return "number"
    return seen.pop() if len(seen) == 1 else "string"


def _schema(fields: list[dict], primary_key: list[str]) -> dict:
    return {"fields": fields, "missingValues": [""], "primaryKey": primary_key}


def _extra(key: str) -> bool:
    """A count by a service area or outcome the labels do not know: kept, as a column after the fixed ones."""
    return key.startswith(("received.", "decided."))


def columns(flat: list[dict], labels: EngineLabels) -> list[str]:
    """The fixed columns, then any service area or outcome a row adds."""
    fixed = fixed_columns(labels)
    extra = dict.fromkeys(k for row in flat for k in row if k not in fixed)
    return [*fixed, *extra]


def table_schema(header: list[str], labels: EngineLabels) -> dict:
    """The Frictionless Table Schema of a CSV or XLSX download with this header."""
    fixed = fixed_columns(labels)
    return _schema([{"name": name, "type": fixed.get(name, "integer")} for name in header],
                   ["authority.code", "year"])


def _cell(value, for_csv: bool):
    """An empty cell is written as "" (so a spreadsheet row keeps every column); a boolean is `true`/`false` in
    CSV."""
    if value is None:
        return ""
    if isinstance(value, bool) and for_csv:
        return "true" if value else "false"
    return value


def to_csv(records: Iterable[StatisticsRecord], labels: EngineLabels) -> bytes:
    flat = rows(records, labels)
    return _csv(flat, columns(flat, labels))


def objects_csv(objects: list[dict], header: list[str] | None = None) -> bytes:
    flat = object_rows(objects)
    return _csv(flat, header or _header(flat))


def _csv(flat: list[dict], header: list[str]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    for row in flat:
        writer.writerow([_cell(row.get(k), for_csv=True) for k in header])
    return out.getvalue().encode("utf-8")


def to_json(records: Iterable[StatisticsRecord], labels: EngineLabels) -> bytes:
    return objects_json([r.to_json() for r in records])


def objects_json(objects: list[dict]) -> bytes:
    """A JSON array with one object a line: readable and compared line by line, and written by Python's C encoder
    (indenting is not: it took a third of the downloads' CPU)."""
    lines = ",".join("\n" + json.dumps(o, ensure_ascii=False) for o in objects)
    return f"[{lines}\n]".encode() if objects else b"[]"


def to_xlsx(records: Iterable[StatisticsRecord], labels: EngineLabels) -> bytes:
    flat = rows(records, labels)
    return _xlsx(flat, columns(flat, labels))


def objects_xlsx(objects: list[dict], header: list[str] | None = None) -> bytes:
    flat = object_rows(objects)
    return _xlsx(flat, header or _header(flat))


def _xlsx(flat: list[dict], header: list[str]) -> bytes:
    """One sheet, "statistics", a header row then one row per body; the same bytes for the same figures."""
    return workbook("statistics", header, ([_cell(row.get(k), for_csv=False) for k in header] for row in flat))


def download(records: Iterable[StatisticsRecord], extension: str, labels: EngineLabels) -> tuple[bytes, str]:
    """The file's bytes and media type; `extension` is one of EXTENSIONS; `labels` word the counts' columns."""
    records = list(records)
    body = {"csv": to_csv, "json": to_json, "xlsx": to_xlsx}[extension](records, labels)
    return body, MEDIA_TYPES[extension]


def download_objects(objects: list[dict], extension: str, header: list[str] | None = None) -> tuple[bytes, str]:
    """Any scheme's year records as JSON objects (a measures scheme's), as a download; the CSV and XLSX file with
    `header`'s columns (`object_columns`), else those the objects fill."""
    if extension == "json":
        return objects_json(objects), MEDIA_TYPES[extension]
    body = {"csv": objects_csv, "xlsx": objects_xlsx}[extension](objects, header)
    return body, MEDIA_TYPES[extension]
