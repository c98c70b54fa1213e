"""The authority registry: what it holds, and lookups by code or by any name."""

from __future__ import annotations

import csv
import io
from collections import Counter
from datetime import date
from importlib import resources

import pytest

from conftest import LGSCO, registry
from ombuds.registry import AuthorityNotFound
from ombuds.registry.lookup import Registry, authorities_from_rows
from ombuds.years import Year


@pytest.mark.parametrize("text", ["E07000243", "e07000243", "E07000101", "Stevenage", "Stevenage Borough Council",
                                  "STEVENAGE BOROUGH", "stevenage council", " Stevenage District "])
def test_stevenage_by_any_code_or_name(text):
    assert registry().resolve(text).code == "E07000243"


@pytest.mark.parametrize(("text", "code"), [
    ("Telford and Wrekin", "E06000020"), ("Telford & Wrekin Council", "E06000020"),
    ("Brighton & Hove", "E06000043"), ("City of London", "E09000001"), ("Isles of Scilly", "E06000053"),
    ("Kingston upon Hull", "E06000010"), ("County Durham", "E06000047"), ("Herefordshire, County of", "E06000019"),
    ("St. Helens", "E08000013"), ("Bristol City Council", "E06000023"), ("London Borough of Sutton", "E09000029"),
])
def test_names_tolerate_wording_and_punctuation(text, code):
    assert registry().resolve(text).code == code


def test_types_per_spec():
    r = registry()
    assert r.get("E09000001").type == "London Borough"  # City of London
    assert r.get("E06000053").type == "Unitary"  # Isles of Scilly
    assert r.get("E47000001").type == "Other"  # a combined authority
    by_type = Counter(a.type for a in r if a.current_in(Year(2024)))
    assert by_type == {"District": 164, "Unitary": 63, "Metropolitan": 36, "London Borough": 33, "County": 21,
                       "Other": 13}
    assert all(a.code.startswith({"County": "E10", "District": "E07", "Metropolitan": "E08", "Unitary": "E06",
                                  "London Borough": "E09"}[a.type]) for a in r if a.type != "Other")


def test_lifetimes_successors_and_counties():
    r = registry()
    allerdale = r.get("E07000026")
    assert (allerdale.end_date, allerdale.abolished, allerdale.successors) == (
        date(2023, 3, 31), date(2023, 4, 1), ("E06000063",))
    assert allerdale.county == "E10000006" and allerdale.region == "North West"
    assert allerdale.existed_on(date(2023, 3, 31)) and not allerdale.existed_on(date(2023, 4, 1))
    assert allerdale.current_in(Year(2022)) and not allerdale.current_in(Year(2023))
    bucks = r.get("E06000060")
    assert bucks.start_date == date(2020, 4, 1)
    assert bucks.predecessors == ("E07000004", "E07000005", "E07000006", "E07000007", "E10000002")
    northants = r.get("E10000021")
    assert northants.end_date == date(2021, 3, 31)
    assert northants.successors == ("E06000061", "E06000062")
    stevenage = r.get("E07000243")
    assert (stevenage.county, stevenage.population_2020, stevenage.former_codes) == ("E10000015", 88104, ("E07000101",))
    assert (round(stevenage.lat, 3), round(stevenage.long, 3)) == (51.904, -0.189)
    assert r.get("E09000029").slug == "london-borough-of-sutton"


def test_every_english_authority_since_2014():
    r = registry()
    assert len(r) == 380
    assert {a.code[0] for a in r} == {"E"}
    assert all(a.end_date is None or a.end_date >= date(2014, 4, 1) for a in r)


def test_ambiguous_names_are_settled_by_date_or_listed():
    r = registry()
    assert r.resolve("North Yorkshire", on=date(2022, 1, 1)).code == "E10000023"
    assert r.resolve("North Yorkshire", on=date(2023, 6, 1)).code == "E06000065"
    assert r.resolve("North Yorkshire County Council").code == "E10000023"
    with pytest.raises(AuthorityNotFound, match=r"ambiguous authority 'Somerset': could be Somerset Council "
                       r"\(E06000066, from 2023-04-01\); Somerset County Council \(E10000027, until 2023-03-31\)"):
        r.resolve("Somerset")


def test_unknown_names_list_the_closest_matches():
    with pytest.raises(AuthorityNotFound) as error:
        registry().resolve("Birmingam")
    assert str(error.value) == "unknown authority 'Birmingam'; closest matches: Birmingham City Council (E08000025)"
    with pytest.raises(AuthorityNotFound, match=r"^unknown authority 'Atlantis'$"):
        registry().resolve("Atlantis")


def test_the_before_a_name_is_the_registrys_takes_the_column():
    r = registry()
    with_the = {a.name for a in r if a.takes_the}
    assert {"Council of the Isles of Scilly", "City of London Corporation", "Greater Manchester Combined Authority",
            "London Borough of Sutton", "Royal Borough of Greenwich", "Borough Council of Kings Lynn and West Norfolk",
            "Greater London Authority"} <= with_the
    assert len(with_the) == 50
    assert not {"Stevenage Borough Council", "City of York Council", "Birmingham City Council"} & with_the


def test_takes_the_is_read_from_the_file_not_guessed_from_the_name():
    shipped = resources.files("ombuds.schemes").joinpath("lgsco", "bodies.csv").read_text(encoding="utf-8")
    rows = list(csv.DictReader(io.StringIO(shipped)))
    for row in rows:
        if row["code"] in ("E06000053", "E07000243"):  # Isles of Scilly, Stevenage: the column turned around
            row["takes_the"] = "" if row["takes_the"] == "yes" else "yes"
    edited = Registry(authorities_from_rows(rows, LGSCO.peer_average_types))
    assert not edited.get("E06000053").takes_the
    assert edited.get("E07000243").takes_the
