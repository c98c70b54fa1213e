"""The LGSCO engine speaks its chosen scheme's words: a copy of schemes/lgsco that renames a service area, an outcome,
a type (its id and its plural), a council, the map's views and inset and the pages' own words changes what `stats`, the
letters, `ombuds authority`, the site and its API say, while the shipped scheme, in the same session, still says the
published words."""

from __future__ import annotations

import csv
import json
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from fastapi.testclient import TestClient

from builders import replace_once
from conftest import LGSCO, registry
from ombuds import urls
from ombuds.cli import cli
from ombuds.demo.generate import generate
from ombuds.labels import engine_labels
from ombuds.schemes import load_scheme, scheme_folder
from ombuds.settings import make_settings
from ombuds.site.app import create_app
from ombuds.store import open_database
from ombuds.years import Year

YEAR = Year(2024)
AREA, OUTCOME, PLURAL = "Homes and Tenancy", "Fault Found", "shire districts"  # the copy's words for
OLD_AREA, OLD_OUTCOME, OLD_PLURAL = "Housing", "Upheld", "district councils"  # housing, upheld, District
# The copy's bodies.csv names Stevenage (E07000243) anew, puts "the" before it and knows it by one more name.
COUNCIL, SHORT, ALIAS = "Borough of Stevenage", "Stevenage Borough", "Lytton Borough"
OLD_COUNCIL = "Stevenage Borough Council"
BY_TYPE, OLD_BY_TYPE = "Uphold rate by kind of council", "Uphold rate by type of authority"  # [words.site]
STEVENAGE = "E07000243,Stevenage Borough Council,Stevenage,,District,,,,88104,51.90431,-0.18933,E07000101,Stevenage|"
TYPE, OLD_TYPE = "Borough District", "District"  # the copy's type id for the shipped "District"
VIEWS, OLD_VIEWS = ("local", "strategic"), ("lower", "upper")  # the copy's map view ids
AREA_NAME, OLD_AREA_NAME = "Albion", "England"  # [words.site] area
UPHELD_TITLE, OLD_UPHELD_TITLE = "Decisions finding fault", "Upheld decisions"  # [words.site] decisions_upheld
AREA_SET = ('name = "Subject area"\nplural = "subject areas"', 'name = "Service area"\nplural = "service areas"')
BY_AREA, OLD_BY_AREA = "Complaints and enquiries by subject", "Complaints and enquiries received by service area"
INSET = """[map.inset]
id = "metropolitan"
type = "Metropolitan"
heading = "The metropolitan boroughs, larger"
title = "Metropolitan boroughs"
description = "The metropolitan boroughs again, larger and labelled."
"""


def _retype(bodies: Path, old: str, new: str) -> None:
    """bodies.csv with every body of type `old` given type `new` (the type column alone)."""
    with bodies.open(encoding="utf-8", newline="") as file:
        rows = list(csv.reader(file))
    column = rows[0].index("type")
    assert sum(row[column] == old for row in rows[1:]) == 204  # those abolished too
    with bodies.open("w", encoding="utf-8", newline="") as file:
        for row in rows[1:]:
            row[column] = new if row[column] == old else row[column]
        csv.writer(file, lineterminator="\n").writerows(rows)


@pytest.fixture(scope="module")
def renamed(tmp_path_factory) -> Path:
    """The LGSCO's scheme copied, with a service area, an outcome and a type's plural renamed (the old names kept
    as aliases, so the case files still read), and its 2024-25 letter laid out with the tables that list every
    service area and outcome."""
    folder = tmp_path_factory.mktemp("renamed") / "lgsco-renamed"
    shutil.copytree(scheme_folder("lgsco"), folder)
    replace_once(folder / "labels.toml", 'name = "Housing"\n', f'name = "{AREA}"\naliases = ["Housing"]\n')
    replace_once(folder / "labels.toml", 'name = "Upheld"\n', f'name = "{OUTCOME}"\naliases = ["Upheld"]\n')
    replace_once(folder / "types.toml", f'plural = "{OLD_PLURAL}"', f'plural = "{PLURAL}"')
    replace_once(folder / "labels.toml", AREA_SET[1], AREA_SET[0])  # the service areas' set renamed
    replace_once(folder / "editions" / "2024-25.toml", 'layout = "overview-2024-25"', 'layout = "appendix-2018-19"')
    renamed_council = STEVENAGE.replace(f"{OLD_COUNCIL},Stevenage,,", f"{COUNCIL},{SHORT},yes,")
    replace_once(folder / "bodies.csv", STEVENAGE, renamed_council.replace(",Stevenage|", f",{ALIAS}|Stevenage|"))
    replace_once(folder / "scheme.toml", f'uphold_by_type = "{OLD_BY_TYPE}"', f'uphold_by_type = "{BY_TYPE}"')
    # a type id, the map's view ids and inset, and the pages' own words, changed
    _retype(folder / "bodies.csv", OLD_TYPE, TYPE)
    replace_once(folder / "types.toml", f'id = "{OLD_TYPE}"', f'id = "{TYPE}"')
    replace_once(folder / "scheme.toml", f'types = ["{OLD_TYPE}", ', f'types = ["{TYPE}", ')
    for view, old in zip(VIEWS, OLD_VIEWS, strict=True):
        replace_once(folder / "scheme.toml", f'id = "{old}"', f'id = "{view}"')
    toml = (folder / "scheme.toml").read_text(encoding="utf-8")
    (folder / "scheme.toml").write_text(toml[:toml.index("[map.inset]")] + INSET, encoding="utf-8")
    replace_once(folder / "scheme.toml", f'area = "{OLD_AREA_NAME}"', f'area = "{AREA_NAME}"')
    replace_once(folder / "scheme.toml", f'decisions_upheld = "{OLD_UPHELD_TITLE}"',
                 f'decisions_upheld = "{UPHELD_TITLE}"')
    replace_once(folder / "scheme.toml", f'received_by_area = "{OLD_BY_AREA}"', f'received_by_area = "{BY_AREA}"')
    return folder


@pytest.fixture(scope="module")
def case_files(tmp_path_factory) -> list[str]:
    """A small synthetic demo year, as the case system exports it (the published words)."""
    files = generate(tmp_path_factory.mktemp("cases"), LGSCO, seed=11, scale=0.05, years=1)
    return [str(path) for path in files.paths.values()]


def run(*args: str) -> str:
    result = CliRunner().invoke(cli, list(args))
    assert result.exit_code == 0, result.output
    return result.output


@pytest.fixture(scope="module")
def databases(renamed, case_files, tmp_path_factory) -> dict[str, str]:
    """The same case files imported under the renamed copy and under the shipped scheme."""
    folder = tmp_path_factory.mktemp("databases")
    found = {}
    for name, scheme in (("renamed", str(renamed)), ("shipped", "lgsco")):
        found[name] = f"sqlite:///{folder / name}.db"
        run("--scheme", scheme, "--db", found[name], "import", *case_files)
    return found


def _statistics(scheme: str, db: str) -> list[dict]:
    return json.loads(run("--scheme", scheme, "--db", db, "stats", "--year", YEAR.label, "--format", "json"))


def _by_code(records: list[dict]) -> list[dict]:
    return sorted(records, key=lambda r: r["authority"]["code"])


def test_stats_say_the_copys_words_and_count_by_id(renamed, databases):
    records = _statistics(str(renamed), databases["renamed"])
    shipped = _statistics("lgsco", databases["shipped"])
    words = engine_labels(load_scheme(renamed))
    assert [list(r["received"]) for r in records] == [[*words.service_areas, "total"]] * len(records)
    assert [list(r["decided"]) for r in records] == [[*words.outcomes, "total"]] * len(records)
    assert AREA in words.service_areas and OUTCOME in words.outcomes
    assert not any(OLD_AREA in r["received"] or OLD_OUTCOME in r["decided"] for r in records)
    assert [r["decided"][OUTCOME] for r in records] == [r["upheld"] for r in records]  # upheld found by its id
    assert sum(r["upheld"] for r in records) > 0 and sum(r["received"][AREA] for r in records) > 0
    # the same figures as the shipped scheme's, under the old words, in the same session
    assert [list(r["received"]) for r in shipped] == [[*LGSCO.labels("service_area").names, "total"]] * len(shipped)
    assert [r["authority"]["name"] for r in records if r["authority"]["code"] == "E07000243"] == [COUNCIL]
    assert {r["authority"]["type"] for r in records} == {TYPE, "County", "Metropolitan", "Unitary", "London Borough"}
    renamed_back = [{**r, "authority": {**r["authority"], "name": r["authority"]["name"].replace(COUNCIL, OLD_COUNCIL),
                                        "type": OLD_TYPE if r["authority"]["type"] == TYPE else r["authority"]["type"]},
                     "received": {OLD_AREA if k == AREA else k: v for k, v in r["received"].items()},
                     "decided": {OLD_OUTCOME if k == OUTCOME else k: v for k, v in r["decided"].items()}}
                    for r in records]
    assert _by_code(renamed_back) == _by_code(shipped)  # the copy's renamed council sorts elsewhere


def test_csv_stats_name_their_columns_in_the_copys_words(renamed, databases):
    header = run("--scheme", str(renamed), "--db", databases["renamed"], "stats", "--year", YEAR.label,
                 "--format", "csv").splitlines()[0].split(",")
    assert f"received.{AREA}" in header and f"decided.{OUTCOME}" in header
    assert f"received.{OLD_AREA}" not in header and f"decided.{OLD_OUTCOME}" not in header


def _cells(html: str) -> list[str]:
    """The texts of a letter's table cells (headers and data)."""
    return [re.sub(r"<[^>]+>", "", cell).strip() for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", html, re.S)]


def test_letters_say_the_copys_words(renamed, databases, tmp_path):
    for scheme, db, out, council in ((str(renamed), databases["renamed"], tmp_path / "renamed", ALIAS),
                                     ("lgsco", databases["shipped"], tmp_path / "shipped", "Stevenage")):
        run("--scheme", scheme, "--db", db, "--editions", str(renamed / "editions"), "letters", "--year",
            YEAR.label, "--format", "html", "--authority", council, "--allow-missing-contacts", "--out", str(out))
    assert [p.name for p in (tmp_path / "renamed").glob("*.html")] == ["borough-of-stevenage-2024-25.html"]
    renamed_letter = (tmp_path / "renamed" / "borough-of-stevenage-2024-25.html").read_text(encoding="utf-8")
    shipped_letter = (tmp_path / "shipped" / "stevenage-borough-council-2024-25.html").read_text(encoding="utf-8")
    cells, shipped_cells = _cells(renamed_letter), _cells(shipped_letter)
    assert AREA in cells and OUTCOME in cells and OLD_AREA not in cells and OLD_OUTCOME not in cells
    assert OLD_AREA in shipped_cells and OLD_OUTCOME in shipped_cells and AREA not in shipped_cells
    assert f"the average for {PLURAL}." in renamed_letter and OLD_PLURAL not in renamed_letter
    assert f"the average for {OLD_PLURAL}." in shipped_letter and PLURAL not in shipped_letter
    # the copy's name, with "the" before it in running text, and its page's address
    assert f"complaints we dealt with about the {COUNCIL} in the year" in renamed_letter
    assert OLD_COUNCIL not in renamed_letter and "/borough-of-stevenage/2024-25" in renamed_letter
    assert f"complaints we dealt with about {OLD_COUNCIL} in the year" in shipped_letter
    assert COUNCIL not in shipped_letter and "/stevenage-borough-council/2024-25" in shipped_letter


def test_the_authority_lookup_is_the_chosen_schemes(renamed):
    found = json.loads(run("--scheme", str(renamed), "authority", ALIAS))
    assert (found["code"], found["name"], found["short_name"], found["slug"]) == (
        "E07000243", COUNCIL, SHORT, "borough-of-stevenage")
    assert json.loads(run("authority", "E07000243"))["name"] == OLD_COUNCIL
    refused = CliRunner().invoke(cli, ["authority", ALIAS])
    assert refused.exit_code != 0 and ALIAS in refused.output


def _page(scheme: str | Path, db: str, path: str, status: int = 200) -> str:
    settings = make_settings(scheme, None, None, db)
    with TestClient(create_app(open_database(db, read_only=True), settings)) as client:
        response = client.get("/" + path)
    assert response.status_code == status, path
    return response.text


def _json(scheme: str | Path, db: str, path: str) -> dict | list:
    return json.loads(_page(scheme, db, path))


def test_the_national_figures_are_by_the_copys_types_in_its_words(renamed, databases):
    twin = _json(renamed, databases["renamed"], urls.national(YEAR)[:-1] + ".json")
    shipped = _json("lgsco", databases["shipped"], urls.national(YEAR)[:-1] + ".json")
    assert list(twin["by_type"]) == ["County", TYPE, "Metropolitan", "Unitary", "London Borough"]  # types.toml's order
    assert twin["by_type"][TYPE] == shipped["by_type"][OLD_TYPE] and twin["by_type"][TYPE]["authorities"] == 164
    national = _page(renamed, databases["renamed"], urls.national(YEAR))
    assert f"<title>{AREA_NAME}, {YEAR.label}" in national and f">{AREA_NAME} in {YEAR.label}</h1>" in national
    assert f">{BY_AREA}</h2>" in national and "The chart's figures: complaints and enquiries by subject<" in national
    assert f"{OLD_AREA_NAME} in" not in national and OLD_BY_AREA not in national
    shipped_page = _page("lgsco", databases["shipped"], urls.national(YEAR))
    assert f">{OLD_AREA_NAME} in {YEAR.label}</h1>" in shipped_page and f">{OLD_BY_AREA}</h2>" in shipped_page


def test_the_home_map_has_the_copys_views_and_inset(renamed, databases):
    home = _page(renamed, databases["renamed"], urls.home())
    assert _json(renamed, databases["renamed"], "index.json")["tier"] == VIEWS[0]
    addresses = set(re.findall(r'href="/map/2024-25/([a-z]+)/[a-z_0-9]+/"', home))  # the other view, the other figures
    assert addresses == set(VIEWS)
    assert '>The metropolitan boroughs, larger</p>' in home and 'id="hex-map-metropolitan-2024-25-title"' in home
    assert "London, larger and labelled" not in home and "hex-map-london-" not in home
    assert len(re.findall(r'<text [^>]*>', home.split('id="hex-map-metropolitan-2024-25-title"')[1])) == 36
    counties = _json(renamed, databases["renamed"], urls.map_page(YEAR, VIEWS[1], "uphold_rate")[:-1] + ".json")
    upper = _json("lgsco", databases["shipped"], urls.map_page(YEAR, OLD_VIEWS[1], "uphold_rate")[:-1] + ".json")
    assert counties["tier"] == VIEWS[1] and counties["councils"] == upper["councils"] and len(upper["councils"]) > 100
    assert "choose local or strategic" in _page(renamed, databases["renamed"],
                                                urls.map_page(YEAR, OLD_VIEWS[1], "uphold_rate"), 404)
    shipped = _page("lgsco", databases["shipped"], urls.home())
    assert set(re.findall(r'href="/map/2024-25/([a-z]+)/[a-z_0-9]+/"', shipped)) == set(OLD_VIEWS)
    assert ">London, larger and labelled</p>" in shipped and 'id="hex-map-london-2024-25-title"' in shipped


def test_the_api_serves_and_documents_the_copys_types(renamed, databases):
    records = _json(renamed, databases["renamed"], "api/statistics/2024-25.json")
    assert next(r for r in records if r["authority"]["code"] == "E07000243")["authority"] == {
        "code": "E07000243", "name": COUNCIL, "type": TYPE}
    listed = _json(renamed, databases["renamed"], "api/authorities.json")
    assert sum(a["type"] == TYPE for a in listed) == 164 and not any(a["type"] == OLD_TYPE for a in listed)
    types = ["County", TYPE, "Metropolitan", "Unitary", "London Borough", "Other"]
    for scheme, db, expected in ((renamed, databases["renamed"], types),
                                 ("lgsco", databases["shipped"], [OLD_TYPE if t == TYPE else t for t in types])):
        schemas = _json(scheme, db, "api/openapi.json")["components"]["schemas"]
        assert schemas["AuthorityRef"]["properties"]["type"]["enum"] == expected
        assert schemas["AuthorityEntry"]["properties"]["type"]["enum"] == expected
    data = _page(renamed, databases["renamed"], urls.data())
    assert "(County, Borough District, Metropolitan, Unitary, London Borough or Other)" in data


def test_the_decisions_page_has_the_copys_titles(renamed, databases):
    upheld = _page(renamed, databases["renamed"], urls.decisions("borough-of-stevenage", YEAR, "upheld"))
    assert f"<title>{UPHELD_TITLE} about {COUNCIL}, {YEAR.label}" in upheld and OLD_UPHELD_TITLE not in upheld
    shipped = _page("lgsco", databases["shipped"], urls.decisions("stevenage-borough-council", YEAR, "upheld"))
    assert f"<h1 class=\"govuk-heading-l\">{OLD_UPHELD_TITLE} about {OLD_COUNCIL}, {YEAR.label}" in shipped
    assert f"<h1 class=\"govuk-heading-l\">{UPHELD_TITLE} about {COUNCIL}, {YEAR.label}" in upheld


def test_the_site_says_the_copys_words(renamed, databases):
    national = _page(renamed, databases["renamed"], urls.national(YEAR))
    shipped = _page("lgsco", databases["shipped"], urls.national(YEAR))
    assert f">{AREA}<" in national and f">{OLD_AREA}<" not in national
    assert "Shire districts" in national and "District councils" not in national
    assert f">{OLD_AREA}<" in shipped and "District councils" in shipped and "Shire districts" not in shipped
    assert f">{BY_TYPE}</h2>" in national and "The chart's figures: uphold rate by kind of council<" in national
    assert OLD_BY_TYPE not in national and f">{OLD_BY_TYPE}</h2>" in shipped
    council = _page(renamed, databases["renamed"], urls.council(registry().resolve("Birmingham").slug, YEAR))
    assert f">{AREA}<" in council and f">{OLD_AREA}<" not in council
    district = _page(renamed, databases["renamed"], urls.council("borough-of-stevenage", YEAR))
    assert f"the average for {PLURAL} in 2024-25" in district and OLD_PLURAL not in district
    assert f"<h1 class=\"govuk-heading-xl\">{COUNCIL}" in district and OLD_COUNCIL not in district
    assert OLD_COUNCIL in _page("lgsco", databases["shipped"], urls.council("stevenage-borough-council", YEAR))
    decisions = _page(renamed, databases["renamed"], urls.decisions("borough-of-stevenage", YEAR, "all"))
    shipped_decisions = _page("lgsco", databases["shipped"], urls.decisions("stevenage-borough-council", YEAR, "all"))
    assert ">Fault found</a>" in decisions and ">Upheld</a>" not in decisions  # the outcome set's words
    assert ">Upheld</a>" in shipped_decisions and ">Not upheld</a>" in shipped_decisions
    # the service areas' label set in its own words: headings, the filter, sentences
    for page in (national, council):
        assert '<th scope="col" class="govuk-table__header">Subject area</th>' in page and ">Service area<" not in page
    assert f"received in {YEAR.label}, by subject area</caption>" in council
    address = urls.decisions("borough-of-stevenage", YEAR, "all") + "?area=nowhere"
    filtered = _page(renamed, databases["renamed"], address)
    assert "There is no subject area called “nowhere”, so every subject area is shown." in filtered
    assert ">All subject areas</option>" in filtered and 'for="area">Subject area</label>' in filtered
    assert ">All service areas</option>" in shipped_decisions and "service area" not in filtered
    assert "by the subject area they were about." in _page(renamed, databases["renamed"], urls.methods())


def test_the_shipped_scheme_keeps_its_words_beside_the_copy(renamed):
    copy, shipped = engine_labels(load_scheme(renamed)), engine_labels(LGSCO)
    assert copy is not shipped and engine_labels(LGSCO) is shipped  # built once per scheme
    assert (copy.outcome("upheld"), copy.area_words["housing"], copy.type_plurals[TYPE]) == (
        OUTCOME, AREA, PLURAL)
    assert (shipped.outcome("upheld"), shipped.area_words["housing"], shipped.type_plurals["District"]) == (
        OLD_OUTCOME, OLD_AREA, OLD_PLURAL)


def test_which_types_have_an_average_is_the_copys(case_files, tmp_path):
    """A copy whose types.toml gives metropolitan boroughs no average: their records carry none, every other type's
    average stays as the shipped scheme's."""
    folder = tmp_path / "lgsco-no-metropolitan-average"
    shutil.copytree(scheme_folder("lgsco"), folder)
    replace_once(folder / "types.toml", 'plural = "metropolitan boroughs"\npeer_average = true',
             'plural = "metropolitan boroughs"\npeer_average = false')
    db = f"sqlite:///{tmp_path / 'copy.db'}"
    run("--scheme", str(folder), "--db", db, "import", *case_files)
    shipped_db = f"sqlite:///{tmp_path / 'shipped.db'}"
    run("--db", shipped_db, "import", *case_files)
    records, shipped = _by_code(_statistics(str(folder), db)), _by_code(_statistics("lgsco", shipped_db))
    metropolitan = [i for i, r in enumerate(records) if r["authority"]["type"] == "Metropolitan"]
    assert len(metropolitan) == 36
    assert all(records[i]["average"]["uphold_rate"] is None for i in metropolitan)
    assert all(shipped[i]["average"]["uphold_rate"] is not None for i in metropolitan)
    others = [i for i, r in enumerate(records) if r["authority"]["type"] in ("District", "County")]
    assert [records[i]["average"] for i in others] == [shipped[i]["average"] for i in others]
