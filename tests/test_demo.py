"""The synthetic demo data: deterministic, calibrated to the national figures, reorganisations respected."""

from __future__ import annotations

import csv
import hashlib
from collections import Counter
from datetime import date

import pytest

from conftest import LGSCO, demo_database
from ombuds.demo import generate
from ombuds.demo.calibration import TARGETS
from ombuds.labels import engine_labels
from ombuds.stats import year_statistics
from ombuds.stats.summary import totals
from ombuds.years import Year

MEASURES = engine_labels(LGSCO).measures


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with demo_database(tmp_path_factory.mktemp("demo"), seed=2017) as made:
        yield made


def _digest(paths) -> dict[str, str]:
    return {kind: hashlib.sha256(path.read_bytes()).hexdigest() for kind, path in paths.items()}


def _rows(path) -> list[dict[str, str]]:
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_same_seed_same_files_other_seed_other_files(demo, tmp_path):
    files, _ = demo
    assert _digest(generate(tmp_path / "again", LGSCO, seed=2017).paths) == _digest(files.paths)
    assert _digest(generate(tmp_path / "other", LGSCO, seed=7).paths)["received"] != _digest(files.paths)["received"]


def test_volumes_and_rates_follow_the_national_figures(demo):
    _, database = demo
    for start_year, target in TARGETS.items():
        t = totals(year_statistics(database, LGSCO, Year(start_year)), MEASURES)
        assert abs(t.received - target.received) / target.received < 0.03, start_year
        assert abs(t.uphold_rate - target.uphold_rate) < 0.035, start_year
        assert abs(t.satisfactory_remedy_rate - target.satisfactory_remedy_rate) < 0.025, start_year
        assert t.compliance_rate > 0.985, start_year
    covid = totals(year_statistics(database, LGSCO, Year(2020)), MEASURES)
    before = totals(year_statistics(database, LGSCO, Year(2019)), MEASURES)
    assert covid.received < 0.75 * before.received


def test_volumes_follow_population_and_type(demo):
    _, database = demo
    stats = {s.authority.code: s for s in year_statistics(database, LGSCO, Year(2023))}
    assert stats["E08000025"].received_total > 5 * stats["E07000243"].received_total  # Birmingham, Stevenage
    counties = [s for s in stats.values() if s.authority.type == "County"]
    districts = [s for s in stats.values() if s.authority.type == "District"]
    per_person = [sum(s.received_total for s in group) / sum(s.population for s in group)
                  for group in (counties, districts)]
    assert per_person[0] > 1.5 * per_person[1]
    county_areas = Counter(area for s in counties for area, n in s.received.items() if area != "total"
                           for _ in range(n))
    assert county_areas.most_common(1)[0][0] == "Education and Children's Services"
    assert sum(s.received["Education and Children's Services"] for s in districts) == 0


def test_reorganisations_are_respected(demo):
    files, _ = demo
    received = _rows(files.paths["received"])
    by_code: dict[str, list[date]] = {}
    for row in received:
        by_code.setdefault(row["authority"], []).append(date.fromisoformat(row["received_date"]))
    assert min(by_code["E06000060"]) >= date(2020, 4, 1)  # Buckinghamshire Council
    assert max(by_code["E10000002"]) <= date(2020, 3, 31)  # Buckinghamshire County Council
    assert max(by_code["E07000026"]) <= date(2023, 3, 31)  # Allerdale
    decided_after = [r for r in _rows(files.paths["decided"])
                     if r["authority"] == "E07000026" and r["decision_date"] >= "2023-04-01"]
    assert decided_after  # cases outlive their council


def test_everything_says_it_is_synthetic(demo):
    files, _ = demo
    assert all(path.name.startswith("synthetic-") for path in files.paths.values())
    assert "SYNTHETIC DEMO DATA" in (files.paths["received"].parent / "README.txt").read_text()
    assert all(r["reference"].startswith("SYN-") for r in _rows(files.paths["decided"])[:1000])
    contacts = _rows(files.paths["contacts"])
    assert all(r["email"].endswith(".example.org") for r in contacts)
    assert len(contacts) == 380 * 5
