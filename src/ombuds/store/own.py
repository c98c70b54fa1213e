"""An organisation's own complaints and self-assessments: the stage order check an import runs, and the rows the
code report and the register read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection, select

from ombuds.store.load import Staging, as_date
from ombuds.store.schema import TABLES

OWN, ASSESSED = TABLES["own_complaints"], TABLES["self_assessment"]


@dataclass(frozen=True)
class OwnComplaint:
    authority_code: str
    reference: str
    stage: int
    received_date: date
    acknowledged_date: date | None
    response_date: date | None
    extended_to: date | None
    service_area: str
    outcome: str | None


@dataclass(frozen=True)
class Assessment:
    authority_code: str
    year: str
    provision: str
    complies: str
    evidence: str | None
    action: str | None
    due: date | None


@dataclass(frozen=True)
class StageProblem:
    pos: int
    column: str
    reason: str


def _complaint(row) -> OwnComplaint:
    values = list(row)
    for i in (3, 4, 5, 6):
        values[i] = None if values[i] is None else as_date(values[i])
    return OwnComplaint(*values)


def stage_order_problems(connection: Connection, staged: Staging) -> list[StageProblem]:
    """Stage 2 rows without a closed stage 1 before them, each placed on the staged row: a staged stage 2 against
    the staged or stored stage 1 of its reference, and a staged stage 1 against the stored stage 2 it would
    leave out of order."""
    s = staged.table
    rows = {(_complaint(r[:-1]), r[-1]) for r in connection.execute(select(*(s.c[c.name] for c in OWN.c), s.c.pos))}
    codes = {c.authority_code for c, _ in rows}
    stored = [_complaint(r) for r in connection.execute(select(OWN).where(OWN.c.authority_code.in_(codes)))]
    by_key: dict[tuple[str, str, int], tuple[OwnComplaint, int | None]] = {
        (c.authority_code, c.reference, c.stage): (c, None) for c in stored}
    by_key.update({(c.authority_code, c.reference, c.stage): (c, pos) for c, pos in rows})
    problems = []
    for (code, reference, stage), (second, pos) in by_key.items():
        if stage != 2:
            continue
        first, first_pos = by_key.get((code, reference, 1), (None, None))
        if pos is None and first_pos is None:
            continue
        reason = _out_of_order(first, second)
        if reason is None:
            continue
        if pos is not None:
            problems.append(StageProblem(pos, "received_date" if first is not None else "stage", reason))
        else:
            problems.append(StageProblem(first_pos, "response_date", reason))
    return sorted(problems, key=lambda p: p.pos)


def _out_of_order(first: OwnComplaint | None, second: OwnComplaint) -> str | None:
    if first is None:
        return f"stage 2 of '{second.reference}' has no stage 1 complaint with the same reference"
    if first.response_date is None:
        return f"stage 2 of '{second.reference}' begins before stage 1 closed (stage 1 has no response date)"
    if second.received_date < first.response_date:
        return (f"stage 2 of '{second.reference}' received {second.received_date.isoformat()}, before stage 1 "
                f"closed ({first.response_date.isoformat()})")
    return None


def own_complaints(connection: Connection, code: str, first: date, last: date) -> list[OwnComplaint]:
    """One organisation's complaints received (at either stage) from `first` to `last`."""
    query = (select(OWN).where(OWN.c.authority_code == code, OWN.c.received_date >= first,
                               OWN.c.received_date <= last).order_by(OWN.c.stage, OWN.c.reference))
    return [_complaint(r) for r in connection.execute(query)]


def assessments(connection: Connection, year: str | None = None, code: str | None = None) -> list[Assessment]:
    query = select(ASSESSED).order_by(ASSESSED.c.authority_code, ASSESSED.c.year, ASSESSED.c.provision)
    if year is not None:
        query = query.where(ASSESSED.c.year == year)
    if code is not None:
        query = query.where(ASSESSED.c.authority_code == code)
    return [Assessment(*r[:6], None if r[6] is None else as_date(r[6])) for r in connection.execute(query)]


def own_complaint_bodies(connection: Connection) -> list[str]:
    """The organisations with own complaints stored."""
    return list(connection.execute(select(OWN.c.authority_code).distinct().order_by(OWN.c.authority_code)).scalars())
