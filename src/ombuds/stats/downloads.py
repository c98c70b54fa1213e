"""Every authority's statistics for a year as downloadable files (CSV, JSON, XLSX), and the one national figure the
national page needs that `summary` does not give: complaints received, summed by service area.

Spreadsheet cells that a spreadsheet program would read as a formula (text starting with `=`, `+`, `-`, `@`, a tab
or a carriage return) are neutralised with a leading `'`; numbers stay numbers."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable

from ombuds.labels import SERVICE_AREAS
from ombuds.stats.export import flatten, neutralise
from ombuds.stats.record import StatisticsRecord

EXTENSIONS = ("csv", "json", "xlsx")
MEDIA_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
FIXED_TIME = (2000, 1, 1, 0, 0, 0)


def received_by_area(records: Iterable[StatisticsRecord]) -> dict[str, int | None]:
    """Complaints and enquiries received in England by service area (the published areas first, in their order,
    then any others), and `total`. An area is None where any authority's figure for it is unknown."""
    records = list(records)
    areas = [a for a in SERVICE_AREAS if any(a in r.received for r in records)]
    areas += sorted({k for r in records for k in r.received} - set(areas) - {"total"})
    summed: dict[str, int | None] = {}
    for area in [*areas, "total"]:
        values = [r.received.get(area, 0) for r in records]
        summed[area] = None if None in values else sum(values)
    return summed


def rows(objects: Iterable[dict]) -> list[dict]:
    """One flat row per record's JSON object (`flatten`), every cell neutralised."""
    return [{k: neutralise(v) for k, v in flatten(o).items()} for o in objects]


def _header(flat: list[dict]) -> list[str]:
    """The first row's keys, then any key a later row adds (a service area one authority alone has)."""
    header: list[str] = []
    seen: set[str] = set()
    for row in flat:
        for key in row:
            if key not in seen:
                seen.add(key)
                header.append(key)
    return header


def to_csv(records: Iterable[StatisticsRecord]) -> bytes:
    return objects_csv([r.to_json() for r in records])


def objects_csv(objects: list[dict]) -> bytes:
    flat = rows(objects)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    header = _header(flat)
    writer.writerow(header)
    for row in flat:
        writer.writerow([row.get(k, "") for k in header])
    return out.getvalue().encode("utf-8")


def objects_json(objects: list[dict]) -> bytes:
    return json.dumps(objects, ensure_ascii=False, indent=1).encode("utf-8")


def to_xlsx(records: Iterable[StatisticsRecord]) -> bytes:
    return objects_xlsx([r.to_json() for r in records])


def objects_xlsx(objects: list[dict]) -> bytes:
    """One sheet, "statistics", a header row then one row per body; the same bytes for the same figures."""
    from openpyxl import Workbook

    flat = rows(objects)
    header = _header(flat)
    book = Workbook(write_only=True)
    sheet = book.create_sheet("statistics")
    sheet.append(header)
    for row in flat:
        sheet.append([row.get(k, "") for k in header])
    out = io.BytesIO()
    book.save(out)
    return _deterministic(out.getvalue())


def _deterministic(body: bytes) -> bytes:
    """The workbook rewritten with fixed timestamps: its zip entries' dates and the document's created date."""
    source = zipfile.ZipFile(io.BytesIO(body))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in source.infolist():
            data = source.read(info.filename)
            if info.filename == "docProps/core.xml":
                data = _fixed_dates(data)
            entry = zipfile.ZipInfo(info.filename, FIXED_TIME)
            entry.compress_type = zipfile.ZIP_DEFLATED
            target.writestr(entry, data)
    return out.getvalue()


def _fixed_dates(core: bytes) -> bytes:
    import re

    return re.sub(rb"(<dcterms:(created|modified)[^>]*>)[^<]*(</dcterms:)", rb"\g<1>2000-01-01T00:00:00Z\g<3>", core)


def download(records: Iterable[StatisticsRecord], extension: str) -> tuple[bytes, str]:
    """The file's bytes and media type; `extension` is one of EXTENSIONS."""
    return download_objects([r.to_json() for r in records], extension)


def download_objects(objects: list[dict], extension: str) -> tuple[bytes, str]:
    """Any scheme's year records as JSON objects (a measures scheme's), as a download."""
    body = {"csv": objects_csv, "json": objects_json, "xlsx": objects_xlsx}[extension](objects)
    return body, MEDIA_TYPES[extension]
