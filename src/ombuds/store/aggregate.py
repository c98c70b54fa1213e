"""The case counts: every case table counted by year, authority and label, kept in step with the cases so that
statistics read a few thousand counts instead of millions of cases.

An import changes the counts by what it changes: `count_changes` adds the staged rows and takes away the stored
rows they replace. It runs inside the import's transaction before the staged rows are merged (a changed row's old
date, which says the year that loses it, is gone after the merge), and the merge then makes the case tables equal
to exactly that. A first load into an empty case table is counted from the rows it loads, tallied as they go in
(`LoadCounts`). `recount` rebuilds every count from the case tables (the migration), and `fresh_counts` counts them
without touching the aggregate (tests and benchmarks compare the two).
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Mapping, Sequence
from datetime import date
from operator import itemgetter

from sqlalchemy import (
    Connection,
    Integer,
    Table,
    and_,
    case,
    cast,
    delete,
    exists,
    extract,
    func,
    insert,
    literal,
    select,
    tuple_,
    union_all,
)

from ombuds.store.bulk import copy_rows
from ombuds.store.schema import case_counts, compliance, decided, received
from ombuds.years import Year

CountKey = tuple[int, str, str, str]  # start year, authority code, kind, label
Tally = tuple[int, int, int]  # cases, satisfactory remedies, remedied by the ombudsman

COUNTED = {  # kind: (table, date column, label column)
    "received": (received, "received_date", "service_area"),
    "decided": (decided, "decision_date", "outcome"),
    "compliance": (compliance, "recorded_date", "compliance"),
}


def _start_year(column, dialect: str):
    """The reporting year (1 April to 31 March) a date falls in, as the calendar year it starts in."""
    if dialect == "postgresql":
        return (cast(extract("year", column), Integer)
                - case((extract("month", column) < 4, 1), else_=0))
    return cast(func.substr(column, 1, 4), Integer) - case((func.substr(column, 6, 2) < "04", 1), else_=0)


def _grouped(table: Table, kind: str, dialect: str, sign: int = 1, where=None):
    """One kind's rows of `table` (the case table or a staging copy of it) counted by year, authority, label."""
    _, day, label = COUNTED[kind]
    year = _start_year(table.c[day], dialect).label("start_year")
    if kind == "decided":
        remedies = func.sum(case((table.c.satisfactory_remedy, sign), else_=0))
        remedied = func.sum(case((table.c.remedied_by_ombudsman, sign), else_=0))
    else:
        remedies = remedied = literal(0)
    query = select(year, table.c.authority_code, literal(kind).label("kind"), table.c[label].label("label"),
                   (func.count() * sign).label("cases"), remedies.label("remedies"), remedied.label("remedied"))
    if where is not None:
        query = query.where(where)
    return query.group_by(year, table.c.authority_code, table.c[label])


def fresh_counts(connection: Connection) -> dict[CountKey, Tally]:
    """Every count, straight from the case tables."""
    dialect = connection.dialect.name
    query = union_all(*(_grouped(table, kind, dialect) for kind, (table, _, _) in COUNTED.items()))
    return {(y, code, kind, label): (int(n), int(a), int(b)) for y, code, kind, label, n, a, b
            in connection.execute(query)}


def stored_counts(connection: Connection) -> dict[CountKey, Tally]:
    """Every count as the aggregate holds it."""
    c = case_counts.c
    query = select(c.start_year, c.authority_code, c.kind, c.label, c.cases, c.satisfactory_remedies,
                   c.remedied_by_ombudsman)
    return {(y, code, kind, label): (n, a, b) for y, code, kind, label, n, a, b in connection.execute(query)}


def recount(connection: Connection) -> None:
    """Rebuild the aggregate from the case tables, in the database (no rows pass through Python)."""
    dialect = connection.dialect.name
    connection.execute(delete(case_counts))
    for kind, (table, _, _) in COUNTED.items():
        connection.execute(insert(case_counts).from_select(_COUNT_COLUMNS, _grouped(table, kind, dialect)))


_COUNT_COLUMNS = ["start_year", "authority_code", "kind", "label", "cases", "satisfactory_remedies",
                  "remedied_by_ombudsman"]


class LoadCounts:
    """The counts of the rows loaded into an empty case table (store.load.FirstLoad), tallied as they go in: a few
    thousand running totals by year, authority and label (and the remedy flags), however many rows."""

    def __init__(self, kind: str, columns: list[str]):
        _, day, label = COUNTED[kind]
        self.kind = kind
        counted = ["authority_code", label]
        if kind == "decided":
            counted += ["satisfactory_remedy", "remedied_by_ombudsman"]
        self._day = itemgetter(columns.index(day))
        self._counted = [itemgetter(columns.index(column)) for column in counted]
        self._years: dict[date | str, int] = {}
        self._seen: Counter[tuple] = Counter()

    def add(self, rows: Sequence[Sequence]) -> None:
        """Rows as stored (dates as date objects or as the store's text), in the table's column order."""
        days = list(map(self._day, rows))
        for day in set(days).difference(self._years):
            self._years[day] = Year.of(day if isinstance(day, date) else date.fromisoformat(day)).start_year
        self._seen.update(zip(map(self._years.__getitem__, days), *(map(column, rows) for column in self._counted),
                              strict=True))

    def add_tallied(self, tallies: Mapping[tuple, int]) -> None:
        """Rows counted elsewhere (store.arrow_load.tally): cases by (start year, the counted columns)."""
        self._seen.update(tallies)

    def write(self, connection: Connection) -> None:
        """The tallied counts as the kind's only ones (an empty table's counts are none: any stored are stale)."""
        totals: dict[CountKey, list[int]] = defaultdict(lambda: [0, 0, 0])
        for (year, code, label, *remedies), cases in self._seen.items():
            total = totals[(year, code, self.kind, label)]
            total[0] += cases
            if remedies:
                total[1] += cases * bool(remedies[0])
                total[2] += cases * bool(remedies[1])
        connection.execute(delete(case_counts).where(case_counts.c.kind == self.kind))
        in_order = sorted(totals.items(), key=lambda item: tuple(map(str, item[0])))  # whatever tallied them
        copy_rows(connection, case_counts.name, _COUNT_COLUMNS, [(*key, *total) for key, total in in_order])


def count_changes(connection: Connection, kind: str, staged: Table) -> None:
    """Before an import merges `staged` (unique keys, the case table's columns) into the case table of `kind`:
    add the staged rows' counts and take away those of the stored rows with the same references. Kinds that are
    not counted (improvements, contacts, population) are left alone."""
    if kind not in COUNTED:
        return
    table = COUNTED[kind][0]
    dialect = connection.dialect.name
    replaced = exists().where(staged.c.reference == table.c.reference)
    query = union_all(_grouped(staged, kind, dialect), _grouped(table, kind, dialect, -1, replaced))
    changes: dict[CountKey, list[int]] = defaultdict(lambda: [0, 0, 0])
    for y, code, _, label, n, a, b in connection.execute(query):
        total = changes[(y, code, kind, label)]
        total[0] += int(n)
        total[1] += int(a)
        total[2] += int(b)
    changes = {key: tally for key, tally in changes.items() if any(tally)}
    if changes:
        _apply(connection, kind, changes)


def _apply(connection: Connection, kind: str, changes: dict[CountKey, list[int]]) -> None:
    """Add the changes to the stored counts of the touched years (a few thousand rows at most): read them,
    sum, write them back without the counts that fell to zero."""
    c = case_counts.c
    years = sorted({key[0] for key in changes})
    where = and_(c.kind == kind, c.start_year.in_(years))
    stored = {(y, code, kind, label): [n, a, b] for y, code, label, n, a, b in connection.execute(
        select(c.start_year, c.authority_code, c.label, c.cases, c.satisfactory_remedies,
               c.remedied_by_ombudsman).where(where))}
    touched = [key for key in changes if key in stored]
    for key, tally in changes.items():
        total = stored.setdefault(key, [0, 0, 0])
        for i in range(3):
            total[i] += tally[i]
    if touched:
        keys = tuple_(c.start_year, c.authority_code, c.kind, c.label)
        for start in range(0, len(touched), 500):
            connection.execute(delete(case_counts).where(keys.in_(touched[start:start + 500])))
    rows = [{"start_year": key[0], "authority_code": key[1], "kind": key[2], "label": key[3], "cases": total[0],
             "satisfactory_remedies": total[1], "remedied_by_ombudsman": total[2]}
            for key in changes if (total := stored[key])[0]]
    if rows:
        connection.execute(insert(case_counts), rows)
