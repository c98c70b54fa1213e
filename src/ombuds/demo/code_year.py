"""The demo's Complaint Handling Code year: one synthetic council's own complaints for 2025-26, self-assessments
of many councils for 2024-25 and 2025-26 (the register), and the council's code report.

Calibrated to the shape of councils' published annual complaints reports (the proportions below are round
figures typical of those reports, not any council's): about 7 stage 1 complaints a year per 1,000 residents, about
one in eight closed complaints taken to stage 2, most acknowledged and answered on time, a few extended.
Every reference starts `SYN-`."""

from __future__ import annotations

import csv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import numpy as np

from ombuds.handling_code import handling_code
from ombuds.labels import OWN_OUTCOMES
from ombuds.profile import Profile
from ombuds.registry import registry_of
from ombuds.schemes import Scheme
from ombuds.workdays import add_working_days
from ombuds.years import Year

COUNCIL = "E07000243"  # the council whose own complaints the demo makes (Stevenage: the project's example)
YEAR = Year(2025)
STAGE1_PER_1000 = 7.0
ESCALATED = 0.12  # share of closed stage 1 complaints taken to stage 2
ACKNOWLEDGED_LATE = 0.06
STAGE1_LATE, STAGE2_LATE = 0.12, 0.2
EXTENDED = 0.08
OUTCOME_SHARES = {"upheld": 0.3, "partly upheld": 0.2, "not upheld": 0.4, "withdrawn": 0.05, "not a complaint": 0.05}
# The council's own service areas → the ombudsman's (label ids of the scheme's `service_area` set, worded by it).
OWN_AREAS = {"Housing repairs": "housing", "Housing allocations": "housing", "Council tax": "benefits-and-tax",
             "Benefits": "benefits-and-tax", "Waste and recycling": "environment-services",
             "Parking": "highways-and-transport", "Planning": "planning-and-development",
             "Customer services": "corporate-and-other-services"}
AREA_SHARES = (0.28, 0.1, 0.14, 0.08, 0.16, 0.1, 0.08, 0.06)
ASSESSING_COUNCILS = 60
ANSWER_SHARES = (0.7, 0.2, 0.1)  # yes, partly, no
OWN_COLUMNS = ("reference", "authority", "stage", "received_date", "acknowledged_date", "response_date",
               "extended_to", "service_area", "outcome")
ASSESSMENT_COLUMNS = ("authority", "year", "provision", "complies", "evidence", "action", "due")


@dataclass(frozen=True)
class CodeYearFiles:
    own_complaints: Path
    self_assessment: Path
    service_areas: Path
    response: Path


def _working_after(start: date, days: int) -> date:
    return add_working_days(start, int(days))


def _stage_rows(rng: np.random.Generator, reference: str, stage: int, received: date, area: str,
                limits) -> list:
    acknowledged = _working_after(received, rng.integers(6, 9) if rng.random() < ACKNOWLEDGED_LATE
                                  else rng.integers(1, 6))
    late = rng.random() < (STAGE1_LATE if stage == 1 else STAGE2_LATE)
    extended_to = None
    if rng.random() < EXTENDED:
        extended_to = _working_after(acknowledged, rng.integers(limits.respond + 2, limits.extended + 1))
        responded = _working_after(acknowledged, rng.integers(limits.respond + 1, limits.extended + 1))
        responded = min(responded, extended_to) if not late else extended_to + timedelta(days=int(rng.integers(1, 8)))
    elif late:
        responded = _working_after(acknowledged, rng.integers(limits.respond + 1, limits.respond * 2 + 1))
    else:
        responded = _working_after(acknowledged, rng.integers(max(2, limits.respond // 3), limits.respond + 1))
    outcome = rng.choice(OWN_OUTCOMES, p=list(OUTCOME_SHARES.values()))
    if received > YEAR.end - timedelta(days=10):  # still open at the year's end
        return [reference, COUNCIL, stage, received, acknowledged, "", "", area, ""]
    return [reference, COUNCIL, stage, received, acknowledged, responded, extended_to or "", area, outcome]


def own_complaint_rows(seed: int, scheme: Scheme) -> list[list]:
    rng = np.random.default_rng(seed + 2025)
    code = handling_code(scheme)
    size = registry_of(scheme).get(COUNCIL).population_2020 or 90_000
    count = int(rng.poisson(STAGE1_PER_1000 * size / 1000))
    days = sorted(YEAR.start + timedelta(days=int(d)) for d in rng.integers(0, 365, count))
    areas = rng.choice(list(OWN_AREAS), size=count, p=AREA_SHARES)
    rows = []
    for n, (received, area) in enumerate(zip(days, areas, strict=True), start=1):
        first = _stage_rows(rng, f"SYN-CHC-{n:05d}", 1, received, str(area), code.stages[1])
        rows.append(first)
        if first[5] and first[8] not in ("withdrawn", "not a complaint") and rng.random() < ESCALATED:
            escalated = first[5] + timedelta(days=int(rng.integers(1, 28)))
            rows.append(_stage_rows(rng, first[0], 2, escalated, str(area), code.stages[2]))
    return rows


def assessment_rows(seed: int, scheme: Scheme) -> list[list]:
    """Self-assessments of councils (bodies of a type compared with its average) that exist in both years, 2024-25
    and 2025-26; answers improve a little."""
    rng = np.random.default_rng(seed + 8)
    councils = [a for a in registry_of(scheme).current_in(YEAR) if a.type in scheme.peer_average_types]
    chosen = sorted({COUNCIL, *(a.code for a in rng.choice(councils, ASSESSING_COUNCILS, replace=False))})
    provisions = handling_code(scheme).provision_ids
    weights = 0.5 + rng.random(len(provisions))  # some provisions are harder to meet everywhere
    rows = []
    for code in chosen:
        before = None
        for year in (Year(2024), YEAR):
            p_no = np.clip(ANSWER_SHARES[2] * weights * (0.7 if year == YEAR else 1.0), 0, 0.5)
            p_partly = np.clip(ANSWER_SHARES[1] * weights, 0, 0.4)
            answers = []
            for i, provision in enumerate(provisions):
                r = rng.random()
                answer = "no" if r < p_no[i] else "partly" if r < p_no[i] + p_partly[i] else "yes"
                if before and before[i] == "yes" and rng.random() < 0.9:
                    answer = "yes"
                answers.append(answer)
                action = "" if answer == "yes" else "Change the procedure and train staff"
                due = "" if answer == "yes" else date(year.start_year + 1, 3, 31).isoformat()
                rows.append([code, year.label, provision, answer, "Complaints policy and case records", action, due])
            before = answers
    return rows


def _area_rows(scheme: Scheme) -> list[list[str]]:
    """The mapping of the council's own areas to the ombudsman's, in the scheme's words."""
    areas = scheme.labels("service_area")
    return [[own, areas.name_of(area)] for own, area in OWN_AREAS.items()]


def _write(path: Path, header: tuple[str, ...], rows: list[list]) -> Path:
    with open(path, "w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)
    return path


def generate_code_year(out_dir: Path, scheme: Scheme, *, seed: int = 2017) -> CodeYearFiles:
    out_dir.mkdir(parents=True, exist_ok=True)
    response = out_dir / "governing-body-response.md"
    response.write_text("The SYNTHETIC council's cabinet considered this report and agreed its actions.\n\n"
                        "- Acknowledge every complaint automatically on the day it arrives\n"
                        "- Record the reason for every extension\n", encoding="utf-8")
    return CodeYearFiles(
        _write(out_dir / "own-complaints.csv", OWN_COLUMNS, own_complaint_rows(seed, scheme)),
        _write(out_dir / "self-assessment.csv", ASSESSMENT_COLUMNS, assessment_rows(seed, scheme)),
        _write(out_dir / "service-areas.csv", ("own_area", "service_area"), _area_rows(scheme)),
        response)


def run_code_year(database, out_dir: Path, profile: Profile, scheme: Scheme, *, seed: int,
                  echo: Callable[[str], None] = print) -> list[Path]:
    """Generate, import and report: the council's code report in out_dir/code-report/, from `profile`'s
    organisation."""
    from ombuds.code_report import write_report
    from ombuds.ingest import import_files
    from ombuds.ingest.areas import read_area_mapping
    from ombuds.stats.code_report import code_report

    files = generate_code_year(out_dir, scheme, seed=seed)
    echo("Importing one SYNTHETIC council's own complaints for 2025-26 and councils' self-assessments …")
    report = import_files(database, [files.own_complaints, files.self_assessment], scheme=scheme)
    for line in report.lines():
        echo(f"  {line}")
    body = registry_of(scheme).get(COUNCIL)
    record = code_report(database, YEAR, body, scheme=scheme,
                         areas=read_area_mapping(files.service_areas, scheme.labels("service_area")))
    written = write_report(record, profile, out_dir / "code-report",
                           response=files.response.read_text(encoding="utf-8"))
    echo(f"  {body.name}'s Complaint Handling Code report for {YEAR}: {written[0].parent}/")
    return written
