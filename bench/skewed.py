"""A second benchmark data set, unlike the demo's (`ombuds.demo`), so that a speed figure does not hold only on the
project's own generator.

- Authorities are drawn from a skewed, Pareto-like distribution: a few have most of the cases, many a handful.
- Every year 2017-18 to 2024-25, dates spread over every day of each year; references in no particular order.
- Decisions are made 1 to 400 days after receipt (never the same day); compliance outcomes are recorded 30 to 500
  days after the decision, so mostly in a later year.
- A share of dates is written day first (24/07/2019); authorities by name, by GSS code or in capitals.
- A share of the compliance outcomes (those recorded in 2019-20) comes as an XLSX workbook; its rows are also
  written as CSV (`compliance-xlsx-twin.csv`) for `sqlite3 .import`, which reads no workbooks.
- `decided-changed.csv` is the decisions file again with 1% of its rows changed (a 'Not Upheld' closed after
  initial enquiries instead, or another service area): a re-import's input.

    python bench/skewed.py OUT_DIR CASES [SEED]
"""

from __future__ import annotations

import csv
import sys
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import TextIO

import numpy as np

from ombuds.registry import registry_of
from ombuds.schemes import load_scheme
from ombuds.years import Year

FIRST, LAST = 2017, 2024
END_OF_DATA = Year(LAST).end
AREAS = load_scheme("lgsco").labels("service_area").names  # the input files word them as the LGSCO publishes
OUTCOMES = ("Upheld", "Not Upheld", "Closed After Initial Enquiries", "Incomplete or Invalid", "Advice Given",
            "Referred back for Local Resolution")
OUTCOME_P = (0.22, 0.08, 0.35, 0.10, 0.05, 0.20)
COMPLIANCE = ("on time", "late", "not complied")
COMPLIANCE_P = (0.93, 0.065, 0.005)
DAY_FIRST = 0.15  # share of dates written 24/07/2019
DECIDED_SHARE = 0.8  # share of complaints decided (within the data's years)
XLSX_YEAR = 2019  # compliance outcomes recorded in this year come as a workbook
HEADERS = {
    "received": ("reference", "authority", "received_date", "service_area"),
    "decided": ("reference", "authority", "decision_date", "outcome", "service_area", "satisfactory_remedy",
                "remedied_by_ombudsman", "public_report", "summary"),
    "compliance": ("reference", "authority", "recorded_date", "compliance"),
}


@dataclass
class Files:
    received: Path
    decided: Path
    compliance: Path
    compliance_xlsx: Path
    compliance_twin: Path
    decided_changed: Path

    def imported(self) -> list[str]:
        """What `ombuds import` reads."""
        return [str(p) for p in (self.received, self.decided, self.compliance, self.compliance_xlsx)]

    def baseline(self) -> list[tuple[str, str]]:
        """(file, table) that `sqlite3 .import` reads: the same rows, the workbook's as CSV."""
        return [(str(self.received), "received"), (str(self.decided), "decided"),
                (str(self.compliance), "compliance"), (str(self.compliance_twin), "compliance")]


def files_in(folder: Path) -> Files:
    return Files(folder / "received.csv", folder / "decided.csv", folder / "compliance.csv",
                 folder / "compliance.xlsx", folder / "compliance-xlsx-twin.csv", folder / "decided-changed.csv")


def _writers(rng: np.random.Generator) -> list[tuple[list[str], np.ndarray, float]]:
    """Per year: the spellings of the authorities that existed all year (and the last day a case about each may
    have), and their skewed weights."""
    authorities = list(registry_of(load_scheme("lgsco")))
    weight = {a.code: rng.pareto(1.1) + 0.05 for a in authorities}
    out = []
    for year in range(FIRST, LAST + 1):
        y = Year(year)
        alive = [a for a in authorities if (a.start_date is None or a.start_date <= y.start)
                 and (a.end_date is None or a.end_date >= y.end) and a.type != "Other"]
        spellings = [(a.name, a.code, a.name.upper(), a.last_case_date or END_OF_DATA) for a in alive]
        w = np.array([weight[a.code] for a in alive])
        out.append((spellings, w / w.sum(), year))
    return out


def _day(d: date, first: bool) -> str:
    return f"{d.day:02d}/{d.month:02d}/{d.year}" if first else d.isoformat()


def generate(folder: Path, cases: int, seed: int = 7) -> Files:
    """About `cases` rows in all: received, decided and compliance together."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    files = files_in(folder)
    per_year = int(cases / 1.82 / (LAST - FIRST + 1))
    workbook: list[tuple] = []
    serial = decisions = 0
    out = {kind: _csv(path, kind) for kind, path in (("received", files.received), ("decided", files.decided),
                                                       ("compliance", files.compliance))}
    for spellings, weights, year in _writers(rng):  # one year at a time: memory does not grow with the cases
        received, decided, compliance = [], [], []
        start = Year(year).start
        n = per_year
        who = rng.choice(len(spellings), size=n, p=weights)
        form = rng.choice(3, size=n, p=(0.7, 0.2, 0.1))
        days = rng.integers(0, (Year(year).end - start).days + 1, size=n)
        area = rng.integers(0, len(AREAS), size=n)
        first = rng.random(size=(n, 3)) < DAY_FIRST
        lag = rng.integers(1, 401, size=n)
        decide = rng.random(n) < DECIDED_SHARE
        outcome = rng.choice(len(OUTCOMES), size=n, p=OUTCOME_P)
        flags = rng.random(size=(n, 3))
        later = rng.integers(30, 501, size=n)
        result = rng.choice(len(COMPLIANCE), size=n, p=COMPLIANCE_P)
        numbers = rng.permutation(n) + serial
        serial += n
        for i in range(n):
            reference = f"{year % 100:02d} {numbers[i] // 1000 % 1000:03d} {numbers[i] % 1000:03d}"
            if numbers[i] >= 1_000_000:
                reference += f"/{numbers[i] // 1_000_000}"
            authority = spellings[who[i]][form[i]]
            got = start + timedelta(days=int(days[i]))
            received.append((reference, authority, _day(got, first[i, 0]), AREAS[area[i]]))
            decided_on = got + timedelta(days=int(lag[i]))
            if not decide[i] or decided_on > END_OF_DATA:
                continue
            upheld = OUTCOMES[outcome[i]] == "Upheld"
            remedy = upheld and flags[i, 0] < 0.12
            by_us = upheld and not remedy and flags[i, 1] < 0.5
            decided.append((reference, authority, _day(decided_on, first[i, 1]), OUTCOMES[outcome[i]],
                            AREAS[area[i]], _yes(remedy), _yes(by_us), _yes(upheld and flags[i, 2] < 0.01),
                            "A complaint about how the council dealt with a request." if upheld else ""))
            recorded = decided_on + timedelta(days=int(later[i]))
            if by_us and recorded <= min(END_OF_DATA, spellings[who[i]][3]):
                row = (reference, authority, _day(recorded, first[i, 2]), COMPLIANCE[result[i]])
                (workbook if Year.of(recorded).start_year == XLSX_YEAR else compliance).append(row)
        for kind, rows in (("received", received), ("decided", decided), ("compliance", compliance)):
            out[kind].writelines(_line(row) for row in rows)
        decisions += len(decided)
    for handle in out.values():
        handle.close()
    with _csv(files.compliance_twin, "compliance") as twin:
        twin.writelines(_line(row) for row in workbook)
    _xlsx(files.compliance_xlsx, workbook)
    _changed(files.decided, files.decided_changed, set(rng.choice(decisions, size=max(1, decisions // 100),
                                                                  replace=False).tolist()))
    return files


def _yes(value: bool) -> str:
    return "yes" if value else "no"


def _changed(decided: Path, changed: Path, chosen: set[int]) -> None:
    """The decisions file again with the `chosen` rows changed: a decision 'Not Upheld' becomes 'Closed After
    Initial Enquiries' (the counts of its year change), any other gets the next service area (no count changes)."""
    with open(decided, encoding="utf-8", newline="") as source, _csv(changed, "decided") as target:
        rows = csv.reader(source)
        next(rows)
        for i, row in enumerate(rows):
            if i in chosen:
                if row[3] == "Not Upheld":
                    row[3] = "Closed After Initial Enquiries"
                else:
                    row[4] = AREAS[(AREAS.index(row[4]) + 1) % len(AREAS)]
            target.write(_line(row))


def one_percent_changed(decided: Path, changed: Path, seed: int = 7) -> Path:
    """Another generator's decisions file (the same columns in the same order) again with 1% of its rows changed
    as `_changed` changes them: the demo's re-import input."""
    with open(decided, "rb") as f:
        decisions = sum(chunk.count(b"\n") for chunk in iter(lambda: f.read(1 << 20), b"")) - 1
    rng = np.random.default_rng(seed)
    _changed(decided, changed, set(rng.choice(decisions, size=max(1, decisions // 100), replace=False).tolist()))
    return changed


def _csv(path: Path, kind: str) -> TextIO:
    """A CSV file of `kind`, its header written."""
    handle = open(path, "w", encoding="utf-8", newline="")  # noqa: SIM115 - the caller closes it
    handle.write(",".join(HEADERS[kind]) + "\n")
    return handle


def _line(row) -> str:
    return ",".join(_quoted(v) for v in row) + "\n"


def _quoted(value: str) -> str:
    return f'"{value}"' if "," in value or '"' in value else value


def _xlsx(path: Path, rows: list[tuple]) -> None:
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    sheet = book.create_sheet("Compliance")
    sheet.append(HEADERS["compliance"])
    for row in rows:
        sheet.append(row)
    book.save(path)


if __name__ == "__main__":
    generate(Path(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]) if len(sys.argv) > 3 else 7)
