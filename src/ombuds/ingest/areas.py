"""The optional mapping of an organisation's own service area words to the scheme's service areas (a CSV file
with the columns `own_area` and `service_area`)."""

from __future__ import annotations

import csv
from pathlib import Path

from ombuds.ingest.problems import ImportFailed, Problem
from ombuds.labels import label_key
from ombuds.schemes import LabelSet


def read_area_mapping(path: Path, service_areas: LabelSet) -> dict[str, str]:
    """Own words → the scheme's area in its words (`service_areas`: named by its words, id or an alias); every
    problem as FILE:LINE: column: reason, and nothing returned."""
    problems: list[Problem] = []
    mapping: dict[str, str] = {}
    try:
        with path.open(encoding="utf-8-sig", newline="") as handle:
            rows = list(csv.reader(handle))
    except (OSError, UnicodeDecodeError) as error:
        raise ImportFailed([Problem(str(path), 1, "file", f"cannot read it: {error}")]) from None
    header = [label_key(cell).replace(" ", "_") for cell in rows[0]] if rows else []
    if "own_area" not in header or "service_area" not in header:
        raise ImportFailed([Problem(str(path), 1, "header", "expected the columns own_area and service_area")])
    own, area = header.index("own_area"), header.index("service_area")
    for line, row in enumerate(rows[1:], start=2):
        if not "".join(row).strip():
            continue
        words = row[own].strip() if own < len(row) else ""
        value = row[area].strip() if area < len(row) else ""
        found = service_areas.resolve(value) if value else None
        if not words:
            problems.append(Problem(str(path), line, "own_area", "required, but empty"))
        elif found is None:
            problems.append(Problem(str(path), line, "service_area",
                                    f"unknown value '{value}': expected one of {', '.join(service_areas.names)}"))
        elif mapping.get(words, found) != found:
            problems.append(Problem(str(path), line, "own_area", f"'{words}' is mapped twice, to different areas"))
        else:
            mapping[words] = service_areas.name_of(found)
    if problems:
        raise ImportFailed(problems)
    return mapping
