"""Published figures, guarded: a release freezes a year's figures as JSON; an import that would change any of a
published year's figures is refused (`before_commit`, inside the import's transaction) unless it is a revision,
which records each changed figure. Nothing here renders a letter: a revision's letter checksums are taken after the
import commits (`ombuds.releases.refresh_letter_checksums`), so the import's transaction never waits on Typst."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from ombuds.errors import OmbudsError
from ombuds.labels import TYPE_PLURALS
from ombuds.registry import registry
from ombuds.stats import format as fmt
from ombuds.stats.service import YearStatistics, statistics_as_seen_by
from ombuds.store import releases as store
from ombuds.store.releases import PUBLISHED, Release
from ombuds.years import Year

NOT_FIGURES = ("authority", "year", "average", "interval", "funnel", "change", "source", "edition", "letter", "from")
LISTED = 10  # authorities named in a refusal; the rest are counted


class ReleaseError(OmbudsError):
    """A release step that cannot be taken, or an import refused because it would change published figures."""


@dataclass(frozen=True)
class FigureChange:
    subject: str  # a GSS code, or a council type for its average
    figure: str  # e.g. received.Housing, uphold_rate
    old: float | int | None
    new: float | int | None


# Freezing and comparing figures


def frozen_statistics(held: YearStatistics) -> str:
    """A year's statistics as a release keeps them: every record and every type average, as JSON."""
    return json.dumps({"source": held.source, "method": held.method, "records": [r.to_json() for r in held.records],
                       "averages": {t: a.model_dump(mode="json") for t, a in sorted(held.averages.items())}},
                      ensure_ascii=False)


def _flat(data: dict, skipped: tuple[str, ...] = ()) -> dict[str, float | int | None]:
    flat = {}
    for key, value in data.items():
        if key in skipped:
            continue
        if isinstance(value, dict):
            flat.update({f"{key}.{k}": v for k, v in value.items()})
        else:
            flat[key] = value
    return flat


def figures_by_subject(frozen: str) -> dict[str, dict[str, float | int | None]]:
    """Every published figure of a frozen year: each authority's own (by code) and each type's average (by type)."""
    data = json.loads(frozen)
    figures = {r["authority"]["code"]: _flat(r, NOT_FIGURES) for r in data["records"]}
    figures.update({t: _flat(a, ("method",)) for t, a in data["averages"].items()})
    return figures


def figure_changes(old: str, new: str) -> list[FigureChange]:
    """The figures that differ between two frozen statistics, authorities (by name) before averages."""
    before, after = figures_by_subject(old), figures_by_subject(new)
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


def counted(n: int, noun: str) -> str:
    plural = noun[:-1] + "ies" if noun.endswith("y") else noun + "s"
    return f"{n:,} {noun if n == 1 else plural}"


def case_checksum(connection: Connection, year: Year) -> str:
    """sha256 of every case row counted in the year and the year's populations, in a fixed order."""
    digest = hashlib.sha256()
    for row in store.case_rows(connection, year):
        digest.update(json.dumps([str(v) if v is not None else None for v in row]).encode("utf-8") + b"\n")
    return digest.hexdigest()


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
        now = frozen_statistics(held) if held else json.dumps({"records": [], "averages": {}})
        changes = figure_changes(release.statistics, now)
        if changes:
            changed.append((release, held, changes))
    if not changed:
        return [] if revise is None else ["No published figure changed: no revision was recorded."]
    if revise is None:
        raise ReleaseError("; also ".join(
            f"refused: {r.year} was published on {r.published_on.isoformat()} and this import would change "
            f"{counted(len(c), 'figure')}: {describe(c)}" for r, _, c in changed)
            + "; nothing was imported (to publish a revision, rerun with --revise \"reason\")")
    return [_revise(connection, release, held, changes, revise.strip(), today) for release, held, changes in changed]


def _revise(connection: Connection, release: Release, held: YearStatistics | None, changes: list[FigureChange],
            reason: str, today: date) -> str:
    year = release.year
    store.add_revisions(connection, [
        store.Revision(year, c.subject, c.figure, json.dumps(c.old), json.dumps(c.new), today, reason)
        for c in changes])
    store.refreeze(connection, year, case_checksum=case_checksum(connection, year),
                   statistics=frozen_statistics(held) if held else json.dumps({"records": [], "averages": {}}),
                   letters={})  # taken again after the import commits (releases.refresh_letter_checksums)
    line = f"Revised {year} on {today.isoformat()}: {counted(len(changes), 'figure')} changed: {reason}"
    store.log_audit(connection, "revision", year.label, f"{line}\n{describe(changes)}")
    return line
