"""The LGSCO's layouts are data (schemes/lgsco/layouts/*.toml): each layout's words as the letters and pages show
them, a layout changed in a copied scheme folder reaching the letter with no Python change, and `ombuds scheme
check` naming each problem in a layout file."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from builders import Cases
from conftest import LGSCO, registry
from ombuds.cli import cli
from ombuds.ingest import import_files
from ombuds.schemes import check_scheme, load_scheme, scheme_folder
from ombuds.schemes.statistics_layouts import FIGURES
from ombuds.stats import authority_statistics, layouts
from ombuds.store import open_database
from ombuds.years import Year


@pytest.fixture(scope="module")
def database(tmp_path_factory):
    """Hertsmere: every year 2 of 16 investigations upheld (12.5% → 13%), 1 remedied, 3 compliance outcomes;
    Dacorum: no cases at all; Aylesbury Vale (no population held): 1 upheld decision in 2019-20."""
    folder = tmp_path_factory.mktemp("layouts")
    cases = Cases(folder)
    for start in range(2017, 2025):
        cases.received("Hertsmere", f"{start}-05-01", [1, 0, 2, 0, 0, 0, 0, 0, 1])
        cases.decided("Hertsmere", f"{start}-06-01", {"Not Upheld": 14, "Upheld": 2, "Advice given": 1},
                      satisfactory_remedies=1)
        cases.compliance("Hertsmere", f"{start}-09-01", on_time=2, late=1)
    cases.decided("Aylesbury Vale", "2019-06-01", {"Upheld": 1})
    opened = open_database(f"sqlite:///{folder / 'layouts.db'}")
    import_files(opened, cases.files(), scheme=LGSCO)
    yield opened
    opened.close()


def sections(database, year: str, name: str, layout_id: str, **options) -> list[dict]:
    y = Year.parse(year)
    s = authority_statistics(database, LGSCO, y, registry().resolve(name, on=y.end))
    return layouts.layout(layout_id, LGSCO).sections(s, **options)


def texts(found: list[dict]) -> list[str]:
    """Every line, sentence, caption, note and cell of the sections, in order."""
    out = []
    for section in found:
        out += [section.get("caption", ""), section.get("heading", "")]
        out += [line if isinstance(line, str) else line["text"] for line in section.get("lines", [])]
        out += section.get("sentences", []) + section.get("notes", [])
        out += [f"{item['label']}: {item['value']}" for item in section.get("items", [])]
        out += [" | ".join(c["text"] for c in row) for row in section.get("header", []) + section.get("rows", [])]
    return [t for t in out if t]


def test_the_appendix_tables_of_2017_18_and_2018_19(database):
    assert texts(sections(database, "2017-18", "Hertsmere", layouts.APPENDIX_2017)) == [
        "Local Authority Report: Hertsmere Borough Council", "For the Period Ending: 31/03/2018",
        "Complaints and enquiries received",
        "Adult Care Services | Benefits and Tax | Corporate and Other Services | Education and Children's Services | "
        "Environment Services | Highways and Transport | Housing | Planning and Development | Other | Total",
        "1 | 0 | 2 | 0 | 0 | 0 | 0 | 0 | 1 | 4",
        "Decisions made",
        " | Detailed investigations | ",
        "Incomplete or Invalid | Advice Given | Referred back for Local Resolution | Closed After Initial Enquiries | "
        "Not Upheld | Upheld | Uphold rate | Total",
        "0 | 1 | 0 | 0 | 14 | 2 | 13% | 17",
        "Complaints remedied",
        "Remedied complaints need not equal upheld complaints: we may find fault without finding an injustice that "
        "needs a remedy.",
        "By the Ombudsman | Satisfactorily by the authority before the Ombudsman's involvement",
        "0 | 1",
    ]
    hertsmere = sections(database, "2018-19", "Hertsmere", layouts.APPENDIX_2018)
    assert hertsmere[2]["header"][0][1] == {"text": "Detailed investigations", "span": 3}
    assert texts(hertsmere[2:3])[-1] == "0 | 1 | 0 | 0 | 14 | 2 | 13 | 17"  # the heading carries the (%)
    assert texts(hertsmere[4:])[-2:] == ["Number | 3 | 2 | 1 | 0", "Compliance rate** | 100%"]
    assert hertsmere[4]["rows"][1][1] == {"text": "100%", "span": 4}
    dacorum = sections(database, "2018-19", "Dacorum", layouts.APPENDIX_2018)
    assert [texts([table])[-1] for table in dacorum[2:]] == [
        "0 | 0 | 0 | 0 | 0 | 0 | 0 | 0", "0 | 0", "Compliance rate** | -"]  # the 2018-19 notation for 0/0


def test_the_panels_and_their_zero_denominator_sentences(database):
    upheld, compliance, remedy = sections(database, "2019-20", "Hertsmere", layouts.PANELS)
    assert texts([upheld]) == [
        "Complaints upheld", "13% of complaints we investigated were upheld.",
        "This compares to an average of 18% in similar authorities.", "2 upheld decisions",  # districts: 3 of 17
        "Statistics are based on a total of 16 detailed investigations for the period from 1 April 2019 to 31 March "
        "2020"]
    assert texts([compliance])[1] == ("In 100% of cases we were satisfied the authority had successfully "
                                      "implemented our recommendations.")
    assert texts([remedy])[3] == "1 satisfactory remedy decision"
    on_the_site = sections(database, "2019-20", "Dacorum", layouts.PANELS, zero_in_words=True)
    assert [texts([panel])[1] for panel in on_the_site] == [
        "We did not investigate any complaints about Dacorum Borough Council, so there is no uphold rate.",
        "We recorded no outcomes of our recommendations to Dacorum Borough Council, so there is no compliance rate.",
        "We upheld no complaints about Dacorum Borough Council, so there is no satisfactory remedy rate."]
    in_letters = sections(database, "2019-20", "Dacorum", layouts.PANELS)
    assert texts(in_letters[:1])[1:3] == ["0% of complaints we investigated were upheld.",
                                         "This compares to an average of 18% in similar authorities."]


def test_per_100k_lines_with_and_without_a_population(database):
    [upheld, *_] = sections(database, "2022-23", "Hertsmere", layouts.PANELS_PER_100K)
    assert [line["text"] for line in upheld["lines"] if line["role"] == "per100k"] == [
        "Adjusted for Hertsmere Borough Council's population, this is 1.9 upheld decisions per 100,000 residents.",
        "The average for authorities of this type is 0 upheld decisions per 100,000 residents."]
    [no_population, *_] = sections(database, "2019-20", "Aylesbury Vale", layouts.PANELS_PER_100K)
    assert next(line["text"] for line in no_population["lines"] if line["role"] == "per100k") == (
        "No population figure is held for Aylesbury Vale District Council, so no figure per 100,000 residents is "
        "shown.")


def test_the_overview_says_zero_counts_in_words(database):
    overview, upheld, *_ = sections(database, "2024-25", "Hertsmere", layouts.OVERVIEW)
    assert overview["sentences"] == [
        "From 1 April 2024 to 31 March 2025, we dealt with 17 complaints.",
        "Of these, 1 was not for us or not ready for us to investigate.",
        "We did not close any at the assessment stage.", "We investigated 16 complaints."]
    assert [f"{i['label']}: {i['value']}" for i in overview["items"]] == [
        "Complaints dealt with: 17", "Not for us: 1", "Assessed and closed: 0", "Investigated: 16"]
    assert upheld["lines"][0] == {"role": "lead", "text": "We investigated 16 complaints and upheld 2."}
    overview, upheld, *_ = sections(database, "2024-25", "Dacorum", layouts.OVERVIEW)
    assert overview["sentences"] == ["From 1 April 2024 to 31 March 2025, we did not deal with any complaints."]
    assert upheld["lines"][0] == {"role": "lead", "text": "We did not investigate any complaints, so none were upheld."}


def test_the_years_each_layout_is_the_default_for_are_data():
    shipped = layouts.layouts_of(LGSCO)
    assert [(layout.id, layout.years.start, layout.years.stop) for layout in shipped] == [
        ("appendix-2017-18", 0, 2018), ("appendix-2018-19", 2018, 2019), ("panels-2019-20", 2019, 2022),
        ("panels-2022-23", 2022, 2024), ("overview-2024-25", 2024, 10_000)]
    assert [layout.id for layout in shipped if layout.per_100k] == ["panels-2022-23", "overview-2024-25"]
    assert not layouts.layout(layouts.APPENDIX_2017, LGSCO).shows("upheld_per_100k")
    assert layouts.layout(layouts.APPENDIX_2018, LGSCO).shows("received_by_area")


@pytest.fixture
def copied(tmp_path: Path) -> Path:
    """A copy of the LGSCO's scheme folder (the same id: it opens the same databases)."""
    folder = tmp_path / "lgsco-copy"
    shutil.copytree(scheme_folder("lgsco"), folder)
    return folder


def edit(folder: Path, name: str, old: str, new: str) -> None:
    path = folder / "layouts" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_layout_changed_in_a_copied_scheme_shows_in_the_letter(copied: Path, tmp_path: Path):
    edit(copied, "panels-2019-20.toml", "{uphold_rate} of complaints we investigated were upheld.",
         "We upheld {uphold_rate} of the {investigated:complaint} we looked into.")
    edit(copied, "panels-2019-20.toml", 'heading = "Complaints upheld"', 'heading = "Upheld complaints"')
    edit(copied, "panels-2019-20.toml", 'default_until = "2021-22"', 'default_until = "2020-21"')
    edit(copied, "panels-2022-23.toml", 'default_from = "2022-23"', 'default_from = "2021-22"')
    cases = Cases(tmp_path)
    cases.decided("Hertsmere", "2019-06-01", {"Not Upheld": 14, "Upheld": 2})
    db = f"sqlite:///{tmp_path / 'letters.db'}"
    assert CliRunner().invoke(cli, ["--db", db, "--scheme", str(copied), "import", *map(str, cases.files())]
                              ).exit_code == 0
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["--db", db, "--scheme", str(copied), "letters", "--year", "2019-20",
                                      "--authority", "Hertsmere", "--format", "html", "--out", str(out),
                                      "--allow-missing-contacts"])
    assert result.exit_code == 0, result.output
    [letter] = out.glob("**/*.html")
    html = letter.read_text(encoding="utf-8")
    assert "We upheld 13%\u00a0of the 16\u00a0complaints we looked into." in html  # typeset: no break after a number
    assert "Upheld complaints" in html and "of complaints we investigated were upheld" not in html
    scheme = load_scheme(copied)
    assert layouts.layout_for(Year(2021), scheme).id == "panels-2022-23"  # the years moved in the data
    assert layouts.layout_for(Year(2021), LGSCO).id == "panels-2019-20"  # the shipped scheme is untouched


def test_scheme_check_names_each_problem_in_a_layout_file(copied: Path):
    edit(copied, "overview-2024-25.toml", "{uphold_rate} of complaints", "{upheld_rate} of complaints")
    edit(copied, "overview-2024-25.toml", 'kind = "overview"', 'kind = "chart"')
    edit(copied, "overview-2024-25.toml", 'base = "investigated"', 'base = "investigated"\ncolour = "red"')
    edit(copied, "overview-2024-25.toml", "{investigated:detailed investigation} for the period from {period}",
         "{investigated:detailed investigation} for {service_areas}")
    edit(copied, "panels-2019-20.toml", 'text = "{upheld:upheld decision}"', 'text = "{uphold_rate:upheld decision}"')
    edit(copied, "appendix-2018-19.toml", '{ text = "{compliance_rate}", span = 4 }',
         '{ text = "{compliance_rate}", span = 0 }')
    edit(copied, "panels-2022-23.toml", 'id = "remedy"', 'id = "upheld"')
    assert check_scheme(copied) == [
        "layouts/appendix-2018-19.toml: sections[4].rows[1][1].span: must be 1 or more",
        "layouts/overview-2024-25.toml: sections[0].kind: unknown section kind 'chart'; one of heading, table, "
        "panel, overview",
        "layouts/overview-2024-25.toml: sections[1].colour: unknown key (expected one of: kind, id, heading, rate, "
        "base, no_rate, lines)",
        "layouts/overview-2024-25.toml: sections[1].lines[1].text: unknown placeholder {upheld_rate}; known: "
        + ", ".join(sorted(FIGURES)),
        "layouts/overview-2024-25.toml: sections[1].lines[6].text: {service_areas} is a list: it must be a table "
        "cell on its own",
        "layouts/panels-2019-20.toml: sections[0].lines[2].text: {uphold_rate:upheld decision}: only a count or a "
        "figure per 100,000 takes words, as {figure:noun} or {figure:noun/plural}",
        "layouts/panels-2022-23.toml: sections[2].id: another panel is 'upheld': a panel's id names it in the letter",
    ]
    result = CliRunner().invoke(cli, ["scheme", "check", str(copied)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == "layouts/appendix-2018-19.toml: sections[4].rows[1][1].span: must be 1 " \
                                            "or more"


def test_scheme_check_wants_one_default_layout_for_every_year(copied: Path):
    edit(copied, "panels-2022-23.toml", 'default_from = "2022-23"', 'default_from = "2023-24"')
    edit(copied, "overview-2024-25.toml", 'default_from = "2024-25"',
         'default_from = "2024-25"\ndefault_until = "2025-26"')
    assert check_scheme(copied) == [
        "layouts/overview-2024-25.toml: default_until: the latest layout must have no default_until (it is the "
        "default for every later year)",
        "layouts/panels-2022-23.toml: default_from: must be the year after layouts/panels-2019-20.toml's "
        "default_until (every year has exactly one default layout)",
    ]


def test_the_letters_plain_words_follow_a_table_whose_caption_changed(database, copied: Path):
    """The letter knows a table by the figures it shows, not by its caption (which is the data's to change)."""
    from ombuds.letters import present

    edit(copied, "appendix-2018-19.toml", 'caption = "Decisions made"', 'caption = "What we decided"')
    chosen = layouts.layout(layouts.APPENDIX_2018, load_scheme(copied))
    y = Year.parse("2018-19")
    s = authority_statistics(database, LGSCO, y, registry().resolve("Dacorum", on=y.end))
    decisions = present.sections(chosen.sections(s), chosen, s, "Dacorum Borough Council")[2]
    assert decisions["caption"] == "What we decided"
    assert decisions["plain"] == ["We did not make any decisions about Dacorum Borough Council this year."]


def test_scheme_check_names_each_problem_in_a_measures_schemes_report_layout(tmp_path: Path):
    """A generic scheme's report layout (the Housing Ombudsman's) is checked by `ombuds scheme check` too."""
    folder = tmp_path / "housing"
    shutil.copytree(scheme_folder("housing-ombudsman"), folder, ignore=shutil.ignore_patterns("data"))
    edit(folder, "landlord-report.toml", 'kind = "labels"', 'kind = "pie"')
    edit(folder, "landlord-report.toml", 'caption = "Key figures, {year}"', 'caption = "Key figures, {yeer}"\n'
                                                                            'colour = "red"')
    result = CliRunner().invoke(cli, ["scheme", "check", str(folder)])
    assert result.exit_code == 1
    assert result.output.splitlines() == [
        "layouts/landlord-report.toml: sections[1].colour: unknown key (expected one of: kind, heading, caption, "
        "note, average_heading, columns, measures, measure, chart, set)",
        "layouts/landlord-report.toml: sections[1].caption: unknown placeholder {yeer}; known: "
        "average_determinations, average_findings_total, average_maladministration_findings, "
        "average_maladministration_rate, average_severe_findings, body, body_type, determinations, findings_total, "
        "group, maladministration_findings, maladministration_rate, method, peer_bodies, report_date, "
        "severe_findings, size_band, year",
        "layouts/landlord-report.toml: sections[2].kind: unknown section kind 'pie'; one of figures, labels, "
        "breakdown, comparison",
    ]
