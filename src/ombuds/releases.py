"""Releases: the promises of a trusted statistics publisher.

`create` freezes a year (its statistics as the statistics service gives them, the edition, every letter's sha256, a
checksum of the case rows behind them); `publish` sets the day the year becomes public; until then the public site
leaves it out entirely and only a preview build shows it. Once published, an import that would change any of the
year's figures is refused (`before_commit`, called inside the import's transaction) unless it is a revision, which
records each changed figure's old and new value with the date and reason. Every import, release and revision is in
the audit log.

Which years the site shows (`public_years`): with no release at all the release process is not in use and every
year held is shown (a new installation, the demo). Once a year has a release, every year from that one on is shown
only from its publication date; the years before the first release stay public (the history from before releases
were used), until a release of their own governs them.
"""

from __future__ import annotations

import hashlib
import json
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlalchemy import Connection

from ombuds.errors import OmbudsError
from ombuds.labels import TYPE_PLURALS
from ombuds.registry import registry
from ombuds.stats import format as fmt
from ombuds.stats.service import YearStatistics, statistics_as_seen_by
from ombuds.store import Database
from ombuds.store import releases as store
from ombuds.store.releases import CREATED, PUBLISHED, Release
from ombuds.years import Year

NOT_FIGURES = ("authority", "year", "average", "source", "edition", "letter", "from")
LISTED = 10  # authorities named in a refusal; the rest are counted


class ReleaseError(OmbudsError):
    """A release step that cannot be taken, or an import refused because it would change published figures."""


@dataclass(frozen=True)
class FigureChange:
    subject: str  # a GSS code, or a council type for its average
    figure: str  # e.g. received.Housing, uphold_rate
    old: float | int | str | None
    new: float | int | str | None


# Freezing and comparing figures


def frozen_statistics(connection: Connection, year: Year, held: YearStatistics | None) -> str:
    """Everything a year shows as a release keeps it, as JSON: every record (figures, the change from the year
    before, funnel classes, intervals), every type average, and a digest of each authority's decisions (dates,
    outcomes, summaries, public reports) and service improvements (`shown_records`)."""
    if held is None:
        return json.dumps({"records": [], "averages": {}, "shown": shown_records(connection, year)})
    return json.dumps({"source": held.source, "method": held.method, "records": [r.to_json() for r in held.records],
                       "averages": {t: a.model_dump(mode="json") for t, a in sorted(held.averages.items())},
                       "shown": shown_records(connection, year)}, ensure_ascii=False)


def shown_records(connection: Connection, year: Year) -> dict[str, dict[str, str]]:
    """By authority code, the decisions and improvements the site lists for the year, each as `N sha256:DIGEST`."""
    lines: dict[str, dict[str, list[bytes]]] = {}
    for kind, code, row in store.shown_rows(connection, year):
        line = json.dumps([None if v is None else str(v) for v in row]).encode("utf-8")
        lines.setdefault(code, {}).setdefault(kind, []).append(line)
    return {code: {kind: _digest(rows) for kind, rows in kinds.items()} for code, kinds in sorted(lines.items())}


def _digest(rows: list[bytes]) -> str:
    digest = hashlib.sha256(b"\n".join(rows)).hexdigest()
    return f"{len(rows)} sha256:{digest[:16]}"


def _flat(data: dict | list, skipped: tuple[str, ...] = (), prefix: str = "") -> dict[str, float | int | str | None]:
    """Nested figures as one level: `change.uphold_rate.previous`, `interval.uphold_rate.0`."""
    flat = {}
    items = data.items() if isinstance(data, dict) else enumerate(data)
    for key, value in items:
        if key in skipped:
            continue
        if isinstance(value, dict | list):
            flat.update(_flat(value, (), f"{prefix}{key}."))
        else:
            flat[f"{prefix}{key}"] = value
    return flat


def figures_by_subject(frozen: str, shown: bool = True) -> dict[str, dict[str, float | int | str | None]]:
    """Everything a frozen year shows: each authority's figures and listed records (by code) and each type's
    average (by type). `shown=False` leaves out the decisions and improvements (a release frozen before they were
    kept)."""
    data = json.loads(frozen)
    figures = {r["authority"]["code"]: _flat(r, NOT_FIGURES) for r in data["records"]}
    if shown:
        for code, kinds in data.get("shown", {}).items():
            figures.setdefault(code, {}).update({f"{kind} listed": digest for kind, digest in kinds.items()})
    figures.update({t: _flat(a, ("method",)) for t, a in data["averages"].items()})
    return figures


def figure_changes(old: str, new: str) -> list[FigureChange]:
    """What differs between two frozen years, authorities (by name) before averages."""
    shown = "shown" in json.loads(old)
    before, after = figures_by_subject(old, shown), figures_by_subject(new, shown)
    changes = []
    for subject in sorted(set(before) | set(after), key=_subject_order):
        a, b = before.get(subject, {}), after.get(subject, {})
        changes += [FigureChange(subject, figure, a.get(figure), b.get(figure))
                    for figure in sorted(set(a) | set(b), key=_figure_order(a, b)) if a.get(figure) != b.get(figure)]
    return changes


def _figure_order(a: dict, b: dict):
    order = list(dict.fromkeys([*a, *b]))  # the record's own order: received, decided, …
    return order.index


def _subject_order(subject: str) -> tuple:
    authority = registry().get(subject) if subject not in TYPE_PLURALS else None
    return (1, subject, "") if authority is None else (0, authority.name, subject)


def subject_name(subject: str) -> str:
    if subject in TYPE_PLURALS:
        return f"the average for {TYPE_PLURALS[subject]}"
    authority = registry().get(subject)
    return f"{authority.name} ({subject})" if authority else subject


def describe(changes: list[FigureChange]) -> str:
    """`Stevenage Borough Council (E07000243) received.Housing 3 → 5, received.total 3 → 5; …`, naming at most
    LISTED authorities or averages and counting the rest."""
    by_subject: dict[str, list[FigureChange]] = {}
    for change in changes:
        by_subject.setdefault(change.subject, []).append(change)
    parts = [f"{subject_name(subject)} " + ", ".join(f"{c.figure} {fmt.revised_figure(c.old)} → "
                                                      f"{fmt.revised_figure(c.new)}" for c in listed)
             for subject, listed in list(by_subject.items())[:LISTED]]
    if len(by_subject) > LISTED:
        parts.append(f"and {len(by_subject) - LISTED} more")
    return "; ".join(parts)


def _count(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n:,} {noun if n == 1 else plural}"


# What a release freezes besides the figures


def case_checksum(connection: Connection, year: Year) -> str:
    """sha256 of every case row counted in the year and the year's populations, in a fixed order."""
    digest = hashlib.sha256()
    for row in store.case_rows(connection, year):
        digest.update(json.dumps([str(v) if v is not None else None for v in row]).encode("utf-8") + b"\n")
    return digest.hexdigest()


def _edition(year: Year):
    from ombuds.letters.editions import shipped_edition

    try:
        return shipped_edition(year)
    except OmbudsError:
        return None


def letter_checksums(connection: Connection, held: YearStatistics) -> dict[str, tuple[str, str]]:
    """The sha256 of every authority's letter as the site publishes it (PDF, HTML), by authority code. Letters
    are written from case records with the year's shipped edition; a year without either has none. Rendered by
    spawned processes: a forked one could inherit a lock held by a thread of this one (Typst's, a server's)."""
    from ombuds.letters.content import Contact, letter_content
    from ombuds.letters.render import timestamp
    from ombuds.store.queries import all_contacts

    edition = _edition(held.year)
    if edition is None or held.published:
        return {}
    contacts: dict[str, list[Contact]] = {}
    for row in all_contacts(connection):
        contacts.setdefault(row["authority_code"], []).append(
            Contact(row["role"], row["name"], row["title"], row["salutation"], row["email"]))
    created = timestamp(edition.letter_date)
    jobs = [(r.authority.code, letter_content(r, edition, contacts.get(r.authority.code, []),
                                              allow_missing_contacts=True), created) for r in held.records]
    workers = max(1, min(os.cpu_count() or 1, len(jobs)))
    with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("spawn")) as pool:
        done = pool.map(_letter_sha256, jobs, chunksize=max(1, len(jobs) // (workers * 4)))
        return {code: (pdf, html) for code, pdf, html in done}


def _letter_sha256(job: tuple[str, dict, int]) -> tuple[str, str, str]:
    from ombuds.letters.render import shared_renderer

    code, content, created = job
    renderer = shared_renderer()
    return (code, hashlib.sha256(renderer.render(content, created, "pdf")).hexdigest(),
            hashlib.sha256(renderer.render(content, created, "html")).hexdigest())


# The steps


def create_release(database: Database, year: Year) -> str:
    """Freeze the year; again if it was frozen before but not yet published."""
    with database.transaction() as connection:
        existing = store.all_releases(connection).get(year)
        if existing is not None and existing.stage == PUBLISHED:
            raise ReleaseError(f"{year} was published on {existing.published_on.isoformat()}: its figures change "
                               "only through a revision ('ombuds import --revise \"reason\" FILE...')")
        held = statistics_as_seen_by(connection, year)
        if held is None:
            raise ReleaseError(f"no figures for {year}: import its case records first")
        edition = _edition(year)
        edition_file = Path(edition.source) if edition else None
        letters = letter_checksums(connection, held)
        checksum = case_checksum(connection, year)
        store.save_release(connection, year, edition=edition_file.name if edition_file else None,
                           edition_sha256=hashlib.sha256(edition_file.read_bytes()).hexdigest() if edition_file
                           else None, case_checksum=checksum, statistics=frozen_statistics(connection, year, held),
                           letters=letters)
        summary = (f"{year} frozen: {_count(len(held.records), 'authority')}, {_count(len(letters), 'letter')} "
                   f"(PDF and HTML), edition {edition_file.name if edition_file else 'none'}, case data sha256 "
                   f"{checksum}")
        store.log_audit(connection, "release create", year.label, summary)
    return summary


def publish_release(database: Database, year: Year, on: date | None = None, today: date | None = None) -> str:
    """Set the day the frozen year becomes public (today unless `on`); a later day embargoes it until then."""
    today = today or date.today()
    on = on or today
    with database.transaction() as connection:
        release = store.all_releases(connection).get(year)
        if release is None:
            raise ReleaseError(f"{year} has no release: freeze it first with 'ombuds release create --year {year}'")
        if on <= year.end:
            raise ReleaseError(f"{year} cannot be published on {on.isoformat()}: the year ends on "
                               f"{year.end.isoformat()}, and its figures are public only after it")
        if release.stage == PUBLISHED and release.published_on <= today:
            raise ReleaseError(f"{year} has been public since {release.published_on.isoformat()}: a published year "
                               "is neither withdrawn nor re-dated")
        held = statistics_as_seen_by(connection, year)
        if held is None:
            raise ReleaseError(f"{year} was frozen but its figures are no longer held")
        changes = figure_changes(release.statistics, frozen_statistics(connection, year, held))
        if changes:
            raise ReleaseError(f"{year}'s figures have changed since it was frozen ({describe(changes)}): freeze it "
                               f"again with 'ombuds release create --year {year}' and check them before publishing")
        store.publish(connection, year, on)
        summary = (f"{year} published: public from {on.isoformat()}" if on > today
                   else f"{year} published: public now (from {on.isoformat()})")
        store.log_audit(connection, "release publish", year.label, summary)
    return summary


def before_commit(connection: Connection, revise: str | None, today: date | None = None) -> list[str]:
    """The import's hook, inside its transaction before the commit: compare every published year's figures as the
    import leaves them with the frozen ones. A change is refused (ReleaseError, so the import rolls back) unless
    `revise` gives the reason: then each changed figure is recorded as a revision and the release holds the new
    figures. Returns what was revised, for the import's report."""
    today = today or date.today()
    if revise is not None and not revise.strip():
        raise ReleaseError("--revise needs a reason, e.g. --revise \"late compliance records for 2019-20\"")
    changed: list[tuple[Release, YearStatistics | None, list[FigureChange]]] = []
    for year, release in sorted(store.all_releases(connection).items()):
        if release.stage != PUBLISHED:
            continue
        held = statistics_as_seen_by(connection, year)
        changes = figure_changes(release.statistics, frozen_statistics(connection, year, held))
        if changes:
            changed.append((release, held, changes))
    if not changed:
        return [] if revise is None else ["No published figure changed: no revision was recorded."]
    if revise is None:
        raise ReleaseError("; also ".join(
            f"refused: {r.year} was published on {r.published_on.isoformat()} and this import would change "
            f"{_count(len(c), 'figure')}: {describe(c)}" for r, _, c in changed)
            + "; nothing was imported (to publish a revision, rerun with --revise \"reason\")")
    return [_revise(connection, release, held, changes, revise.strip(), today) for release, held, changes in changed]


def _revise(connection: Connection, release: Release, held: YearStatistics | None, changes: list[FigureChange],
            reason: str, today: date) -> str:
    year = release.year
    store.add_revisions(connection, [
        store.Revision(year, c.subject, c.figure, json.dumps(c.old), json.dumps(c.new), today, reason)
        for c in changes])
    store.refreeze(connection, year, case_checksum=case_checksum(connection, year),
                   statistics=frozen_statistics(connection, year, held),
                   letters=letter_checksums(connection, held) if held else {})
    line = f"Revised {year} on {today.isoformat()}: {_count(len(changes), 'figure')} changed: {reason}"
    store.log_audit(connection, "revision", year.label, f"{line}\n{describe(changes)}")
    return line


# What the site and `release status` read


def public_years(held: list[Year], releases: dict[Year, Release], today: date) -> list[Year]:
    """The years the public site shows, of those held (see the module's docstring)."""
    if not releases:
        return list(held)
    first = min(releases)
    return [y for y in held if (y < first and y not in releases)
            or (y in releases and releases[y].stage == PUBLISHED and releases[y].published_on <= today)]


def embargo_note(year: Year, releases: dict[Year, Release]) -> str:
    """Why a year held is not public yet, for the staff preview."""
    release = releases.get(year)
    if release is None:
        return f"{year}: not released (no release created)"
    if release.stage == CREATED:
        return f"{year}: frozen, not yet published"
    return f"{year}: embargoed until {fmt.long_date(release.published_on)}"


def site_releases(database: Database) -> dict[Year, Release]:
    with database.read() as connection:
        return store.all_releases(connection)


def revision_history(database: Database, year: Year, subjects: tuple[str, ...] | None = None) -> list[dict]:
    """The revisions of a year touching these subjects (an authority's code and its type's average; None: any),
    oldest first, each with its date, reason and the figures changed."""
    with database.read() as connection:
        rows = [r for r in store.revisions_of(connection, year) if subjects is None or r.authority in subjects]
    grouped: dict[tuple[date, str], list] = {}
    for r in rows:
        grouped.setdefault((r.revised_on, r.reason), []).append(r)
    return [{"date": day.isoformat(), "date_text": fmt.long_date(day), "reason": reason,
             "changes": [{"subject": subject_name(r.authority), "figure": r.figure,
                          "old": fmt.revised_figure(json.loads(r.old)), "new": fmt.revised_figure(json.loads(r.new))}
                         for r in changes]}
            for (day, reason), changes in grouped.items()]


@dataclass(frozen=True)
class YearStatus:
    year: Year
    stage: str  # what the public sees: "public", "embargoed", "frozen", "not released", "public (before releases)"
    detail: str
    revisions: int
    case_data: str  # "as frozen", "changed since frozen" (its rows, or anything it shows), or "" without a release


def release_status(database: Database, held: list[Year], today: date | None = None) -> list[YearStatus]:
    """Every year held or released, with its stage, revisions and whether the case data still matches."""
    today = today or date.today()
    with database.read() as connection:
        releases = store.all_releases(connection)
        revisions = store.revisions_of(connection)
        checksums = {y: case_checksum(connection, y) for y in releases}
        moved = {y for y, r in releases.items() if figure_changes(
            r.statistics, frozen_statistics(connection, y, statistics_as_seen_by(connection, y)))}
    shown = set(public_years(held, releases, today))
    out = []
    for year in sorted(set(held) | set(releases)):
        release = releases.get(year)
        count = sum(1 for r in revisions if r.year == year)
        if release is None:
            stage = "public (before releases were used)" if year in shown else "not released"
            out.append(YearStatus(year, stage, "", count, ""))
            continue
        created = f"frozen {release.created_at:%Y-%m-%d}"
        if release.stage == CREATED:
            stage, detail = "frozen", f"{created}; not published"
        elif year in shown:
            stage, detail = "public", f"{created}; published on {release.published_on.isoformat()}"
        else:
            stage, detail = "embargoed", f"{created}; public from {release.published_on.isoformat()}"
        matches = checksums[year] == release.case_checksum and year not in moved
        out.append(YearStatus(year, stage, detail, count, "as frozen" if matches else "changed since frozen"))
    return out
