"""The six kinds of input file (SPEC 2.1): their columns, how each is recognised, and how a row is checked.

A row checker returns the row as stored (the table's columns in order) or None when it has problems. The kinds
that come in large files also have a column checker: the same checks over a batch of rows at once, giving each
row as stored or with BAD in place of a value with a problem (see ingest.columns); it must agree with the row
checker on every row (tests/test_import_speed.py).
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress, repeat

from ombuds.errors import OmbudsError
from ombuds.ingest.columns import BAD, Column, ColumnCheck
from ombuds.ingest.fields import RowCheck
from ombuds.ingest.read import HEADER_WITHIN
from ombuds.labels import ADDRESSEE, COMPLIES, OWN_OUTCOMES, UPHELD_ID, lookup
from ombuds.years import Year

_STAGES = lookup(("1", "2"))
_OWN_OUTCOMES = lookup(OWN_OUTCOMES)
_COMPLIES = lookup(COMPLIES)
_LATER_DATES = ("acknowledged_date", "response_date", "extended_to")
_WORDS = {"received_date": "receipt", "acknowledged_date": "acknowledgement", "response_date": "response"}

Row = dict[str, str]
Batch = dict[str, Column]  # a batch of rows as columns, by column key; a column the file lacks is all ""


@dataclass(frozen=True)
class Kind:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    check: Callable[[Row, RowCheck], tuple | None]
    check_columns: Callable[[Batch, ColumnCheck, list[int]], list[tuple]] | None = None
    """Given the batch and each row's position, every row as stored followed by its position (or holding BAD);
    dates come as the store's text (2019-07-24), which the row checker's date objects are stored as."""
    first_load: bool = True
    """Whether rows may go straight into an empty table; False for kinds whose rows are checked against each other
    after staging (an organisation's stage 2 against its stage 1)."""

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


def _received(row: Row, c: RowCheck) -> tuple | None:
    reference = c.reference(row)
    received = c.date(row, "received_date")
    code = c.authority(row, "authority", received)
    area = c.choice(row, "service_area", c.labels["service_area"])
    return None if c.problems else (reference, code, received, area)


def _received_columns(b: Batch, k: ColumnCheck, pos: list[int]) -> list[tuple]:
    received = k.date(b["received_date"], "received_date")
    return list(zip(k.reference(b["reference"]), k.authority(b["authority"], received, "authority"), k.iso(received),
                    k.choice(b["service_area"], "service_area", k.check.labels["service_area"]), pos, strict=True))


def _decided(row: Row, c: RowCheck) -> tuple | None:
    reference = c.reference(row)
    decided = c.date(row, "decision_date")
    code = c.authority(row, "authority", decided)
    outcome = c.choice(row, "outcome", c.labels["outcome"])
    area = c.choice(row, "service_area", c.labels["service_area"], required=False)
    remedy = c.flag(row, "satisfactory_remedy")
    remedied = c.flag(row, "remedied_by_ombudsman")
    public_report = c.flag(row, "public_report")
    summary = c.text(row, "summary", required=False, lines=True)
    if outcome is not None and outcome != UPHELD_ID:
        for column, value in (("satisfactory_remedy", remedy), ("remedied_by_ombudsman", remedied)):
            if value:
                c.problem(column, f"yes on a decision that is '{c.label_sets['outcome'].name_of(outcome)}': only an "
                                  f"{c.label_sets['outcome'].name_of(UPHELD_ID)} decision can have it")
    if c.problems:
        return None
    return (reference, code, decided, outcome, area, remedy, remedied, public_report, summary)


def _decided_columns(b: Batch, k: ColumnCheck, pos: list[int]) -> list[tuple]:
    decided = k.date(b["decision_date"], "decision_date")
    outcomes = k.choice(b["outcome"], "outcome", k.check.labels["outcome"])
    remedies, remedied = k.flag(b["satisfactory_remedy"], "satisfactory_remedy"), k.flag(
        b["remedied_by_ombudsman"], "remedied_by_ombudsman")
    remedy = map(operator.or_, map(operator.is_, remedies, repeat(True)), map(operator.is_, remedied, repeat(True)))
    for i in compress(range(len(outcomes)), remedy):  # only an Upheld decision can have a remedy
        if outcomes[i] != UPHELD_ID:
            outcomes[i] = BAD
            k.flagged = True
    areas = k.choice(b["service_area"], "service_area", k.check.labels["service_area"], required=False)
    return list(zip(k.reference(b["reference"]), k.authority(b["authority"], decided, "authority"), k.iso(decided),
                    outcomes, areas, remedies,
                    remedied, k.flag(b["public_report"], "public_report"), k.text(b["summary"], required=False),
                    pos, strict=True))


def _compliance(row: Row, c: RowCheck) -> tuple | None:
    reference = c.reference(row)
    recorded = c.date(row, "recorded_date")
    code = c.authority(row, "authority", recorded)
    outcome = c.choice(row, "compliance", c.labels["compliance"])
    return None if c.problems else (reference, code, recorded, outcome)


def _compliance_columns(b: Batch, k: ColumnCheck, pos: list[int]) -> list[tuple]:
    recorded = k.date(b["recorded_date"], "recorded_date")
    return list(zip(k.reference(b["reference"]), k.authority(b["authority"], recorded, "authority"), k.iso(recorded),
                    k.choice(b["compliance"], "compliance", k.check.labels["compliance"]), pos, strict=True))


def _improvements(row: Row, c: RowCheck) -> tuple | None:
    reference = c.reference(row)
    agreed = c.date(row, "agreed_date")
    code = c.authority(row, "authority", agreed)
    improvement = c.text(row, "improvement", lines=True)
    return None if c.problems else (reference, improvement, code, agreed)


def _improvements_columns(b: Batch, k: ColumnCheck, pos: list[int]) -> list[tuple]:
    agreed = k.date(b["agreed_date"], "agreed_date")
    return list(zip(k.reference(b["reference"]), k.text(b["improvement"]),
                    k.authority(b["authority"], agreed, "authority"), k.iso(agreed), pos, strict=True))


def _contacts(row: Row, c: RowCheck) -> tuple | None:
    code = c.authority(row, "authority", None, case=False)
    role = c.choice(row, "role", c.labels["contact_role"], default=ADDRESSEE)
    values = [c.lettered(row, column) for column in ("name", "title", "salutation")]
    email = c.email(row, "email")
    return None if c.problems else (code, role, *values, email)


def _year(row: Row, c: RowCheck) -> Year | None:
    label = c.text(row, "year")
    if label is None:
        return None
    try:
        return Year.parse(label)
    except OmbudsError as error:
        c.problem("year", str(error))
        return None


def _population(row: Row, c: RowCheck) -> tuple | None:
    year = _year(row, c)
    code = c.authority(row, "authority", year.start if year else None, case=False)
    people = c.count(row, "population")
    if people == 0:
        c.problem("population", "a population of 0 is not possible: leave the row out if the figure is not known")
    return None if c.problems else (code, year.label, people)


def _own_complaint(row: Row, c: RowCheck) -> tuple | None:
    reference = c.reference(row)
    stage = c.choice(row, "stage", _STAGES)
    received = c.date(row, "received_date")
    code = c.authority(row, "authority", received)
    acknowledged, responded, extended = (_optional_date(row, c, column) for column in _LATER_DATES)
    start = ("acknowledged_date", acknowledged) if acknowledged else ("received_date", received)
    for column, day, earlier in (("acknowledged_date", acknowledged, ("received_date", received)),
                                 ("response_date", responded, start), ("extended_to", extended, start)):
        if day is not None and earlier[1] is not None and day < earlier[1]:
            c.problem(column, f"{day.isoformat()} is before the {_WORDS[earlier[0]]} ({earlier[1].isoformat()})")
    area = c.text(row, "service_area")
    outcome = c.choice(row, "outcome", _OWN_OUTCOMES, required=False)
    if c.problems:
        return None
    return (code, reference, int(stage), received, acknowledged, responded, extended, area, outcome)


def _optional_date(row: Row, c: RowCheck, column: str):
    return c.date(row, column) if row.get(column, "").strip() else None


def _self_assessment(row: Row, c: RowCheck) -> tuple | None:
    year = _year(row, c)
    code = c.authority(row, "authority", year.start if year else None, case=False)
    provision = c.choice(row, "provision", c.provisions)
    complies = c.choice(row, "complies", _COMPLIES)
    evidence, action = c.text(row, "evidence", required=False), c.text(row, "action", required=False)
    due = _optional_date(row, c, "due")
    return None if c.problems else (code, year.label, provision, complies, evidence, action, due)


# The Complaint Handling Code year's kinds: any scheme's bodies (a landlord's too) import them.
CODE_KINDS = ("own_complaints", "self_assessment", "improvements")

KINDS = {
    kind.name: kind
    for kind in (
        Kind("received", ("reference", "authority", "received_date", "service_area"), (), _received,
             _received_columns),
        Kind("decided", ("reference", "authority", "decision_date", "outcome"),
             ("service_area", "satisfactory_remedy", "remedied_by_ombudsman", "public_report", "summary"),
             _decided, _decided_columns),
        Kind("compliance", ("reference", "authority", "recorded_date", "compliance"), (), _compliance,
             _compliance_columns),
        Kind("improvements", ("reference", "authority", "agreed_date", "improvement"), (), _improvements,
             _improvements_columns),
        Kind("contacts", ("authority", "name", "title", "salutation"), ("email", "role"), _contacts),
        Kind("population", ("authority", "year", "population"), (), _population),
        Kind("own_complaints", ("reference", "authority", "stage", "received_date", "service_area"),
             ("acknowledged_date", "response_date", "extended_to", "outcome"), _own_complaint, first_load=False),
        Kind("self_assessment", ("authority", "year", "provision", "complies"), ("evidence", "action", "due"),
             _self_assessment, first_load=False),
    )
}


_DISTINCTIVE = frozenset(c for k in KINDS.values() for c in k.required) - {"reference", "authority"}
HEADER, PARTIAL_HEADER, NOT_A_HEADER = 2, 1, 0


def header_rank(keys: list[str]) -> int:
    """How much a row of column keys looks like a header: HEADER if it has every required column of some kind,
    PARTIAL_HEADER if it has a column that names a kind (a header lacking columns), else NOT_A_HEADER (a title,
    a blank or a data row)."""
    present = set(keys)
    if any(set(k.required) <= present for k in KINDS.values()):
        return HEADER
    return PARTIAL_HEADER if _DISTINCTIVE & present else NOT_A_HEADER


def recognise(header: list[str]) -> tuple[Kind | None, str]:
    """The kind whose required columns the header has; otherwise None and what is wrong."""
    present = set(header)
    complete = [k for k in KINDS.values() if set(k.required) <= present]
    complete = [k for k in complete if not any(set(k.required) < set(other.required) for other in complete)]
    if len(complete) == 1:
        return complete[0], ""
    if len(complete) > 1:
        names = " and ".join(k.name for k in complete)
        return None, f"the header fits both {names} files: give each kind its own file"
    best = max(KINDS.values(), key=lambda k: len(set(k.required) & present) / len(k.required))
    distinctive = set(best.required) - {"reference", "authority"}
    if distinctive & present:
        missing = ", ".join(c for c in best.required if c not in present)
        return None, f"looks like a {best.name} file but lacks the required column(s) {missing}"
    expected = "; ".join(f"{k.name}: {', '.join(k.required)}" for k in KINDS.values())
    return None, (f"cannot tell what kind of file this is from its header (looked for in the first {HEADER_WITHIN} "
                  f"rows); expected the columns of one of {expected}")
