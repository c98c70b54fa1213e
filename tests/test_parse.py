"""Reading published letters and statistics pages back into data: every seed, every example, the quirks."""

from __future__ import annotations

import json

import pytest
import typst

from builders import OUTCOMES, SERVICE_AREAS
from conftest import shared_folder
from ombuds.parse import parse_document, parse_files
from ombuds.parse.documents import empty_figures, parse_text

SHARED = shared_folder()
SEEDS = SHARED / "seeds"
EXAMPLES = SHARED / "examples"


def figures(document: dict) -> dict:
    return {k: v for k, v in document.items() if k not in ("source", "edition", "letter")}


def expected(**changes) -> dict:
    result = empty_figures()
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(result.get(key), dict):
            result[key] = {**result[key], **value}
        else:
            result[key] = value
    return result


def test_seed_000_stevenage_2018_19_tables():
    d = parse_document(SEEDS / "000_6c9469a8adbda29b.txt")
    assert d["edition"] == "appendix-2018-19"
    assert d["letter"] == {"date": "2019-07-24", "recipient": "Scott Crudgington, Chief Executive, Stevenage "
                           "Borough Council", "salutation": "Dear Mr Crudgington", "signatory": "Michael King"}
    assert figures(d) == expected(
        authority={"code": "E07000243", "name": "Stevenage Borough Council", "type": "District"}, year="2018-19",
        received={**dict(zip(SERVICE_AREAS, [1, 0, 1, 0, 2, 0, 4, 1, 1], strict=True)), "total": 10},
        decided={**dict(zip(OUTCOMES, [2, 1, 3, 6, 0, 0], strict=True)), "total": 12},
        investigated=0, upheld=0, uphold_rate=0.0, satisfactory_remedies=0, satisfactory_remedy_rate=0.0,
        compliance={"recorded": 0, "on_time": 0, "late": 0, "not_complied": 0}, compliance_rate=None)


def test_seed_003_bromsgrove_2017_18_recovers_the_lost_header_and_scrambled_remedies():
    d = parse_document(SEEDS / "003_dfb11c1c61bff921.txt")
    assert d["edition"] == "appendix-2017-18"
    assert d["letter"] == {"date": "2018-07-18", "recipient": "Kevin Dicks Chief Executive Bromsgrove District "
                           "Council", "salutation": "Dear Kevin Dicks", "signatory": "Michael King"}
    assert figures(d) == expected(
        authority={"code": "E07000234", "name": "Bromsgrove District Council", "type": "District"}, year="2017-18",
        received={**dict(zip(SERVICE_AREAS, [0, 2, 0, 0, 1, 0, 0, 8, 0], strict=True)), "total": 11},
        decided={**dict(zip(OUTCOMES, [1, 0, 2, 6, 1, 1], strict=True)), "total": 11},
        investigated=2, upheld=1, uphold_rate=0.5, remedied_by_ombudsman=1, satisfactory_remedies=0)


def test_seed_002_wellingborough_2019_20_panels():
    d = parse_document(SEEDS / "002_eb19f74a81183c1a.txt")
    assert d["edition"] == "panels-2019-20"
    assert d["letter"] == {"date": "2020-07-22", "recipient": "Ms Elliott, Managing Director, Wellingborough "
                           "Borough Council", "salutation": "Dear Ms Elliott", "signatory": "Michael King"}
    assert figures(d) == expected(
        authority={"code": "E07000156", "name": "Wellingborough Borough Council", "type": "District"},
        year="2019-20", decided={"Upheld": 2}, investigated=2, upheld=2, uphold_rate=1.0, satisfactory_remedies=0,
        satisfactory_remedy_rate=0.0, compliance={"recorded": 1}, compliance_rate=1.0,
        average={"uphold_rate": 0.45, "compliance_rate": 0.99, "satisfactory_remedy_rate": 0.2})


@pytest.mark.parametrize(("seed", "code", "recipient", "salutation"), [
    ("001_ee34b6bcb96eeca6.txt", "E07000197", "Mr Clegg Chief Executive Stafford Borough Council", "Dear Mr Clegg"),
    ("004_58b91b53c5fbc2ce.txt", "E07000098", "Mrs Bijle Interim Managing Director Hertsmere Borough Council",
     "Dear Mrs Bijle"),
])
def test_seeds_001_and_004_lost_their_statistics_so_only_the_letter_is_read(seed, code, recipient, salutation):
    d = parse_document(SEEDS / seed)
    assert (d["edition"], d["authority"]["code"], d["year"]) == (None, code, "2019-20")
    assert d["letter"] == {"date": "2020-07-22", "recipient": recipient, "salutation": salutation,
                           "signatory": "Michael King"}
    assert {k: v for k, v in figures(d).items() if k not in ("authority", "year")} == {
        k: v for k, v in empty_figures().items() if k not in ("authority", "year")}


def test_example_kent_2022_23():
    d = parse_document(EXAMPLES / "kent-county-council_2022-23_statspage.txt")
    assert (d["edition"], d["letter"]) == ("panels-2022-23", None)
    assert figures(d) == expected(
        authority={"code": "E10000016", "name": "Kent County Council", "type": "County"}, year="2022-23",
        decided={"Upheld": 53}, investigated=61, upheld=53, uphold_rate=0.87, satisfactory_remedies=4,
        satisfactory_remedy_rate=0.08, compliance={"recorded": 51}, compliance_rate=1.0, upheld_per_100k=3.4,
        average={"uphold_rate": 0.8, "compliance_rate": 1.0, "satisfactory_remedy_rate": 0.06, "upheld_per_100k": 3.4})


def test_example_allerdale_2023_24_abolished_with_quirks():
    """'1 investigations', '1 compliance outcomes', 'View upheld decisionsStatistics', every average n/a."""
    d = parse_document(EXAMPLES / "allerdale-borough-council_2023-24_statspage.txt")
    assert figures(d) == expected(
        authority={"code": "E07000026", "name": "Allerdale Borough Council", "type": "District"}, year="2023-24",
        decided={"Upheld": 1}, investigated=1, upheld=1, uphold_rate=1.0, satisfactory_remedies=0,
        satisfactory_remedy_rate=0.0, compliance={"recorded": 1}, compliance_rate=1.0)


def test_example_birmingham_2024_25_overview():
    d = parse_document(EXAMPLES / "birmingham-city-council_2024-25_statspage.txt")
    assert d["edition"] == "overview-2024-25"
    assert figures(d) == expected(
        authority={"code": "E08000025", "name": "Birmingham City Council", "type": "Metropolitan"}, year="2024-25",
        decided={"Closed After Initial Enquiries": 226, "Upheld": 94, "total": 572}, investigated=114, upheld=94,
        uphold_rate=0.82, average={"uphold_rate": 0.81},
        overview={"dealt_with": 572, "not_for_us": 232, "assessed_and_closed": 226, "investigated": 114})


def test_quirks_do_not_matter():
    kent = (EXAMPLES / "kent-county-council_2022-23_statspage.txt").read_text(encoding="utf-8")
    messy = (kent.replace("Kent County Council\n", "## **Kent County Council**\n\n\n", 1)
             .replace("3.4 upheld decisions per 100,000 residents\n    .",
                      "3.4% upheld decisions per 100,000 residents.")
             .replace("87% of", "<u>87%</u>\tof").replace("View upheld decisions\n\n", "[View upheld decisions](#)"))
    assert figures(parse_text(messy, "messy")) == figures(parse_text(kent, "clean"))
    assert parse_text(messy, "messy")["upheld_per_100k"] == 3.4


def test_a_pdf_of_the_same_letter_made_by_another_tool(tmp_path):
    """Seed 000's text typeset as a plain PDF (another producer, another layout): the same figures come back."""
    text = (SEEDS / "000_6c9469a8adbda29b.txt").read_text(encoding="utf-8")
    source = (b'#set page(paper: "a4", flipped: true)\n#set text(size: 8pt)\n'
              b'#for line in sys.inputs.text.split("\\n") [#line.replace("\\t", "    ") \\ ]')
    pdf = typst.compile(source, format="pdf", sys_inputs={"text": text})
    path = tmp_path / "stevenage.pdf"
    path.write_bytes(pdf)
    assert figures(parse_document(path)) == figures(parse_document(SEEDS / "000_6c9469a8adbda29b.txt"))


def test_unreadable_documents_are_named_and_the_others_still_parsed(tmp_path):
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7 this is not really a PDF")
    binary = tmp_path / "photo.jpg"
    binary.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00")
    nothing = tmp_path / "notes.txt"
    nothing.write_text("Meeting notes: nothing here about any council.\n", encoding="utf-8")
    nameless = tmp_path / "nameless.txt"
    nameless.write_text("100% of complaints we investigated were upheld.\nfor the period between 1 April 2021 to "
                        "31 March 2022\n", encoding="utf-8")
    undated = tmp_path / "undated.txt"
    undated.write_text("Kent County Council\n87% of complaints we investigated were upheld.\n", encoding="utf-8")
    good = EXAMPLES / "kent-county-council_2022-23_statspage.txt"
    results = parse_files([garbage, binary, nothing, good, nameless, undated, tmp_path / "missing.pdf"])
    assert [d["authority"]["code"] for d in results.documents] == ["E10000016"]
    assert results.failures[0].startswith(f"{garbage}: not a readable PDF")
    assert results.failures[1:] == [
        f"{binary}: neither a PDF nor UTF-8 text",
        f"{nothing}: no statistics found (neither the appendix tables of 2017-18 and 2018-19 nor the panels of "
        "2019-20 on) and no letter (no 'Dear …' line)",
        f"{nameless}: no authority found: no line names a council in the registry",
        f"{undated}: no year found (no period, period-ending date or letter title)",
        f"{tmp_path / 'missing.pdf'}: no such file",
    ]


def test_output_is_json_serialisable_in_the_spec_shape():
    d = parse_document(SEEDS / "002_eb19f74a81183c1a.txt")
    assert list(d)[:17] == ["authority", "year", "received", "decided", "investigated", "upheld", "uphold_rate",
                            "satisfactory_remedies", "satisfactory_remedy_rate", "remedied_by_ombudsman",
                            "compliance", "compliance_rate", "population", "upheld_per_100k", "average",
                            "overview", "source"]
    assert json.loads(json.dumps(d)) == d
