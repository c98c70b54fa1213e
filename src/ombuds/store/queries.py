"""Queries: plain counts grouped by authority for one year's date range, the data version, published figures,
contacts, improvements, decisions and the sent log. Every SQL statement outside loading lives here."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime

from sqlalchemy import Connection, and_, case, delete, func, insert, select, update

from ombuds.labels import UPHELD
from ombuds.store.schema import (
    audit_log,
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

Counts = dict[str, dict[str, int]]


@dataclass
class YearCounts:
    """Everything counted in one year, by authority code: the raw material of the statistics."""

    received: Counts = field(default_factory=lambda: defaultdict(dict))
    decided: Counts = field(default_factory=lambda: defaultdict(dict))
    satisfactory_remedies: dict[str, int] = field(default_factory=dict)
    remedied_by_ombudsman: dict[str, int] = field(default_factory=dict)
    compliance: Counts = field(default_factory=lambda: defaultdict(dict))
    population: dict[str, int] = field(default_factory=dict)

    @property
    def authority_codes(self) -> set[str]:
        return set(self.received) | set(self.decided) | set(self.compliance)


def year_counts(connection: Connection, year: Year) -> YearCounts:
    counts = YearCounts()
    start, end = year.start, year.end
    query = (select(received.c.authority_code, received.c.service_area, func.count())
             .where(received.c.received_date.between(start, end))
             .group_by(received.c.authority_code, received.c.service_area))
    for code, area, n in connection.execute(query):
        counts.received[code][area] = n
    query = (select(decided.c.authority_code, decided.c.outcome, func.count(),
                    func.sum(case((decided.c.satisfactory_remedy, 1), else_=0)),
                    func.sum(case((decided.c.remedied_by_ombudsman, 1), else_=0)))
             .where(decided.c.decision_date.between(start, end))
             .group_by(decided.c.authority_code, decided.c.outcome))
    for code, outcome, n, remedies, remedied in connection.execute(query):
        counts.decided[code][outcome] = n
        if outcome == UPHELD:  # import allows the two flags on upheld decisions only
            counts.satisfactory_remedies[code] = int(remedies or 0)
            counts.remedied_by_ombudsman[code] = int(remedied or 0)
    query = (select(compliance.c.authority_code, compliance.c.compliance, func.count())
             .where(compliance.c.recorded_date.between(start, end))
             .group_by(compliance.c.authority_code, compliance.c.compliance))
    for code, outcome, n in connection.execute(query):
        counts.compliance[code][outcome] = n
    query = select(population.c.authority_code, population.c.population).where(population.c.year == year.label)
    counts.population = dict(connection.execute(query).all())
    return counts


def date_range(connection: Connection) -> tuple[date, date] | None:
    """The earliest and latest case dates held, or None for an empty database."""
    firsts, lasts = [], []
    for column in (received.c.received_date, decided.c.decision_date, compliance.c.recorded_date):
        first = connection.execute(select(func.min(column))).scalar()  # apart: each is then one index probe
        last = connection.execute(select(func.max(column))).scalar()
        if first is not None:
            firsts.append(_as_date(first))
            lasts.append(_as_date(last))
    return (min(firsts), max(lasts)) if firsts else None


def _as_date(value) -> date:
    return value if isinstance(value, date) else date.fromisoformat(value)


def table_counts(connection: Connection) -> dict[str, int]:
    tables = (received, decided, compliance, improvements, contacts, population)
    return {t.name: connection.execute(select(func.count()).select_from(t)).scalar() for t in tables}


def all_contacts(connection: Connection) -> list[dict]:
    query = select(contacts).order_by(contacts.c.authority_code, contacts.c.role)
    return [dict(row._mapping) for row in connection.execute(query)]


def case_record_years(connection: Connection) -> list[Year]:
    """The years in which at least one case record is counted, oldest first."""
    span = date_range(connection)
    if span is None:
        return []
    return [y for y in Year.span(Year.of(span[0]), Year.of(span[1])) if has_case_records(connection, y)]


def has_case_records(connection: Connection, year: Year) -> bool:
    for column in (received.c.received_date, decided.c.decision_date, compliance.c.recorded_date):
        if connection.execute(select(column).where(column.between(year.start, year.end)).limit(1)).first():
            return True
    return False


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


def bump_data_version(connection: Connection) -> None:
    connection.execute(update(version_table).values(version=version_table.c.version + 1))


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
    reference: str
    decision_date: date
    service_area: str | None
    outcome: str
    satisfactory_remedy: bool
    public_report: bool
    summary: str | None


DECISION_FILTERS = ("all", "upheld", "satisfactory-remedy", "not-upheld")


def _decision_filter(code: str, year: Year, outcome: str, service_area: str | None):
    conditions = [decided.c.authority_code == code, decided.c.decision_date.between(year.start, year.end)]
    if outcome == "upheld":
        conditions.append(decided.c.outcome == UPHELD)
    elif outcome == "not-upheld":
        conditions.append(decided.c.outcome == "Not Upheld")
    elif outcome == "satisfactory-remedy":
        conditions.append(decided.c.satisfactory_remedy.is_(True))
    if service_area:
        conditions.append(decided.c.service_area == service_area)
    return and_(*conditions)


def decisions(connection: Connection, code: str, year: Year, *, outcome: str = "all", service_area: str | None = None,
              limit: int | None = None, offset: int = 0, public_reports: bool = False) -> list[Decision]:
    """An authority's decisions in a year, newest first: all, upheld, with a satisfactory remedy, or not upheld."""
    where = _decision_filter(code, year, outcome, service_area)
    if public_reports:
        where = and_(where, decided.c.public_report.is_(True))
    query = (select(decided.c.reference, decided.c.decision_date, decided.c.service_area, decided.c.outcome,
                    decided.c.satisfactory_remedy, decided.c.public_report, decided.c.summary)
             .where(where).order_by(decided.c.decision_date.desc(), decided.c.reference).offset(offset))
    if limit is not None:
        query = query.limit(limit)
    return [Decision(r[0], _as_date(r[1]), r[2], r[3], bool(r[4]), bool(r[5]), r[6]) for r in connection.execute(query)]


def decision_counts(connection: Connection, year: Year) -> dict[str, dict[str, int]]:
    """Every authority's decisions in a year by filter (all, upheld, satisfactory-remedy, not-upheld): one query."""
    query = (select(decided.c.authority_code, func.count(),
                    func.sum(case((decided.c.outcome == UPHELD, 1), else_=0)),
                    func.sum(case((decided.c.satisfactory_remedy, 1), else_=0)),
                    func.sum(case((decided.c.outcome == "Not Upheld", 1), else_=0)))
             .where(decided.c.decision_date.between(year.start, year.end)).group_by(decided.c.authority_code))
    return {code: dict(zip(DECISION_FILTERS, map(int, counts), strict=True))
            for code, *counts in connection.execute(query)}


def decision_count(connection: Connection, code: str, year: Year, *, outcome: str = "all",
                   service_area: str | None = None) -> int:
    where = _decision_filter(code, year, outcome, service_area)
    return connection.execute(select(func.count()).select_from(decided).where(where)).scalar_one()


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


def log_import(connection: Connection, files: list[str], summary: str) -> None:
    """Record an import in the audit log: when, by which machine user, which files, what changed."""
    from ombuds.store.releases import log_audit

    log_audit(connection, "import", "\n".join(files), summary)


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
    columns = {"received": received.c.received_date, "decided": decided.c.decision_date,
               "compliance": compliance.c.recorded_date}
    return {year: {name: connection.execute(select(func.count()).where(column.between(year.start, year.end)))
                   .scalar_one() for name, column in columns.items()} for year in years}


def authorities_with_cases(connection: Connection) -> int:
    codes = set()
    for table in (received, decided, compliance):
        codes |= set(connection.execute(select(table.c.authority_code).distinct()).scalars())
    return len(codes)
