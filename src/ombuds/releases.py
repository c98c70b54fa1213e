"""Releases: the promises of a trusted statistics publisher.

`create` freezes a year (its statistics as the statistics service gives them, the edition, every letter's sha256, a
checksum of the case rows behind them); `publish` sets the day the year becomes public; until then the public site
leaves it out entirely and only a preview build shows it. Once published, an import that would change any of the
year's figures is refused (`release_figures.before_commit`, called inside the import's transaction) unless it is a
revision, which records each changed figure's old and new value with the date and reason; the revised year's letters
are checksummed after the import commits (`refresh_letter_checksums`). Every import, release and revision is in
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

from ombuds.labels import engine_labels
from ombuds.profile import Profile
from ombuds.release_figures import (
    FigureChange,
    ReleaseError,
    before_commit,
    case_checksum,
    counted,
    describe,
    figure_changes,
    frozen_statistics,
    subject_name,
)
from ombuds.schemes import Scheme
from ombuds.stats import format as fmt
from ombuds.stats.service import YearStatistics, statistics_as_seen_by
from ombuds.store import Database
from ombuds.store import releases as store
from ombuds.store.releases import CREATED, PUBLISHED, Release
from ombuds.years import Year

__all__ = ["FigureChange", "ReleaseError", "before_commit", "case_checksum", "create_release", "describe",
           "embargo_note", "figure_changes", "frozen_statistics", "public_years", "publish_release",
           "refresh_letter_checksums", "release_status", "revisions_told", "site_releases", "subject_name",
           "year_revisions"]

# The letters a release checksums: the ones the site publishes (`ombuds.letters.assemble`)


def _edition(year: Year, editions: Path, scheme: Scheme):
    """The year's edition in the folder, or None if the folder has none (a broken edition file is an error); its
    layout is `scheme`'s (`letters.editions.load_edition`)."""
    from ombuds.letters.editions import edition_in

    return edition_in(editions, year, scheme) if (editions / f"{year.label}.toml").is_file() else None


def letter_checksums(connection: Connection, held: YearStatistics, profile: Profile,
                     editions: Path, scheme: Scheme) -> dict[str, tuple[str, str]]:
    """The sha256 of every authority's letter as the site publishes it (PDF, HTML), by authority code: the same
    profile, editions folder and scheme (its layouts) as the site. A year without case records or an edition has
    none. Rendered by spawned processes: a forked one could inherit a lock held by a thread of this one (Typst's, a
    server's)."""
    from ombuds.letters.assemble import assemble_letter
    from ombuds.letters.batch import contacts_from_rows
    from ombuds.store.queries import all_contacts
    from ombuds.store.scheme import synthetic_data

    edition = _edition(held.year, editions, scheme)
    if edition is None or held.published:
        return {}
    contacts = contacts_from_rows(all_contacts(connection))
    synthetic = synthetic_data(connection)
    letters = [assemble_letter(r, edition, contacts.get(r.authority.code, []), profile, synthetic=synthetic)
               for r in held.records]
    jobs = [(r.authority.code, letter.content, letter.created) for r, letter in zip(held.records, letters,
                                                                                     strict=True)]
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


def refresh_letter_checksums(database: Database, profile: Profile, editions: Path, scheme: Scheme) -> list[Year]:
    """After an import that revised published years (`before_commit` cleared their letters): checksum each such
    year's letters again, outside the import's transaction. Returns the years whose letters were taken."""
    with database.read() as connection:
        stale = [year for year, release in store.all_releases(connection).items()
                 if not store.letter_checksums(connection, year) and _edition(year, editions, scheme) is not None]
    refreshed = []
    for year in stale:
        with database.transaction() as connection:
            held = statistics_as_seen_by(connection, scheme, year)
            letters = letter_checksums(connection, held, profile, editions, scheme) if held else {}
            if letters:
                store.replace_letters(connection, year, letters)
                refreshed.append(year)
    return refreshed


# The steps


def create_release(database: Database, year: Year, profile: Profile, editions: Path, scheme: Scheme) -> str:
    """Freeze the year; again if it was frozen before but not yet published. Its letters are checksummed as the
    site publishes them with `profile`, the `editions` folder and `scheme`'s layouts and words."""
    with database.transaction() as connection:
        existing = store.all_releases(connection).get(year)
        if existing is not None and existing.stage == PUBLISHED:
            raise ReleaseError(f"{year} was published on {existing.published_on.isoformat()}: its figures change "
                               "only through a revision ('ombuds import --revise \"reason\" FILE...')")
        held = statistics_as_seen_by(connection, scheme, year)
        if held is None:
            raise ReleaseError(f"no figures for {year}: import its case records first")
        edition = _edition(year, editions, scheme)
        edition_file = Path(edition.source) if edition else None
        letters = letter_checksums(connection, held, profile, editions, scheme)
        checksum = case_checksum(connection, year)
        store.save_release(connection, year, edition=edition_file.name if edition_file else None,
                           edition_sha256=hashlib.sha256(edition_file.read_bytes()).hexdigest() if edition_file
                           else None, case_checksum=checksum, statistics=frozen_statistics(connection, year, held),
                           letters=letters)
        summary = (f"{year} frozen: {counted(len(held.records), 'authority')}, {counted(len(letters), 'letter')} "
                   f"(PDF and HTML), edition {edition_file.name if edition_file else 'none'}, case data sha256 "
                   f"{checksum}")
        store.log_audit(connection, "release create", year.label, summary)
    return summary


def publish_release(database: Database, scheme: Scheme, year: Year, on: date | None = None,
                    today: date | None = None) -> str:
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
        held = statistics_as_seen_by(connection, scheme, year)
        if held is None:
            raise ReleaseError(f"{year} was frozen but its figures are no longer held")
        changes = figure_changes(release.statistics, frozen_statistics(connection, year, held), scheme)
        if changes:
            raise ReleaseError(f"{year}'s figures have changed since it was frozen ({describe(changes, scheme)}): "
                               f"freeze it again with 'ombuds release create --year {year}' and check them before "
                               "publishing")
        store.publish(connection, year, on)
        summary = (f"{year} published: public from {on.isoformat()}" if on > today
                   else f"{year} published: public now (from {on.isoformat()})")
        store.log_audit(connection, "release publish", year.label, summary)
    return summary


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


def year_revisions(database: Database, year: Year) -> list[store.Revision]:
    """Every revision of a year's figures, in the order they were made (`revisions_told` tells them)."""
    with database.read() as connection:
        return store.revisions_of(connection, year)


def revisions_told(revisions: list[store.Revision], scheme: Scheme, subjects: tuple[str, ...] | None = None
                   ) -> list[dict]:
    """The revisions (of a year, `year_revisions`) touching these subjects (an authority's code and its type's
    average; None: any), oldest first, each with its date, reason and the figures changed (labels in the scheme's
    words)."""
    rows = [r for r in revisions if subjects is None or r.authority in subjects]
    grouped: dict[tuple[date, str], list] = {}
    for r in rows:
        grouped.setdefault((r.revised_on, r.reason), []).append(r)
    return [{"date": day.isoformat(), "date_text": fmt.long_date(day), "reason": reason,
             "changes": [{"subject": subject_name(r.authority, scheme),
                          "figure": engine_labels(scheme).figure_in_words(r.figure),
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


def release_status(database: Database, scheme: Scheme, held: list[Year], today: date | None = None) -> list[YearStatus]:
    """Every year held or released, with its stage, revisions and whether the case data still matches."""
    today = today or date.today()
    with database.read() as connection:
        releases = store.all_releases(connection)
        revisions = store.revisions_of(connection)
        checksums = {y: case_checksum(connection, y) for y in releases}
        moved = {y for y, r in releases.items() if figure_changes(
            r.statistics, frozen_statistics(connection, y, statistics_as_seen_by(connection, scheme, y)), scheme)}
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
