"""The open data as a Frictionless Data Package (`data/datapackage.json`), for any scheme: each download is given as
a `Table` (its name, title, path under `data/` without the extension, and Table Schema), and described three times:
the CSV and the XLSX file by that Table Schema, the JSON file as JSON (nested objects, so not a table)."""

from __future__ import annotations

from dataclasses import dataclass

from ombuds.schemes import Scheme
from ombuds.site.render import json_bytes
from ombuds.stats import downloads


@dataclass(frozen=True)
class Table:
    name: str  # "statistics-2023-24"
    title: str  # "Statistics by authority, 2023-24"
    stem: str  # under data/, without the extension: "2023-24/statistics"
    schema: dict


def resources(table: Table) -> list[dict]:
    return [
        {"name": table.name, "title": table.title, "path": f"{table.stem}.csv", "format": "csv",
         "mediatype": "text/csv", "encoding": "utf-8", "schema": table.schema},
        {"name": f"{table.name}-xlsx", "title": table.title + " (spreadsheet)", "path": f"{table.stem}.xlsx",
         "format": "xlsx", "mediatype": downloads.MEDIA_TYPES["xlsx"], "dialect": {"excel": {"sheet": "statistics"}},
         "schema": table.schema},
        {"name": f"{table.name}-json", "title": table.title + " (JSON)", "type": "json", "path": f"{table.stem}.json",
         "format": "json", "mediatype": "application/json"},
    ]


def stem(download_csv: str) -> str:
    """A CSV download's path under data/, without its extension: `data/2023-24/records.csv` → `2023-24/records`."""
    return download_csv.removeprefix("data/").removesuffix(".csv")


def licenses(scheme: Scheme) -> list[dict]:
    """The scheme's licences (`[[data.licenses]]` in its scheme.toml) as a Data Package lists them."""
    return [{"name": x.name, "title": x.title, "path": x.path} for x in scheme.data.licenses]


def package(about: dict, tables: list[Table]) -> bytes:
    """The package as JSON: `about` (name, title, description, homepage, and licenses where known), then every
    table's resources."""
    return json_bytes({**about, "resources": [r for table in tables for r in resources(table)]})
