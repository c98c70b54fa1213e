"""The registry file's own facts: county centroids among their districts, ONS's newer codes. Reads the CSV in the
repository (not the reference files it is built from)."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import pytest

from conftest import registry

CSV = Path(__file__).resolve().parents[1] / "src" / "ombuds" / "schemes" / "lgsco" / "bodies.csv"


def _rows() -> dict[str, dict[str, str]]:
    with open(CSV, encoding="utf-8") as f:
        return {row["code"]: row for row in csv.DictReader(f)}


ROWS = _rows()
COUNTIES = sorted(code for code, row in ROWS.items() if row["type"] == "County")


def _centroid(row: dict[str, str]) -> tuple[float, float] | None:
    """Its own, else its successors' mean (the register has none for some abolished districts)."""
    if row["lat"] and row["long"]:
        return float(row["lat"]), float(row["long"])
    points = [p for p in (_centroid(ROWS[code]) for code in row["successors"].split()) if p is not None]
    return (sum(p[0] for p in points) / len(points), sum(p[1] for p in points) / len(points)) if points else None


def _km(a: tuple[float, float], b: tuple[float, float]) -> float:
    lat1, long1, lat2, long2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((long2 - long1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


def test_every_county_has_districts_and_a_centroid():
    assert len(COUNTIES) >= 24
    for code in COUNTIES:
        assert ROWS[code]["lat"] and ROWS[code]["long"], code
        assert any(row["county"] == code for row in ROWS.values() if row["type"] == "District"), code


@pytest.mark.parametrize("code", COUNTIES)
def test_county_centroid_within_60_km_of_each_district(code):
    county = _centroid(ROWS[code])
    districts = [row for row in ROWS.values() if row["type"] == "District" and row["county"] == code]
    for district in districts:
        point = _centroid(district)
        assert point is not None, district["code"]
        distance = _km(county, point)
        assert distance <= 60, f"{ROWS[code]['short_name']} is {distance:.0f} km from {district['short_name']}"


def test_lancashire_centroid_is_in_lancashire():
    lat, long = _centroid(ROWS["E10000017"])
    assert 53.5 < lat < 54.3 and -3.1 < long < -2.0


@pytest.mark.parametrize(("new", "old", "name"), [("E08000038", "E08000016", "Barnsley"),
                                                  ("E08000039", "E08000019", "Sheffield")])
def test_new_ons_codes_resolve(new, old, name):
    authority = registry().resolve(new)
    assert (authority.code, authority.short_name) == (old, name)
    assert new in authority.former_codes
    assert registry().resolve(old) is authority
