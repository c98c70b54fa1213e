"""The synthetic demo data set: case-level files for every English authority, 2017-18 to 2024-25.

Deterministic for a seed. Volumes follow population and type; outcome mixes follow the national figures in
`calibration.py`; councils appear and disappear as the registry says (cases about an abolished council may still
be decided afterwards). Every file says it is synthetic: references start `SYN-`, emails use example.org.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import numpy as np

from ombuds.demo.calibration import (
    EDUCATION,
    EDUCATION_GROWTH,
    FIRST_YEAR,
    IMPROVEMENT,
    LAST_YEAR,
    LATE_SHARE,
    NOT_INVESTIGATED,
    OTHER_CASES_PER_YEAR,
    PUBLIC_REPORT,
    REMEDIED_BY_OMBUDSMAN,
    SERVICE_SHARES,
    TARGETS,
    TYPE_WEIGHT,
)
from ombuds.ingest.kinds import kinds_of
from ombuds.labels import NOT_UPHELD_ID, UPHELD_ID, EngineLabels, engine_labels
from ombuds.registry import Authority, Registry, registry_of
from ombuds.schemes import Scheme
from ombuds.years import Year

WRITTEN = ("received", "decided", "compliance", "improvements", "contacts")  # the kinds of the case files made
FIRST_NAMES = ("Alex", "Sam", "Jordan", "Morgan", "Robin", "Jamie", "Casey", "Taylor", "Charlie", "Drew", "Avery",
               "Quinn", "Rowan", "Sasha", "Kit", "Hayden", "Reese", "Emery", "Finley", "Skyler")
SURNAMES = ("Example", "Sample", "Specimen", "Exampleton", "Demo", "Fictional", "Testwood", "Madeup",
            "Synthetic", "Invented", "Notreal", "Pretend")
TITLES = {"chief-executive": "Chief Executive", "link-officer": "Complaints Link Officer",
          "monitoring-officer": "Monitoring Officer", "leader": "Leader of the Council",
          "scrutiny-chair": "Chair of Overview and Scrutiny"}  # by contact role id
IMPROVEMENTS = (
    "Review how it records and responds to complaints so that replies are sent within its published timescales.",
    "Remind staff of the need to keep clear records of decisions and the reasons for them.",
    "Review its procedures so that assessments are completed without delay.",
    "Train staff on the relevant law and guidance.",
    "Review its letters so that they explain rights of appeal clearly.",
)
NOT_INVESTIGATED_OUTCOMES = tuple(NOT_INVESTIGATED)
# Centred a little low: the spread between councils lifts the national rate above the logistic of the centre.
UPHOLD_LOGIT = np.array([np.log(t.uphold_rate / (1 - t.uphold_rate)) - 0.08 for _, t in sorted(TARGETS.items())])
NOT_INVESTIGATED_P = np.array(list(NOT_INVESTIGATED.values())) / sum(NOT_INVESTIGATED.values())


@dataclass
class DemoFiles:
    paths: dict[str, Path]
    rows: dict[str, int] = field(default_factory=dict)

    @property
    def cases(self) -> int:
        return sum(self.rows.get(k, 0) for k in ("received", "decided", "compliance"))


def demo_population(a: Authority, authorities: Registry) -> int:
    """The population the demo scales volumes by: the registry's, or for a council abolished before 2020 (which
    has none) its successor's shared among the successor's predecessors of the same type."""
    if a.population_2020:
        return a.population_2020
    for code in a.successors:
        successor = authorities.get(code)
        if successor.population_2020:
            peers = [p for p in successor.predecessors if authorities.get(p).type == a.type] or [a.code]
            return successor.population_2020 // len(peers)
    return 50_000


def _area_shares(a: Authority, year: int, labels: EngineLabels) -> np.ndarray:
    if a.type == "District":
        shares = SERVICE_SHARES["District"]
    elif a.type == "County":
        shares = SERVICE_SHARES["County"]
    else:
        shares = SERVICE_SHARES["upper"]
    areas = list(labels.area_words)
    weights = np.array([shares.get(area, 0) for area in areas], dtype=float)
    if a.type != "District":
        weights[areas.index(EDUCATION)] *= 1 + EDUCATION_GROWTH * (year - FIRST_YEAR)
    return weights / weights.sum()


def _days(year: int) -> np.ndarray:
    y = Year(year)
    return np.arange(np.datetime64(y.start), np.datetime64(y.end) + 1)


def _day_weights(days: np.ndarray, year: int, first: int = FIRST_YEAR) -> np.ndarray:
    weights = np.ones(len(days))
    if year < first:  # a half year before the first, so that the first year has decisions in hand
        weights[days < np.datetime64(date(year, 10, 1))] = 0
    paused = TARGETS[max(year, FIRST_YEAR)].paused_months
    if paused:
        weights[days < np.datetime64(date(year, 4 + paused, 1))] = 0.1
    return weights


def _dates(values: np.ndarray) -> list[str]:
    return list(np.datetime_as_string(values, unit="D"))


class _Writer:
    def __init__(self, out_dir: Path, scheme: Scheme):
        out_dir.mkdir(parents=True, exist_ok=True)
        kinds = kinds_of(scheme).kinds
        headers = {kind: kinds[kind].columns for kind in WRITTEN}  # as the scheme's kinds.toml names the columns
        self.paths = {kind: out_dir / f"synthetic-{kind}.csv" for kind in WRITTEN}
        self.handles = {kind: open(path, "w", newline="", encoding="utf-8")  # noqa: SIM115 - closed in close()
                        for kind, path in self.paths.items()}
        self.writers = {kind: csv.writer(h, lineterminator="\n") for kind, h in self.handles.items()}
        self.rows = dict.fromkeys(WRITTEN, 0)
        for kind, header in headers.items():
            self.writers[kind].writerow(header)

    def write(self, kind: str, rows: list) -> None:
        self.writers[kind].writerows(rows)
        self.rows[kind] += len(rows)

    def close(self) -> None:
        for handle in self.handles.values():
            handle.close()


def generate(out_dir: Path, scheme: Scheme, *, seed: int = 2017, scale: float = 1.0,
             years: int | None = None) -> DemoFiles:
    """Write the synthetic files to `out_dir`, for `scheme`'s bodies and in its labels' words, and return their
    paths and row counts."""
    authorities, labels = registry_of(scheme), engine_labels(scheme)
    rng = np.random.default_rng(seed)
    writer = _Writer(out_dir, scheme)
    everyone = list(authorities)
    effect = {a.code: rng.normal(0, 0.45) for a in everyone}  # each council's lasting tendency to be upheld
    end_of_data = np.datetime64(Year(LAST_YEAR).end)
    first = FIRST_YEAR if years is None else max(FIRST_YEAR, LAST_YEAR - years + 1)  # `years`: the latest only
    first_day = np.datetime64(Year(first).start)
    serial = 0
    for year in range(first - 1, LAST_YEAR + 1):
        target = TARGETS[max(year, FIRST_YEAR)]
        days = _days(year)
        day_weights = _day_weights(days, year, first)
        current = [a for a in everyone if a.current_in(Year(year))]
        weight = {a.code: demo_population(a, authorities) * TYPE_WEIGHT[a.type]
                  for a in current if a.type in TYPE_WEIGHT}
        per_weight = target.received * scale / sum(weight.values())
        for a in current:
            alive = np.array([a.existed_on(d.item()) for d in days]) if a.start_date or a.end_date else None
            weights = day_weights * alive if alive is not None else day_weights
            if weights.sum() == 0:
                continue
            share = weights.sum() / day_weights.sum() if year >= first else 0.5 * weights.sum() / day_weights.sum()
            expected = weight[a.code] * per_weight if a.code in weight else OTHER_CASES_PER_YEAR * scale
            n = int(rng.poisson(expected * share))
            if n == 0:
                continue
            references = [f"SYN-{year % 100:02d}-{serial + i:07d}" for i in range(n)]
            serial += n
            received = rng.choice(days, n, p=weights / weights.sum())
            areas = rng.choice(labels.service_areas, n, p=_area_shares(a, year, labels))
            _write_cases(writer, rng, a, target, effect[a.code], references, received, areas, first_day, end_of_data,
                         labels)
    _write_contacts(writer, rng, everyone, labels)
    writer.close()
    (out_dir / "README.txt").write_text(
        "SYNTHETIC DEMO DATA, made by `ombuds demo`. No row describes a real complaint or a real person.\n"
        "Volumes and outcome mixes are calibrated to published national totals; every authority's figures are\n"
        "invented. References start SYN-; contact names are made up and emails use example.org.\n",
        encoding="utf-8")
    return DemoFiles(writer.paths, writer.rows)


def _write_cases(writer: _Writer, rng: np.random.Generator, a: Authority, target, effect: float,
                 references: list[str], received: np.ndarray, areas: np.ndarray,
                 first_day: np.datetime64, end_of_data: np.datetime64, labels: EngineLabels) -> None:
    n = len(references)
    last_case = np.datetime64(a.last_case_date) if a.last_case_date else end_of_data
    cutoff = min(end_of_data, last_case)
    investigated = rng.random(n) < target.investigated_share
    others = rng.choice(len(NOT_INVESTIGATED_OUTCOMES), n, p=NOT_INVESTIGATED_P)
    lag = np.where(investigated, rng.gamma(2.0, 75.0, n), rng.gamma(1.5, 25.0, n)).astype(int)
    decided = received + lag.astype("timedelta64[D]")
    logit = UPHOLD_LOGIT[_years_of(decided)] + effect  # the uphold rate of the year of decision
    upheld = investigated & (rng.random(n) < 1 / (1 + np.exp(-logit)))
    remedy = upheld & (rng.random(n) < target.satisfactory_remedy_rate)
    remedied = upheld & ~remedy & (rng.random(n) < REMEDIED_BY_OMBUDSMAN)
    report = upheld & (rng.random(n) < PUBLIC_REPORT)
    improvement = upheld & (rng.random(n) < IMPROVEMENT)
    recorded = decided + rng.gamma(2.0, 45.0, n).astype(int).astype("timedelta64[D]")
    complied = rng.random(n) < target.compliance_rate
    late = rng.random(n) < LATE_SHARE
    choice = rng.integers(0, len(IMPROVEMENTS), n)
    received_s, decided_s, recorded_s = _dates(received), _dates(decided), _dates(recorded)
    code = a.code
    writer.write("received", [(references[i], code, received_s[i], areas[i])
                              for i in range(n) if received[i] >= first_day])
    decisions, compliance, improvements = [], [], []
    for i in range(n):
        if decided[i] > cutoff or decided[i] < first_day:
            continue
        outcome = labels.outcome((UPHELD_ID if upheld[i] else NOT_UPHELD_ID) if investigated[i]
                                 else NOT_INVESTIGATED_OUTCOMES[others[i]])
        decisions.append((references[i], code, decided_s[i], outcome, areas[i], _yes(remedy[i]), _yes(remedied[i]),
                          _yes(report[i]), f"Synthetic demo case: {areas[i]}, {outcome.lower()}."))
        if remedied[i] and recorded[i] <= cutoff:
            state = labels.sets["compliance"].name_of(("late" if late[i] else "on-time") if complied[i] else
                                                     "not-complied")
            compliance.append((references[i], code, recorded_s[i], state))
        if improvement[i]:
            agreed = decided[i] + np.timedelta64(21, "D")
            if agreed <= cutoff:
                improvements.append((references[i], code, str(agreed), IMPROVEMENTS[choice[i]]))
    writer.write("decided", decisions)
    writer.write("compliance", compliance)
    writer.write("improvements", improvements)


def _years_of(days: np.ndarray) -> np.ndarray:
    """Index into UPHOLD_LOGIT of each day's reporting year."""
    months = days.astype("datetime64[M]").astype(int)  # months since January 1970
    years = (months - 3) // 12 + 1970  # April starts a year
    return np.clip(years - FIRST_YEAR, 0, LAST_YEAR - FIRST_YEAR)


def _yes(flag) -> str:
    return "yes" if flag else "no"


def _write_contacts(writer: _Writer, rng: np.random.Generator, everyone: list[Authority],
                    labels: EngineLabels) -> None:
    rows = []
    for a in everyone:
        for role_id, role in labels.role_words.items():  # as the input file words them
            first, last = rng.choice(FIRST_NAMES), rng.choice(SURNAMES)
            domain = f"{a.slug}.example.org"
            rows.append((a.name, f"{first} {last}", TITLES[role_id], f"Dear {first} {last}",
                         f"{role.replace(' ', '.')}@{domain}", role))
    writer.write("contacts", rows)
