"""The records of a measures scheme's kinds (`schemes/<id>/kinds.toml`): written by `ingest.records`, read by
`stats.measures`. Every SQL statement about them lives here.

A kind's key fields identify a group of rows (the findings of one case): an import that holds a key replaces every
stored row of that key, so a newer file replaces a case's findings as a whole."""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import Connection, delete, func, insert, select

from ombuds.store.schema import records

CHUNK = 500  # keys per DELETE … IN (…): well inside SQLite's and PostgreSQL's parameter limits


@dataclass(frozen=True)
class Record:
    """One stored row: its body, its date and its other fields as stored values (label ids, flags, numbers)."""

    body_code: str
    record_date: date
    fields: Mapping[str, object]


@dataclass
class RecordChanges:
    new: int = 0  # keys not held before
    changed: int = 0  # keys whose rows differ from those held
    unchanged: int = 0
    changed_keys: list[str] = field(default_factory=list)  # the first few, for the report


def _stored(connection: Connection, kind: str, keys: set[str]) -> dict[str, list[tuple]]:
    c = records.c
    held: dict[str, list[tuple]] = defaultdict(list)
    query = (select(c.record_key, c.position, c.body_code, c.record_date, c.fields)
             .where(c.kind == kind).order_by(c.record_key, c.position))
    for key, _position, body, day, fields in connection.execute(query):
        if key in keys:
            held[key].append((body, _as_date(day), fields))
    return held


def replace_records(connection: Connection, kind: str, grouped: Mapping[str, list[Record]]) -> RecordChanges:
    """Store each key's rows in place of those held for it; keys not given are left as they are."""
    held = _stored(connection, kind, set(grouped))
    changes = RecordChanges()
    replaced, rows = [], []
    for key, group in grouped.items():
        wanted = [(r.body_code, r.record_date, _fields_json(r.fields)) for r in group]
        if held.get(key) == wanted:
            changes.unchanged += 1
            continue
        if key in held:
            changes.changed += 1
            replaced.append(key)
            if len(changes.changed_keys) < 10:
                changes.changed_keys.append(key)
        else:
            changes.new += 1
        rows += [{"kind": kind, "record_key": key, "position": i, "body_code": body, "record_date": day,
                  "fields": text} for i, (body, day, text) in enumerate(wanted)]
    for start in range(0, len(replaced), CHUNK):
        connection.execute(delete(records).where(records.c.kind == kind,
                                                 records.c.record_key.in_(replaced[start:start + CHUNK])))
    if rows:
        connection.execute(insert(records), rows)
    return changes


def kind_records(connection: Connection, kind: str, start: date, end: date) -> list[Record]:
    """The kind's rows dated from start to end, both included."""
    c = records.c
    query = (select(c.body_code, c.record_date, c.fields)
             .where(c.kind == kind, c.record_date.between(start, end)))
    return [Record(body, _as_date(day), json.loads(fields)) for body, day, fields in connection.execute(query)]


def record_dates(connection: Connection, kinds: Iterable[str]) -> tuple[date, date] | None:
    """The first and last dates of the kinds' rows, or None when none is held."""
    c = records.c
    first, last = connection.execute(select(func.min(c.record_date), func.max(c.record_date))
                                     .where(c.kind.in_(list(kinds)))).one()
    return None if first is None else (_as_date(first), _as_date(last))


def _fields_json(fields: Mapping[str, object]) -> str:
    return json.dumps(fields, sort_keys=True, separators=(",", ":"))


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)
