"""The SQL of releases (`ombuds.releases`): frozen years, their letters' checksums, revisions of published figures,
the case rows a release's checksum is taken over, and the audit log of imports, releases and revisions."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime

from sqlalchemy import Connection, delete, insert, select, update

from ombuds.store.queries import bump_data_version
from ombuds.store.queries import log_audit as log_audit  # the audit log's writer lives with every other write
from ombuds.store.schema import (
    audit_log,
    compliance,
    decided,
    improvements,
    population,
    received,
    release_letters,
    releases,
    revisions,
)
from ombuds.years import Year

CREATED, PUBLISHED = "created", "published"


@dataclass(frozen=True)
class Release:
    year: Year
    stage: str  # CREATED or PUBLISHED
    created_at: datetime
    published_at: datetime | None
    published_on: date | None  # the day the year becomes public
    edition: str | None
    edition_sha256: str | None
    case_checksum: str
    statistics: str  # JSON


@dataclass(frozen=True)
class Revision:
    year: Year
    authority: str  # a GSS code, or a council type for its average
    figure: str  # a label by id: decided.upheld
    old: str  # JSON values
    new: str
    revised_on: date
    reason: str


def _release(row) -> Release:
    return Release(Year.parse(row.year), row.stage, row.created_at, row.published_at, _day(row.published_on),
                   row.edition, row.edition_sha256, row.case_checksum, row.statistics)


def _day(value) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) else value


def all_releases(connection: Connection) -> dict[Year, Release]:
    return {Year.parse(row.year): _release(row) for row in connection.execute(select(releases))}


def save_release(connection: Connection, year: Year, *, edition: str | None, edition_sha256: str | None,
                 case_checksum: str, statistics: str, letters: dict[str, tuple[str, str]]) -> None:
    """Freeze a year (again): its statistics, checksums and letters' (PDF, HTML) checksums by authority code."""
    connection.execute(delete(release_letters).where(release_letters.c.year == year.label))
    connection.execute(delete(releases).where(releases.c.year == year.label))
    connection.execute(insert(releases).values(year=year.label, stage=CREATED, created_at=datetime.now(UTC),
                                               edition=edition, edition_sha256=edition_sha256,
                                               case_checksum=case_checksum, statistics=statistics))
    _insert_letters(connection, year, letters)
    bump_data_version(connection)


def _insert_letters(connection: Connection, year: Year, letters: dict[str, tuple[str, str]]) -> None:
    if letters:
        connection.execute(insert(release_letters), [
            {"year": year.label, "authority_code": code, "pdf_sha256": pdf, "html_sha256": html}
            for code, (pdf, html) in sorted(letters.items())])


def publish(connection: Connection, year: Year, on: date) -> None:
    connection.execute(update(releases).where(releases.c.year == year.label)
                       .values(stage=PUBLISHED, published_on=on, published_at=datetime.now(UTC)))
    bump_data_version(connection)


def refreeze(connection: Connection, year: Year, *, case_checksum: str, statistics: str,
             letters: dict[str, tuple[str, str]]) -> None:
    """After a revision: the release now holds the revised figures, checksums and letters."""
    connection.execute(update(releases).where(releases.c.year == year.label)
                       .values(case_checksum=case_checksum, statistics=statistics))
    connection.execute(delete(release_letters).where(release_letters.c.year == year.label))
    _insert_letters(connection, year, letters)


def replace_letters(connection: Connection, year: Year, letters: dict[str, tuple[str, str]]) -> None:
    """The release's letter checksums, taken again (after a revision, outside the import's transaction)."""
    connection.execute(delete(release_letters).where(release_letters.c.year == year.label))
    _insert_letters(connection, year, letters)


def letter_checksums(connection: Connection, year: Year) -> dict[str, tuple[str, str]]:
    query = select(release_letters).where(release_letters.c.year == year.label)
    return {r.authority_code: (r.pdf_sha256, r.html_sha256) for r in connection.execute(query)}


def add_revisions(connection: Connection, rows: list[Revision]) -> None:
    if rows:
        connection.execute(insert(revisions), [
            {"year": r.year.label, "authority": r.authority, "figure": r.figure, "old": r.old, "new": r.new,
             "revised_on": r.revised_on, "reason": r.reason} for r in rows])


def revisions_of(connection: Connection, year: Year | None = None) -> list[Revision]:
    """Revisions in the order they were made (of one year, or all)."""
    query = select(revisions).order_by(revisions.c.id)
    if year is not None:
        query = query.where(revisions.c.year == year.label)
    return [Revision(Year.parse(r.year), r.authority, r.figure, r.old, r.new, _day(r.revised_on), r.reason)
            for r in connection.execute(query)]


def case_rows(connection: Connection, year: Year) -> Iterator[tuple]:
    """Every case row counted in the year and the year's populations, in a fixed order: what a release's case-data
    checksum is taken over."""
    for table, column in ((received, received.c.received_date), (decided, decided.c.decision_date),
                          (compliance, compliance.c.recorded_date)):
        query = select(table).where(column.between(year.start, year.end)).order_by(table.c.reference)
        for row in connection.execute(query):
            yield (table.name, *row)
    query = select(population).where(population.c.year == year.label).order_by(population.c.authority_code)
    for row in connection.execute(query):
        yield ("population", *row)


def shown_rows(connection: Connection, year: Year) -> Iterator[tuple[str, str, tuple]]:
    """What the site lists for each authority in the year, as (kind, authority code, row) in a fixed order: its
    decisions (date, outcome, area, remedy, public report, summary; labels by id, as stored) and the improvements
    it agreed."""
    d = decided.c
    query = (select(d.authority_code, d.reference, d.decision_date, d.outcome, d.service_area, d.satisfactory_remedy,
                    d.public_report, d.summary)
             .where(d.decision_date.between(year.start, year.end)).order_by(d.authority_code, d.reference))
    for code, *row in connection.execute(query):
        yield "decisions", code, tuple(row)
    i = improvements.c
    query = (select(i.authority_code, i.reference, i.agreed_date, i.improvement)
             .where(i.agreed_date.between(year.start, year.end)).order_by(i.authority_code, i.reference, i.improvement))
    for code, *row in connection.execute(query):
        yield "improvements", code, tuple(row)


def audit_entries(connection: Connection) -> list[dict]:
    """The audit log, oldest first."""
    return [dict(row._mapping) for row in connection.execute(select(audit_log).order_by(audit_log.c.id))]
