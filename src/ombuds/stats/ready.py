"""Statistics ready when an import commits: inside the import's transaction, after its rows are merged, the kept
statistics (`store.kept`) are brought up to the new data version, so that the first `ombuds stats`, letters run or
live page after an import reads them instead of computing.

Only the years whose figures can have changed are computed: those whose case counts or population figures the
import changed, and the year after each (its tested change compares with them). What was kept for the other years
is carried to the new data version unchanged; a year held but not kept before is computed too. A failed import
rolls all of it back with its rows, so what was kept before stays."""

from __future__ import annotations

from sqlalchemy import Connection

from ombuds.schemes import Scheme
from ombuds.stats.kept import body, statistics_fingerprint
from ombuds.stats.service import years_as_seen_by
from ombuds.store.kept import (
    FigureInputs,
    carry_forward,
    figure_input_years,
    figure_inputs,
    keep,
    kept_methods,
)
from ombuds.store.queries import case_record_years, data_version, published_years
from ombuds.years import Year


def keep_after_import(connection: Connection, scheme: Scheme, before: FigureInputs) -> list[Year]:
    """Keep every held year's statistics for the data version the import leaves (`before`: what the import found
    when it began, `store.kept.figure_inputs`); returns the years computed."""
    version = data_version(connection)
    if version == before.version:
        return []
    if before.years:
        inputs = figure_inputs(connection).years
        changed = {y for y in set(inputs) | set(before.years) if inputs.get(y) != before.years.get(y)}
    else:  # nothing held before (a first import): every year held now is changed, and its digest not needed
        changed = figure_input_years(connection)
    affected = changed | {y + 1 for y in changed}
    case = case_record_years(connection)
    held = sorted(set(case) | set(published_years(connection)))
    if not held:
        return []
    fingerprint = statistics_fingerprint(scheme.folder)
    computed: set[Year] = set()
    for method in sorted({"pooled"} | kept_methods(connection, fingerprint, before.version)):
        unchanged = [y.label for y in held if y.start_year not in affected]
        carried = carry_forward(connection, method, fingerprint, before.version, version, unchanged)
        due = [y for y in held if y.label not in carried]
        statistics = years_as_seen_by(connection, scheme, due, method)
        keep(connection, method, fingerprint, version,
             {y.label: (s.published, body([r.to_json() for r in s.records])) for y, s in statistics.items()},
             [y.label for y in held])
        computed.update(due)
    return sorted(computed)
