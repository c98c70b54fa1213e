"""The scheme loader and `check_scheme`: the shipped LGSCO scheme, and a small scheme written in a test folder,
broken one way at a time; each problem is named `FILE: key: reason`."""

from __future__ import annotations

import shutil
from dataclasses import FrozenInstanceError
from datetime import date
from pathlib import Path

import pytest

from conftest import registry
from ombuds.schemes import SchemeError, check_scheme, load_scheme, scheme_folder, shipped
from ombuds.schemes.read import LETTER, SITE

SCHEME = """format = 1
id = "welsh-test"
name = "Test Ombudsman for Wales"
short_name = "TOW"
engine = "measures"
year_start = "04-01"
earliest_year = "2020-21"

[words]
body = "council"
bodies = "councils"
body_type = "council type"
size = "residents"

[report]
name = "annual letter"
min_records = 3
min_measure = "complaints"

[data]
coverage = "Invented complaints, for a test."
attribution = "Invented for ombuds' tests."
"""
BODIES = """code,name,short_name,takes_the,type,start_date,end_date,successors,size,lat,long,former_codes,aliases,region
W1,Aber Council,Aber,,county,,2022-03-31,W2,1000,52.1,-4.1,,Aber CC,West
W2,Bryn Council,Bryn,,county,2022-04-01,,,2500,52.2,-4.2,W9,,West
W3,Cwm Council,Cwm,yes,other,,,,,,,,,East
"""
TYPES_TOML = """[[types]]
id = "county"
name = "county council"
plural = "county councils"
peer_average = true

[[types]]
id = "other"
name = "other body"
plural = "other bodies"
peer_average = false
"""
LABELS = """[sets.decision]
name = "Decision"

[[sets.decision.labels]]
id = "upheld"
name = "Upheld"
aliases = ["Complaint upheld"]

[[sets.decision.labels]]
id = "not-upheld"
name = "Not upheld"

[sets.decision.editions."2024-25"]
upheld = "Found in the complainant's favour"
"""
KINDS = """[kinds.complaints]
key = ["case"]

[[kinds.complaints.columns]]
name = "Case"
field = "case"
type = "text"
required = true

[[kinds.complaints.columns]]
name = "Council"
field = "body"
type = "body"
required = true

[[kinds.complaints.columns]]
name = "Decision"
field = "decision"
type = "label"
set = "decision"
required = true
aliases = ["Outcome"]
"""
MEASURES = """[[measures]]
id = "complaints"
name = "Complaints decided"
kind = "distinct"
field = "case"
display = "count"

[[measures]]
id = "upheld"
name = "Upheld"
kind = "count"
label = { set = "decision", ids = ["upheld"] }
display = "count"

[[measures]]
id = "intervention_rate"
name = "Intervention rate"
kind = "ratio"
numerator = "upheld"
denominator = "complaints"
display = "percent"
fair = true

[[measures]]
id = "per_1000"
name = "Complaints per 1,000 residents"
kind = "per_size"
measure = "complaints"
per = 1000
display = "rate"
"""
PEERS = """by = ["type", "size_band"]
method = "pooled"

[[size_bands]]
id = "small"
name = "fewer than 2,000"
min = 0
max = 1999

[[size_bands]]
id = "large"
name = "2,000 or more"
min = 2000
"""
FILES = {"scheme.toml": SCHEME, "bodies.csv": BODIES, "types.toml": TYPES_TOML, "labels.toml": LABELS,
         "kinds.toml": KINDS, "measures.toml": MEASURES, "peer_groups.toml": PEERS,
         "aliases.csv": "alias,code\nAberystwyth Council,W1\n"}


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    return tmp_path


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_the_shipped_lgsco_scheme_checks_clean_and_holds_todays_facts():
    assert "lgsco" in shipped()
    assert check_scheme(scheme_folder("lgsco")) == []
    lgsco = load_scheme("lgsco")
    assert (lgsco.id, lgsco.engine, lgsco.year_start, lgsco.postcodes, lgsco.hexjson) == (
        "lgsco", "lgsco", (4, 1), "england", "generated")
    assert (lgsco.words.body, lgsco.words.bodies, lgsco.words.body_type) == ("council", "councils", "authority type")
    assert lgsco.labels("service_area").names == (
        "Adult Care Services", "Benefits and Tax", "Corporate and Other Services", "Education and Children's Services",
        "Environment Services", "Highways and Transport", "Housing", "Planning and Development", "Other")
    assert lgsco.labels("outcome").names == (
        "Incomplete or Invalid", "Advice Given", "Referred back for Local Resolution", "Closed After Initial Enquiries",
        "Not Upheld", "Upheld")
    assert lgsco.labels("compliance").names == ("on time", "late", "not complied")
    assert lgsco.labels("contact_role").ids == (
        "chief-executive", "link-officer", "monitoring-officer", "leader", "scrutiny-chair")
    assert lgsco.type_ids == ("County", "District", "Metropolitan", "Unitary", "London Borough", "Other")
    assert lgsco.peer_average_types == lgsco.type_ids[:-1]  # all but Other
    assert {a.type for a in registry() if a.has_type_average} == set(lgsco.peer_average_types)
    assert lgsco.type("Metropolitan").plural == "metropolitan boroughs"
    assert lgsco.peer_groups.by == ("type",) and lgsco.peer_groups.method == "pooled"
    assert [b.code for b in lgsco.bodies] == sorted(a.code for a in registry())  # bodies.csv is the registry
    stevenage = next(b for b in lgsco.bodies if b.code == "E07000243")
    assert (stevenage.size, stevenage.former_codes, stevenage.extra["county"]) == (88104, ("E07000101",), "E10000015")
    assert load_scheme("lgsco") is load_scheme(scheme_folder("lgsco"))  # loaded once


def test_a_small_scheme_in_a_folder_loads_typed_and_frozen(folder: Path):
    assert check_scheme(folder) == []
    scheme = load_scheme(folder)
    assert scheme.id == "welsh-test" and scheme.engine == "measures" and scheme.report.min_records == 3
    aber, bryn, cwm = scheme.bodies
    assert (aber.end_date, aber.successors, aber.size, aber.aliases, aber.extra) == (
        date(2022, 3, 31), ("W2",), 1000, ("Aber CC",), {"region": "West"})
    assert (bryn.start_date, bryn.former_codes, cwm.takes_the, cwm.size, cwm.lat) == (
        date(2022, 4, 1), ("W9",), True, None, None)
    assert scheme.aliases == {"Aberystwyth Council": "W1"}
    decision = scheme.labels("decision")
    assert decision.ids == ("upheld", "not-upheld")
    assert decision.resolve("complaint UPHELD") == "upheld" and decision.resolve("not_upheld") == "not-upheld"
    assert decision.resolve("maybe") is None
    assert decision.name_of("upheld") == "Upheld"
    assert decision.name_of("upheld", "2024-25") == "Found in the complainant's favour"
    assert decision.name_of("not-upheld", "2024-25") == "Not upheld"
    complaints = scheme.kinds["complaints"]
    assert complaints.key == ("case",) and [c.field for c in complaints.columns] == ["case", "body", "decision"]
    assert complaints.columns[2].set == "decision" and complaints.columns[2].aliases == ("Outcome",)
    rate = scheme.measure("intervention_rate")
    assert (rate.kind, rate.numerator, rate.denominator, rate.fair, rate.display) == (
        "ratio", "upheld", "complaints", True, "percent")
    assert scheme.measure("upheld").label.ids == ("upheld",)
    assert scheme.peer_groups.size_band(1999).id == "small" and scheme.peer_groups.size_band(2000).id == "large"
    assert scheme.peer_groups.size_band(None) is None
    assert scheme.map is None and scheme.provisions == () and scheme.editions == {}
    with pytest.raises(FrozenInstanceError):
        scheme.id = "other"  # type: ignore[misc]


def test_optional_files_editions_layouts_map_and_code_are_read(folder: Path):
    (folder / "editions").mkdir()
    (folder / "editions" / "2024-25.toml").write_text('year = "2024-25"\ntitle = "Annual letter 2025"\n')
    (folder / "layouts").mkdir()
    (folder / "layouts" / "letter.toml").write_text('[[sections]]\nmeasures = ["complaints"]\n')
    (folder / "map.hexjson").write_text('{"layout": "odd-r", "hexes": {"W1": {"q": 0, "r": 0}}}')
    edit(folder, "scheme.toml", '[data]', '[map]\nhexjson = "map.hexjson"\n\n[data]')
    (folder / "code.toml").write_text('[[provisions]]\nid = "1.2"\nsection = "Definition"\ntitle = "What a '
                                      'complaint is"\n')
    scheme = load_scheme(folder)
    assert scheme.editions == {"2024-25": {"year": "2024-25", "title": "Annual letter 2025"}}
    assert scheme.editions_dir == folder / "editions"
    assert scheme.layouts["letter"] == {"sections": [{"measures": ["complaints"]}]}
    assert scheme.map["hexes"] == {"W1": {"q": 0, "r": 0}}
    assert [(p.id, p.title) for p in scheme.provisions] == [("1.2", "What a complaint is")]


BROKEN = [
    ("scheme.toml", 'short_name = "TOW"\n', 'short_name = "TOW"\ncolour = "red"\n',
     "scheme.toml: colour: unknown key (expected one of: format, id, name, short_name, engine, year_start, "
     "earliest_year, words, report, data, geography, map)"),
    ("scheme.toml", 'year_start = "04-01"', 'year_start = "02-30"',
     "scheme.toml: year_start: '02-30' is not a month and day (write MM-DD, e.g. 04-01)"),
    ("scheme.toml", 'earliest_year = "2020-21"', 'earliest_year = "2020"',
     "scheme.toml: earliest_year: '2020' is not a year: write it as 2019-20 (1 April 2019 to 31 March 2020)"),
    ("scheme.toml", 'engine = "measures"', 'engine = "magic"',
     "scheme.toml: engine: unknown engine 'magic' (one of: lgsco, measures)"),
    ("scheme.toml", 'size = "residents"', 'size = 3', "scheme.toml: words.size: must be a string"),
    ("scheme.toml", 'body = "council"\n', '', "scheme.toml: words.body: missing"),
    ("scheme.toml", 'min_measure = "complaints"', 'min_measure = "complaint"',
     "scheme.toml: report.min_measure: unknown measure 'complaint'"),
    ("scheme.toml", '[data]', '[geography]\npostcodes = "wales"\n\n[data]',
     "scheme.toml: geography.postcodes: unknown geography 'wales' (one of: none, england)"),
    ("scheme.toml", '[data]', '[geography]\npostcodes = "england"\n[geography.elsewhere]\nWales = "Go to Wales."\n'
     '"Isle of Man" = "{postcode} is in the Isle of Man."\nJersey = "{postcode}"\n\n[data]',
     ["scheme.toml: geography.elsewhere.Jersey: unknown key (expected one of: Wales, Scotland, Northern Ireland, "
      "Channel Islands, Isle of Man)", "scheme.toml: geography.elsewhere.Scotland: missing",
      "scheme.toml: geography.elsewhere.Northern Ireland: missing",
      "scheme.toml: geography.elsewhere.Channel Islands: missing",
      "scheme.toml: geography.elsewhere.Wales: must say where: it has no {postcode}"]),
    ("scheme.toml", '[data]', '[geography]\n[geography.elsewhere]\nWales = "{postcode} is in Wales."\n\n[data]',
     'scheme.toml: geography.elsewhere: no postcode search to say it (postcodes = "none")'),
    ("scheme.toml", '[data]', '[[data.licenses]]\nname = "OGL-UK-3.0"\ntitle = "Open Government Licence"\n\n[data]',
     "scheme.toml: data.licenses[0].path: missing"),
    ("scheme.toml", '[data]', '[map]\nhexjson = "wales.hexjson"\n\n[data]',
     "scheme.toml: map.hexjson: no file 'wales.hexjson' in the scheme folder"),
    ("types.toml", 'id = "other"', 'id = "county"', ["types.toml: types[1].id: duplicate id 'county'",
      "bodies.csv:4: type: unknown type 'other' (types.toml has: county)"]),
    ("types.toml", 'peer_average = false', 'peer_average = "no"', ["types.toml: types[1].peer_average: must be true "
     "or false", "bodies.csv:4: type: unknown type 'other' (types.toml has: county)"]),
    ("labels.toml", 'id = "not-upheld"', 'id = "upheld"', "labels.toml: sets.decision.labels[1].id: duplicate id "
     "'upheld'"),
    ("labels.toml", 'id = "not-upheld"', 'id = "Not Upheld"', "labels.toml: sets.decision.labels[1].id: 'Not "
     "Upheld' is not an id: lower-case letters, digits, - and _"),
    ("labels.toml", 'upheld = "Found', 'partly-upheld = "Found', 'labels.toml: sets.decision.editions."2024-25".'
     "partly-upheld: label set 'decision' has no label 'partly-upheld'"),
    ("labels.toml", 'name = "Not upheld"', 'name = "Not upheld"\ncolour = "grey"',
     "labels.toml: sets.decision.labels[1].colour: unknown key (expected one of: id, name, aliases)"),
    ("kinds.toml", 'set = "decision"', 'set = "decisions"', "kinds.toml: kinds.complaints.columns[2].set: unknown "
     "label set 'decisions'"),
    ("kinds.toml", 'type = "body"', 'type = "council"', "kinds.toml: kinds.complaints.columns[1].type: unknown type "
     "'council' (one of: text, date, label, flag, body, int)"),
    ("kinds.toml", 'key = ["case"]', 'key = ["reference"]', "kinds.toml: kinds.complaints.key: 'reference' is not a "
     "field of this kind"),
    ("measures.toml", 'ids = ["upheld"]', 'ids = ["partly"]', "measures.toml: measures.upheld.label.ids: label set "
     "'decision' has no label 'partly'"),
    ("measures.toml", 'denominator = "complaints"', 'denominator = "decided"', "measures.toml: "
     "measures.intervention_rate.denominator: unknown measure 'decided'"),
    ("measures.toml", 'field = "case"', 'field = "case_id"', "measures.toml: measures.complaints.field: 'case_id' is "
     "not a field of any record kind"),
    ("measures.toml", 'display = "rate"', 'display = "rate"\nfair = true', "measures.toml: measures.per_1000.fair: not "
     "used by a per_size measure"),
    ("measures.toml", 'per = 1000\n', '', "measures.toml: measures.per_1000.per: missing (a per_size measure needs "
     "it)"),
    ("measures.toml", 'id = "per_1000"', 'id = "upheld"', "measures.toml: measures.upheld.id: duplicate id"),
    ("peer_groups.toml", 'method = "pooled"', 'method = "mean"', "peer_groups.toml: method: unknown method 'mean' "
     "(one of: pooled)"),
    ("peer_groups.toml", 'by = ["type", "size_band"]', 'by = ["type", "region"]', "peer_groups.toml: by: unknown "
     "grouping 'region' (one of: type, size_band)"),
    ("peer_groups.toml", 'min = 2000', 'min = 1500', "peer_groups.toml: size_bands.large: overlaps size band 'small'"),
    ("bodies.csv", ",county,2022-04-01,", ",county,2022-13-01,", "bodies.csv:3: start_date: '2022-13-01' is not a date "
     "(write YYYY-MM-DD)"),
    ("bodies.csv", "W3,Cwm Council", "W1,Cwm Council", "bodies.csv:4: code: 'W1' is already used on line 2"),
    ("bodies.csv", "W2,Bryn Council", "W9,Bryn Council", ["bodies.csv:3: code: 'W9' is already used on line 3",
                                                          "bodies.csv:2: successors: unknown body 'W2'"]),
    ("bodies.csv", ",yes,other,", ",yes,tribunal,", "bodies.csv:4: type: unknown type 'tribunal' (types.toml has: "
     "county, other)"),
    ("bodies.csv", ",W2,1000,", ",W4,1000,", "bodies.csv:2: successors: unknown body 'W4'"),
    ("bodies.csv", ",W2,1000,", ",W2,many,", "bodies.csv:2: size: 'many' is not a whole number"),
    ("bodies.csv", ",2022-03-31,W2,", ",2019-03-31,W2,", None),  # no start date: no order to check
    ("bodies.csv", ",2022-04-01,,,2500", ",2022-04-01,2021-01-01,,2500", "bodies.csv:3: end_date: 2021-01-01 is before "
     "the start date 2022-04-01"),
    ("bodies.csv", "code,name,short_name,takes_the,type", "code,name,short_name,takes_the,kind",
     "bodies.csv:1: type: missing column"),
    ("aliases.csv", "W1", "W7", "aliases.csv:2: code: unknown body 'W7'"),
]


@pytest.mark.parametrize(("name", "old", "new", "problem"), BROKEN, ids=[f"{b[0]}-{i}" for i, b in enumerate(BROKEN)])
def test_each_problem_is_named_file_key_reason(folder: Path, name: str, old: str, new: str,
                                              problem: str | list[str] | None):
    edit(folder, name, old, new)
    assert check_scheme(folder) == ([problem] if isinstance(problem, str) else problem or [])


def test_measures_that_depend_on_each_other_are_a_cycle(folder: Path):
    edit(folder, "measures.toml", 'denominator = "complaints"', 'denominator = "share"')
    with open(folder / "measures.toml", "a", encoding="utf-8") as f:
        f.write('\n[[measures]]\nid = "share"\nname = "Share"\nkind = "ratio"\nnumerator = "intervention_rate"\n'
                'denominator = "complaints"\ndisplay = "percent"\n')
    assert check_scheme(folder) == ["measures.toml: measures.intervention_rate: measures depend on each other: "
                                    "intervention_rate → share → intervention_rate"]


def test_missing_files_and_bad_toml_are_named(folder: Path):
    (folder / "types.toml").unlink()
    (folder / "kinds.toml").unlink()
    (folder / "labels.toml").write_text("[sets.decision\n")
    problems = check_scheme(folder)
    assert problems[0] == "types.toml: missing file"
    assert problems[1].startswith("labels.toml: not valid TOML: ")
    assert "kinds.toml: missing file" in problems
    assert "bodies.csv:2: type: unknown type 'county' (types.toml has: )" in problems


def _letter_words(name: str = "letter") -> str:
    """The shipped LGSCO scheme's [words.letter] (or [words.site]) table, as its scheme.toml has it."""
    text = (scheme_folder("lgsco") / "scheme.toml").read_text(encoding="utf-8")
    start = text.index(f"[words.{name}]")
    return text[start:text.index("\n[", start) + 1]


def test_an_lgsco_engine_scheme_needs_its_letter_words_not_kinds_or_measures(folder: Path):
    for name in ("kinds.toml", "measures.toml"):
        (folder / name).unlink()
    edit(folder, "scheme.toml", 'engine = "measures"', 'engine = "lgsco"')
    edit(folder, "scheme.toml", 'min_records = 3\nmin_measure = "complaints"\n', '')
    assert check_scheme(folder) == ["scheme.toml: words.letter: missing (engine lgsco's letters take their words "
                                    "from it)",
                                    "scheme.toml: words.site: missing (engine lgsco's pages take their words from it)"]
    with (folder / "scheme.toml").open("a", encoding="utf-8") as scheme:
        scheme.write("\n" + _letter_words() + "\n" + _letter_words("site"))
    assert check_scheme(folder) == []
    assert load_scheme(folder).words.letter["average_was"] == "The average for similar authorities was {average}."
    assert load_scheme(folder).words.site["uphold_by_type"] == "Uphold rate by type of authority"


def test_letter_and_site_words_are_checked_key_by_key(folder: Path):
    (folder / "scheme.toml").write_text((folder / "scheme.toml").read_text(encoding="utf-8") + "\n"
                                        + _letter_words() + "\n" + _letter_words("site"), encoding="utf-8")
    edit(folder, "scheme.toml", "similar authorities was {average}.", "similar authorities was {avg}.")
    edit(folder, "scheme.toml", 'delivery = "By email"\n', 'deliver = "By post"\n')
    edit(folder, "scheme.toml", 'uphold_by_type = "Uphold rate by type of authority"',
         'uphold_by_type = "Uphold rate by {type}"')
    edit(folder, "scheme.toml", "two_tier_search =", "two_tiers =")
    assert check_scheme(folder) == [
        "scheme.toml: words.letter.deliver: unknown key (expected one of: " + ", ".join(LETTER) + ")",
        "scheme.toml: words.letter.delivery: missing",
        "scheme.toml: words.letter.average_was: unknown placeholder {avg} (known: {average})",
        "scheme.toml: words.site.two_tiers: unknown key (expected one of: " + ", ".join(SITE) + ")",
        "scheme.toml: words.site.two_tier_search: missing",
        "scheme.toml: words.site.uphold_by_type: unknown placeholder {type} (known: none)"]


def test_loading_a_broken_scheme_is_a_one_line_error_naming_the_first_problem(folder: Path):
    edit(folder, "types.toml", 'id = "other"', 'id = "county"')
    edit(folder, "peer_groups.toml", 'method = "pooled"', 'method = "mean"')
    with pytest.raises(SchemeError) as raised:
        load_scheme(folder)
    assert str(raised.value) == (f"{folder}/types.toml: types[1].id: duplicate id 'county' (and 2 more: run "
                                 f"`ombuds scheme check {folder}`)")
    assert "\n" not in str(raised.value)


def test_an_unknown_name_is_neither_shipped_nor_a_folder(tmp_path: Path):
    expected = r"^'welsh' is neither a shipped scheme \(housing-ombudsman, lgsco\) nor a scheme folder$"
    with pytest.raises(SchemeError, match=expected):
        load_scheme("welsh")
    assert check_scheme(tmp_path / "none") == [f"{tmp_path / 'none'}: not a folder"]


def test_the_shipped_lgsco_folder_copied_elsewhere_loads_the_same(tmp_path: Path):
    copy = tmp_path / "lgsco-copy"
    shutil.copytree(scheme_folder("lgsco"), copy)
    assert load_scheme(copy).bodies == load_scheme("lgsco").bodies


def test_scheme_check_names_each_problem_of_the_maps_views_inset_and_site_words(tmp_path: Path):
    """The map's view ids (in the maps' addresses), its inset and [words.site] are checked key by key."""
    copy = tmp_path / "lgsco-copy"
    shutil.copytree(scheme_folder("lgsco"), copy)
    edit(copy, "scheme.toml", 'id = "upper"', 'id = "Upper tier"')
    edit(copy, "scheme.toml", 'type = "London Borough"\nheading', 'type = "Other"\nheading')
    edit(copy, "scheme.toml", 'id = "london"', 'id = "london"\nplace = "London"')
    edit(copy, "scheme.toml", "{postcode} is covered by {count} councils", "{place} is covered by {count} councils")
    edit(copy, "scheme.toml", 'area = "England"', "")
    assert check_scheme(copy) == [
        "scheme.toml: words.site.area: missing",
        "scheme.toml: words.site.two_tier_postcode: unknown placeholder {place} (known: {postcode}, {count})",
        "scheme.toml: map.views[1].id: 'Upper tier' is not an id: lower-case letters, digits, - and _ (it is in the "
        "map's address)",
        "scheme.toml: map.inset.place: unknown key (expected one of: id, type, heading, title, description)",
        "scheme.toml: map.inset.type: 'Other' is in no map view's types",
    ]
    edit(copy, "scheme.toml", 'id = "Upper tier"', 'id = "upper"')
    edit(copy, "scheme.toml", 'place = "London"', "")
    assert check_scheme(copy) == [
        "scheme.toml: words.site.area: missing",
        "scheme.toml: words.site.two_tier_postcode: unknown placeholder {place} (known: {postcode}, {count})",
        "scheme.toml: map.inset.type: 'Other' is in no map view's types"]
