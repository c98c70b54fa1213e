"""The change list: what each step of the data version reached, so that a site rebuild asks again only the
questions whose answers those changes can move (`site.incremental`).

Every bump of the data version is one step. A merge of case rows (received, decided, compliance, improvements)
records with its step, in the import's transaction, each (reporting year, body) whose rows it adds or changes, both
the old and the new year and body of a changed row (`merge_reach`). A step that records nothing reached everything,
as far as a rebuild knows: a first load into an empty table, contacts, population, self-assessments, published
figures, releases and migrations bump the version without saying what they touched. An empty reach (a step whose
rows the merges before it in the same transaction recorded) is written as one row with no year.

`reach_since` gives everything reached since a version a build read, or None when that cannot be known: a step
with no rows, a version that went back, or another database (`store_identity`, made with the table).
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import Connection, Table, and_, insert, or_, select, union

from ombuds.store.aggregate import _start_year
from ombuds.store.schema import data_changes, store_identity, version_table

Reach = frozenset[tuple[int, str]]  # (the calendar year a reporting year starts in, body code)

# The case tables whose rows belong to one year and one body, and whose questions `site.incremental.Reach` judges
# by year and body; a merge into any other table (self-assessments, own complaints, contacts, population) reaches
# everything, even where its rows are dated.
DATED = {"received": "received_date", "decided": "decision_date", "compliance": "recorded_date",
         "improvements": "agreed_date"}


def merge_reach(connection: Connection, target: Table, staged: Table) -> Reach | None:
    """Before `staged` (the table's columns, unique keys) is merged into `target`: the (year, body) of every row it
    adds or changes, on both sides of a change; None for a table whose rows are not one year's and one body's."""
    day = DATED.get(target.name)
    if day is None:
        return None
    dialect = connection.dialect.name
    key = [c.name for c in target.primary_key.columns]
    content = [c.name for c in target.columns if c.name not in key]
    joined = staged.outerjoin(target, and_(*(staged.c[k] == target.c[k] for k in key)))
    differs = or_(*(staged.c[c].is_distinct_from(target.c[c]) for c in content))
    new_or_changed = or_(target.c[key[0]].is_(None), differs)
    query = union(
        select(_start_year(staged.c[day], dialect), staged.c.authority_code).select_from(joined)
        .where(new_or_changed),
        select(_start_year(target.c[day], dialect), target.c.authority_code).select_from(joined)
        .where(target.c[key[0]].is_not(None), differs))
    return frozenset((int(year), code) for year, code in connection.execute(query))


def record(connection: Connection, reach: Iterable[tuple[int, str]]) -> None:
    """Write what the step just made (the current data version) reached."""
    version = connection.execute(select(version_table.c.version)).scalar_one()
    rows = [{"version": version, "start_year": year, "authority_code": code} for year, code in sorted(reach)]
    connection.execute(insert(data_changes), rows or [{"version": version, "start_year": None,
                                                        "authority_code": None}])


def identity(connection: Connection) -> str:
    """The token that tells this database from another (one made again from nothing has a new one)."""
    return connection.execute(select(store_identity.c.token)).scalar_one()


def reach_since(connection: Connection, token: str, version: int) -> Reach | None:
    """Every (year, body) the steps after `version` reached; None if that is not known (a step that recorded
    nothing, a version that went back, another database)."""
    now = connection.execute(select(version_table.c.version)).scalar_one()
    if identity(connection) != token or now < version:
        return None
    rows = connection.execute(select(data_changes.c.version, data_changes.c.start_year,
                                     data_changes.c.authority_code).where(data_changes.c.version > version)).all()
    if {v for v, _, _ in rows} != set(range(version + 1, now + 1)):
        return None
    return frozenset((year, code) for _, year, code in rows if year is not None)
