"""Queries: a year's counts (from the aggregate kept by store.aggregate), the data version, published figures,
contacts, improvements, decisions and the sent log. Every SQL statement outside loading lives here."""

from __future__ import annotations

import getpass
import socket
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime

from sqlalchemy import Connection, and_, case, delete, func, insert, select, update

from ombuds.labels import NOT_UPHELD_ID, UPHELD_ID, EngineLabels
from ombuds.schemes.engine_measures import DECISION_FLAGS
from ombuds.store.changes import record as record_reach
from ombuds.store.changes import record_step
from ombuds.store.schema import (
    audit_log,
    case_counts,
    compliance,
    contacts,
    decided,
    improvements,
    population,
    published,
    received,
    sent_letters,
    version_table,
)
from ombuds.years import Year

Counts = dict[str, dict[str, int]]  # by authority code, then label id


@dataclass
class YearCounts:
    """Everything counted in one year, by authority code and label id: the raw material of the statistics."""

    received: Counts = field(default_factory=lambda: defaultdict(dict))
    decided: Counts = field(default_factory=lambda: defaultdict(dict))
    flagged: dict[str, Counts] = field(default_factory=lambda: {flag: defaultdict(dict) for flag in DECISION_FLAGS})
    """Decisions with each flag (satisfactory_remedy, remedied_by_ombudsman), by authority code and outcome id."""
    compliance: Counts = field(default_factory=lambda: defaultdict(dict))
    population: dict[str, int] = field(default_factory=dict)

    @property
    def authority_codes(self) -> set[str]:
        return set(self.received) | set(self.decided) | set(self.compliance)


def year_counts(connection: Connection, year: Year) -> YearCounts:
    """The year's counts, read from the aggregate (a few thousand rows, however many cases are held)."""
    counts = YearCounts()
    c = case_counts.c
    query = (select(c.kind, c.authority_code, c.label, c.cases, c.satisfactory_remedies, c.remedied_by_ombudsman)
             .where(c.start_year == year.start_year))
    by_kind = {"received": counts.received, "decided": counts.decided, "compliance": counts.compliance}
    satisfactory, remedied_by_us = (counts.flagged[flag] for flag in DECISION_FLAGS)
    for kind, code, label, n, remedies, remedied in connection.execute(query):
        by_kind[kind][code][label] = n
        if kind == "decided":
            satisfactory[code][label] = remedies
            remedied_by_us[code][label] = remedied
    query = select(population.c.authority_code, population.c.population).where(population.c.year == year.label)
    counts.population = dict(connection.execute(query).all())
    return counts


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def table_counts(connection: Connection) -> dict[str, int]:
    """Rows per input table; the case tables' from the aggregate."""
    query = select(case_counts.c.kind, func.sum(case_counts.c.cases)).group_by(case_counts.c.kind)
    counted = {kind: int(n) for kind, n in connection.execute(query)}
    counts = {t.name: counted.get(t.name, 0) for t in (received, decided, compliance)}
    for t in (improvements, contacts, population):
        counts[t.name] = connection.execute(select(func.count()).select_from(t)).scalar()
    return counts


def all_contacts(connection: Connection) -> list[dict]:
    query = select(contacts).order_by(contacts.c.authority_code, contacts.c.role)
    return [dict(row._mapping) for row in connection.execute(query)]


def case_record_years(connection: Connection) -> list[Year]:
    """The years in which at least one case record is counted, oldest first."""
    query = select(case_counts.c.start_year).distinct().order_by(case_counts.c.start_year)
    return [Year(y) for y in connection.execute(query).scalars()]


def has_case_records(connection: Connection, year: Year) -> bool:
    query = select(case_counts.c.start_year).where(case_counts.c.start_year == year.start_year).limit(1)
    return connection.execute(query).first() is not None


def published_figures(connection: Connection, year: Year) -> list[dict]:
    """The stored figures of published documents for a year, oldest source first, as plain records."""
    query = (select(published).where(published.c.year == year.label)
             .order_by(published.c.authority_code, published.c.source))
    return [dict(row._mapping) for row in connection.execute(query)]


def published_years(connection: Connection) -> list[Year]:
    """The years for which figures of published documents are stored, oldest first."""
    return sorted(Year.parse(y) for y in connection.execute(select(published.c.year).distinct()).scalars())


def replace_published(connection: Connection, code: str, year: Year, source: str, edition: str | None,
                      figures: str) -> None:
    """Store one document's figures (JSON text), replacing an earlier import of the same document."""
    key = and_(published.c.authority_code == code, published.c.year == year.label, published.c.source == source)
    connection.execute(delete(published).where(key))
    connection.execute(insert(published).values(authority_code=code, year=year.label, source=source,
                                                edition=edition, figures=figures))
    bump_data_version(connection)


def data_version(connection: Connection) -> int:
    """A number that changes whenever anything the figures are computed from changes."""
    return connection.execute(select(version_table.c.version)).scalar_one()


def bump_data_version(connection: Connection, reach: Iterable[tuple[int, str]] | None = None, *,
                      stepped: bool = True) -> None:
    """One step of the data version, with a token of its own (`stepped`: False only for a database not yet at
    migration 0017); `reach`, when the caller knows it, the (year, body) pairs the step changed, recorded for
    rebuilds (`store.changes`). Without it the step reached everything, as far as a rebuild knows."""
    connection.execute(update(version_table).values(version=version_table.c.version + 1))
    if stepped:
        record_step(connection)
    if reach is not None:
        record_reach(connection, reach)


def sent_codes(connection: Connection, year: Year) -> set[str]:
    """The authorities whose letter for the year has been sent."""
    query = select(sent_letters.c.authority_code).where(sent_letters.c.year == year.label)
    return set(connection.execute(query).scalars())


def log_sent(connection: Connection, code: str, year: Year, message_id: str, recipients: list[str],
             sent_at: datetime) -> None:
    connection.execute(insert(sent_letters).values(authority_code=code, year=year.label, message_id=message_id,
                                                   recipients=", ".join(recipients), sent_at=sent_at))


@dataclass(frozen=True)
class Decision:
    """A decision as the site lists it: its service area and outcome in the scheme's words (stored as ids)."""

    reference: str
    decision_date: date
    service_area: str | None
    outcome: str
    satisfactory_remedy: bool
    public_report: bool
    summary: str | None


DECISION_FILTERS = ("all", "upheld", "satisfactory-remedy", "not-upheld")


def decisions(connection: Connection, code: str, year: Year, labels: EngineLabels, *,
              limit: int | None = None) -> list[Decision]:
    """An authority's decisions in a year, newest first, in the words of the scheme's `labels` (the site filters and
    pages them: `matching_decisions`)."""
    query = (select(decided.c.reference, decided.c.decision_date, decided.c.service_area, decided.c.outcome,
                    decided.c.satisfactory_remedy, decided.c.public_report, decided.c.summary)
             .where(decided.c.authority_code == code, decided.c.decision_date.between(year.start, year.end))
             .order_by(decided.c.decision_date.desc(), decided.c.reference))
    if limit is not None:
        query = query.limit(limit)
    areas, outcomes = labels.area_words, labels.outcome_words
    return [Decision(r[0], _as_date(r[1]), None if r[2] is None else areas[r[2]], outcomes[r[3]], bool(r[4]),
                     bool(r[5]), r[6])
            for r in connection.execute(query)]


def decisions_by_authority(connection: Connection, year: Year, labels: EngineLabels) -> dict[str, list[Decision]]:
    """Every authority's decisions in a year in one query, each authority's newest first and in the words of the
    scheme's `labels` as `decisions` gives them (the static build reads a whole year at once instead of one
    authority at a time)."""
    query = (select(decided.c.authority_code, decided.c.reference, decided.c.decision_date, decided.c.service_area,
                    decided.c.outcome, decided.c.satisfactory_remedy, decided.c.public_report, decided.c.summary)
             .where(decided.c.decision_date.between(year.start, year.end))
             .order_by(decided.c.authority_code, decided.c.decision_date.desc(), decided.c.reference))
    areas, outcomes = labels.area_words, labels.outcome_words
    found: dict[str, list[Decision]] = {}
    for r in connection.execute(query):
        found.setdefault(r[0], []).append(Decision(r[1], _as_date(r[2]), None if r[3] is None else areas[r[3]],
                                                   outcomes[r[4]], bool(r[5]), bool(r[6]), r[7]))
    return found


def matching_decisions(rows: list[Decision], labels: EngineLabels, outcome: str = "all",
                       service_area: str | None = None) -> list[Decision]:
    """The decisions a filter keeps: all, upheld, with a satisfactory remedy, or not upheld; optionally one service
    area (in the words of `labels`, as `decisions` gives them). The same rules as `decision_counts`."""
    upheld, not_upheld = labels.outcome(UPHELD_ID), labels.outcome(NOT_UPHELD_ID)
    keep = {"all": lambda d: True, "upheld": lambda d: d.outcome == upheld,
            "not-upheld": lambda d: d.outcome == not_upheld,
            "satisfactory-remedy": lambda d: d.satisfactory_remedy}[outcome]
    return [d for d in rows if keep(d) and (not service_area or d.service_area == service_area)]


def decision_counts(connection: Connection, year: Year) -> dict[str, dict[str, int]]:
    """Every authority's decisions in a year by filter (all, upheld, satisfactory-remedy, not-upheld), from the
    aggregate."""
    c = case_counts.c
    query = (select(c.authority_code, func.sum(c.cases),
                    func.sum(case((c.label == UPHELD_ID, c.cases), else_=0)),
                    func.sum(c.satisfactory_remedies),
                    func.sum(case((c.label == NOT_UPHELD_ID, c.cases), else_=0)))
             .where(c.kind == "decided", c.start_year == year.start_year).group_by(c.authority_code))
    return {code: dict(zip(DECISION_FILTERS, map(int, counts), strict=True))
            for code, *counts in connection.execute(query)}


@dataclass(frozen=True)
class Improvement:
    reference: str
    agreed_date: date
    improvement: str


def improvements_agreed(connection: Connection, code: str, year: Year) -> list[Improvement]:
    """The service improvements an authority agreed to make in a year, newest first."""
    query = (select(improvements.c.reference, improvements.c.agreed_date, improvements.c.improvement)
             .where(improvements.c.authority_code == code,
                    improvements.c.agreed_date.between(year.start, year.end))
             .order_by(improvements.c.agreed_date.desc(), improvements.c.reference))
    return [Improvement(r[0], _as_date(r[1]), r[2]) for r in connection.execute(query)]


def improvements_by_authority(connection: Connection, year: Year) -> dict[str, list[Improvement]]:
    """Every authority's service improvements agreed in a year in one query, each newest first as
    `improvements_agreed` gives them."""
    query = (select(improvements.c.authority_code, improvements.c.reference, improvements.c.agreed_date,
                    improvements.c.improvement)
             .where(improvements.c.agreed_date.between(year.start, year.end))
             .order_by(improvements.c.authority_code, improvements.c.agreed_date.desc(), improvements.c.reference))
    found: dict[str, list[Improvement]] = {}
    for r in connection.execute(query):
        found.setdefault(r[0], []).append(Improvement(r[1], _as_date(r[2]), r[3]))
    return found


def log_import(connection: Connection, files: list[str], summary: str) -> None:
    """Record an import in the audit log: when, by which machine user, which files, what changed."""
    log_audit(connection, "import", "\n".join(files), summary)


def log_audit(connection: Connection, action: str, subject: str, details: str) -> None:
    """One entry of the audit log: now, by this process's machine user on this host."""
    connection.execute(insert(audit_log).values(happened_at=datetime.now(UTC), action=action,
                                                user_name=getpass.getuser(), host=socket.gethostname(),
                                                subject=subject, details=details))


def last_import(connection: Connection) -> dict | None:
    """The newest import in the audit log: imported_at, user_name, host, files, summary."""
    query = (select(audit_log).where(audit_log.c.action == "import").order_by(audit_log.c.id.desc()).limit(1))
    row = connection.execute(query).first()
    if row is None:
        return None
    return {"imported_at": row.happened_at, "user_name": row.user_name, "host": row.host, "files": row.subject,
            "summary": row.details}


def cases_by_year(connection: Connection, years: list[Year]) -> dict[Year, dict[str, int]]:
    """Received, decided and compliance records counted in each year."""
    c = case_counts.c
    query = (select(c.start_year, c.kind, func.sum(c.cases))
             .where(c.start_year.in_([y.start_year for y in years])).group_by(c.start_year, c.kind))
    counted = {(y, kind): int(n) for y, kind, n in connection.execute(query)}
    return {year: {kind: counted.get((year.start_year, kind), 0) for kind in ("received", "decided", "compliance")}
            for year in years}


def authorities_with_cases(connection: Connection) -> int:
    query = select(func.count(case_counts.c.authority_code.distinct()))
    return connection.execute(query).scalar_one()
