"""Published figures, guarded: a release freezes a year's figures as JSON; an import that would change any of a
published year's figures is refused (`before_commit`, inside the import's transaction) unless it is a revision,
which records each changed figure. Like the case tables, frozen figures and revisions name labels by id
(`decided.upheld`), so a label renamed in the scheme changes no published figure; whatever is shown (a refusal, a
revision) names them in the scheme's current words (`EngineLabels.figure_in_words`). Nothing here renders a letter: a
revision's letter checksums are taken after the import commits (`ombuds.releases.refresh_letter_checksums`), so the
import's transaction never waits on Typst."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from ombuds.errors import OmbudsError
from ombuds.labels import engine_labels
from ombuds.registry import registry_of
from ombuds.schemes import Scheme
from ombuds.stats import format as fmt
from ombuds.stats.service import YearStatistics, statistics_as_seen_by
from ombuds.store import releases as store
from ombuds.store.releases import PUBLISHED, Release
from ombuds.years import Year

NOT_FIGURES = ("authority", "year", "average", "source", "edition", "letter", "from")
LISTED = 10  # authorities named in a refusal; the rest are counted


class ReleaseError(OmbudsError):
    """A release step that cannot be taken, or an import refused because it would change published figures."""


@dataclass(frozen=True)
class FigureChange:
    subject: str  # a GSS code, or a council type for its average
    figure: str  # e.g. received.housing (a label by id), uphold_rate
    old: float | int | str | None
    new: float | int | str | None


# Freezing and comparing figures


def frozen_statistics(connection: Connection, year: Year, held: YearStatistics | None) -> str:
    """Everything a year shows as a release keeps it, as JSON: every record (figures, the change from the year
    before, funnel classes, intervals), every type average, and a digest of each authority's decisions (dates,
    outcomes, summaries, public reports) and service improvements (`shown_records`). Counts by service area and
    outcome are keyed by label id, as the database keeps them."""
    if held is None:
        return json.dumps({"records": [], "averages": {}, "shown": shown_records(connection, year)})
    return json.dumps({"source": held.source, "method": held.method,
                       "records": [held.labels.counts_by_id(r.to_json()) for r in held.records],
                       "averages": {t: a.model_dump(mode="json") for t, a in sorted(held.averages.items())},
                       "shown": shown_records(connection, year)}, ensure_ascii=False)


def shown_records(connection: Connection, year: Year) -> dict[str, dict[str, str]]:
    """By authority code, the decisions and improvements the site lists for the year, each as `N sha256:DIGEST`
    (of the rows as stored: labels by id)."""
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


def figure_changes(old: str, new: str, scheme: Scheme) -> list[FigureChange]:
    """What differs between two frozen years, authorities (by name) before averages."""
    shown = "shown" in json.loads(old)
    before, after = figures_by_subject(old, shown), figures_by_subject(new, shown)
    changes = []
    for subject in sorted(set(before) | set(after), key=lambda subject: _subject_order(subject, scheme)):
        a, b = before.get(subject, {}), after.get(subject, {})
        changes += [FigureChange(subject, figure, a.get(figure), b.get(figure))
                    for figure in sorted(set(a) | set(b), key=_figure_order(a, b)) if a.get(figure) != b.get(figure)]
    return changes


def _figure_order(a: dict, b: dict):
    order = list(dict.fromkeys([*a, *b]))  # the record's own order: received, decided, …
    return order.index


def _subject_order(subject: str, scheme: Scheme) -> tuple:
    authority = registry_of(scheme).get(subject) if subject not in engine_labels(scheme).type_plurals else None
    return (1, subject, "") if authority is None else (0, authority.name, subject)


def subject_name(subject: str, scheme: Scheme) -> str:
    plurals = engine_labels(scheme).type_plurals
    if subject in plurals:
        return f"the average for {plurals[subject]}"
    authority = registry_of(scheme).get(subject)
    return f"{authority.name} ({subject})" if authority else subject


def describe(changes: list[FigureChange], scheme: Scheme) -> str:
    """`Stevenage Borough Council (E07000243) received.Housing 3 → 5, received.total 3 → 5; …` (labels in the
    scheme's words), naming at most LISTED authorities or averages and counting the rest."""
    by_subject: dict[str, list[FigureChange]] = {}
    for change in changes:
        by_subject.setdefault(change.subject, []).append(change)
    words = engine_labels(scheme)
    parts = [f"{subject_name(subject, scheme)} " + ", ".join(f"{words.figure_in_words(c.figure)} "
                                                              f"{fmt.revised_figure(c.old)} → "
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


def before_commit(connection: Connection, scheme: Scheme, revise: str | None, today: date | None = None) -> list[str]:
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
        held = statistics_as_seen_by(connection, scheme, year)
        changes = figure_changes(release.statistics, frozen_statistics(connection, year, held), scheme)
        if changes:
            changed.append((release, held, changes))
    if not changed:
        return [] if revise is None else ["No published figure changed: no revision was recorded."]
    if revise is None:
        raise ReleaseError("; also ".join(
            f"refused: {r.year} was published on {r.published_on.isoformat()} and this import would change "
            f"{counted(len(c), 'figure')}: {describe(c, scheme)}" for r, _, c in changed)
            + "; nothing was imported (to publish a revision, rerun with --revise \"reason\")")
    return [_revise(connection, scheme, release, held, changes, revise.strip(), today)
            for release, held, changes in changed]


def _revise(connection: Connection, scheme: Scheme, release: Release, held: YearStatistics | None,
            changes: list[FigureChange], reason: str, today: date) -> str:
    year = release.year
    store.add_revisions(connection, [
        store.Revision(year, c.subject, c.figure, json.dumps(c.old), json.dumps(c.new), today, reason)
        for c in changes])
    store.refreeze(connection, year, case_checksum=case_checksum(connection, year),
                   statistics=frozen_statistics(connection, year, held),
                   letters={})  # taken again after the import commits (releases.refresh_letter_checksums)
    line = f"Revised {year} on {today.isoformat()}: {counted(len(changes), 'figure')} changed: {reason}"
    store.log_audit(connection, "revision", year.label, f"{line}\n{describe(changes, scheme)}")
    return line
