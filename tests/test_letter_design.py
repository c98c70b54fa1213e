"""The letter's design: letterhead, sign-off, panels, tables and plain words, for every layout, for a council with
many cases and one with none, as PDF and HTML. Page images go to tests/artefacts/ (not committed)."""

from __future__ import annotations

import re
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest
from pypdf import PdfReader

from builders import Cases
from conftest import LGSCO, demo, registry, shipped_edition, write_csv
from ombuds.ingest import import_files
from ombuds.letters.batch import letter_jobs, render_letters
from ombuds.letters.editions import load_edition
from ombuds.letters.pdftags import tag_row_headers
from ombuds.letters.present import typeset
from ombuds.profile import load_profile
from ombuds.store import open_database
from ombuds.years import Year

ARTEFACTS = Path(__file__).resolve().parent / "artefacts" / "letters"
LAYOUT_YEARS = ["2017-18", "2018-19", "2019-20", "2022-23", "2024-25"]
MANY, NONE, OTHER = "Birmingham", "Isles of Scilly", "Greater Manchester Combined Authority"
ASSESSED_ONLY = "Stevenage"  # decisions, but none investigated (2018-19 only)
CONTACTS = ["authority", "name", "title", "salutation", "email", "role"]


@pytest.fixture(scope="module")
def design_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("design")
    cases = Cases(folder)
    for year in LAYOUT_YEARS:
        start = Year.parse(year).start.year
        cases.received(MANY, f"{start}-05-02", [40, 12, 30, 55, 61, 48, 120, 25, 9])
        cases.decided(MANY, f"{start}-08-01", [50, 30, 152, 226, 20, 94], satisfactory_remedies=9,
                      remedied_by_ombudsman=70)
        cases.compliance(MANY, f"{start}-10-01", on_time=60, late=5, not_complied=1)
        cases.decided(OTHER, f"{start}-08-01", {"Upheld": 1, "Not Upheld": 1})
    cases.decided(ASSESSED_ONLY, "2018-08-01", {"Closed After Initial Enquiries": 3})
    files = cases.files()
    files.append(write_csv(folder / "contacts.csv", CONTACTS, [
        [name, "Sam O'Neill", "Chief Executive", "Dear Sam O'Neill", "sam@example.org", "chief executive"]
        for name in (MANY, NONE, OTHER, ASSESSED_ONLY)]))
    database = open_database(f"sqlite:///{folder / 'design.db'}")
    import_files(database, files, scheme=LGSCO)
    yield database
    database.close()


def render(database, year: str, authority: str, out: Path, output_format: str, edition=None, **options) -> Path:
    y = Year.parse(year)
    options.setdefault("profile", demo().profile)  # the demo settings' profile unless a test gives its own
    jobs = letter_jobs(database, y, edition or shipped_edition(y), out, output_format,
                       authority=registry().resolve(authority, on=y.end), **options, scheme=LGSCO)
    [written] = render_letters(jobs, workers=1)
    return written.path


def text_of(path: Path) -> str:
    """pdftotext's reading, white space (non-breaking spaces too) folded."""
    out = subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True, check=True)
    return " ".join(out.stdout.split())


def keep_page_images(pdf: Path, name: str) -> list[Path]:
    ARTEFACTS.mkdir(parents=True, exist_ok=True)
    subprocess.run(["pdftoppm", "-r", "80", "-png", str(pdf), str(ARTEFACTS / name)], check=True)
    return sorted(ARTEFACTS.glob(f"{name}-*.png"))


@pytest.fixture(scope="module")
def letters(design_db, tmp_path_factory):
    """Every layout's letter for the busy council and the one with no cases, as PDF and HTML."""
    out = tmp_path_factory.mktemp("design-letters")
    made = {}
    for year in LAYOUT_YEARS:
        for name in (MANY, NONE):
            for output_format in ("pdf", "html"):
                made[year, name, output_format] = render(design_db, year, name, out / year, output_format)
    return made


@pytest.mark.parametrize("year", LAYOUT_YEARS)
@pytest.mark.parametrize("name", [MANY, NONE])
def test_letterhead_sign_off_and_links_in_pdf_and_html(letters, year, name):
    profile = load_profile()
    pdf = letters[year, name, "pdf"]
    images = keep_page_images(pdf, f"{year}-{registry().resolve(name).slug}")
    assert len(images) == len(PdfReader(pdf).pages) >= 2
    text = text_of(pdf)
    assert text.startswith("Example Complaints Ombudsman ")
    assert "Local Government" not in text and "Commission for Local Administration" not in text
    assert f"{profile.web_address}" in text and "PO Box 0000 Exampletown EX1 1AA" in text
    assert "Yours sincerely, Alex Example Ombudsman and Chair, Example Complaints Ombudsman" in text
    assert PdfReader(pdf).metadata.author == "Example Complaints Ombudsman"
    assert re.search(r"Page 1 of \d", text)
    slug = registry().resolve(name).slug
    council_url = f"{profile.base_url}councils/{slug}/{year}/"
    links = [a["/A"]["/URI"] for page in PdfReader(pdf).pages for a in page.get("/Annots", []) or []
             if "/A" in a.get_object() and "/URI" in a["/A"]]
    assert council_url in links and f"{profile.base_url}methods/" in links
    html = letters[year, name, "html"].read_text(encoding="utf-8")
    assert f'<a href="{council_url}">' in html and f'<a href="{profile.base_url}methods/">How to read' in html
    assert 'font-family: "DejaVu Sans"' in html and profile.primary in html
    assert "Page \" counter(page) \" of \" counter(pages)" in html


def test_the_pdf_uses_only_the_shipped_typeface(letters):
    fonts = set()
    for page in PdfReader(letters["2024-25", MANY, "pdf"]).pages:
        for font in page["/Resources"]["/Font"].values():
            fonts.add(re.sub(r"^[A-Z]{6}\+", "", str(font.get_object()["/BaseFont"]).lstrip("/")))
    assert {"DejaVuSans", "DejaVuSans-Bold"} <= fonts <= {"DejaVuSans", "DejaVuSans-Bold", "DejaVuSans-Oblique"}


def test_plain_words_for_a_council_with_no_cases(letters):
    for year in ("2019-20", "2022-23", "2024-25"):
        text = text_of(letters[year, NONE, "pdf"])
        assert "We did not investigate any complaints about the Council of the Isles of Scilly this year." in text
        assert "No compliance outcomes were recorded in this period." in text
        assert "We upheld no complaints, so there was no remedy to count." in text
        assert "of complaints we investigated were upheld" not in text  # no rate on nothing
        assert "of investigated complaints upheld" not in text and "of recommendations complied with" not in text
        assert "0%" not in text and "This compares to an average" not in text
        assert ("Complaints upheld We did not investigate any complaints about the Council of the Isles of Scilly "
                "this year. There is no average to compare with") in text
        assert "investigated 0 complaints and upheld 0" not in text
        assert "about the Council of the Isles of Scilly in the year ended" in text
    text = text_of(letters["2024-25", NONE, "pdf"])
    assert "There is no average to compare with: no similar authority had a case to count for this measure." in text
    assert "Adjusted for the Council of the Isles of Scilly\u2019s population" in text
    assert "From 1 April 2024 to 31 March 2025, we did not deal with any complaints." in text
    assert "we dealt with 0" not in text and "We investigated 0" not in text
    busy = text_of(letters["2024-25", MANY, "pdf"])
    assert "We investigated 114 complaints and upheld 94." in busy
    assert "No compliance outcomes" not in busy and "did not investigate" not in busy


PLAIN_2018_TABLES = [
    "We did not receive any complaints or enquiries about the Council of the Isles of Scilly this year.",
    "We did not make any decisions about the Council of the Isles of Scilly this year.",
    "We upheld no complaints, so there was no remedy to count.",
]


@pytest.mark.parametrize("year", ["2017-18", "2018-19"])
def test_plain_words_beside_tables_of_zeros(letters, year):
    pdf, html = text_of(letters[year, NONE, "pdf"]), letters[year, NONE, "html"].read_text(encoding="utf-8")
    compliance = "No compliance outcomes were recorded in this period."
    for sentence in [*PLAIN_2018_TABLES, *([compliance] if year == "2018-19" else [])]:
        assert sentence in pdf
        assert f'<p class="plain">{sentence}</p>' in html
    assert (compliance in pdf) == (year == "2018-19")
    rate = {"2017-18": '<td data-label="Uphold rate">0%</td>', "2018-19": '<td data-label="Uphold rate (%)">0</td>'}
    assert rate[year] in html and '<td data-label="Total">0</td>' in html  # the SPEC's figures stay
    busy = text_of(letters[year, MANY, "pdf"])
    assert not any(s in busy for s in [*PLAIN_2018_TABLES, compliance, "did not", "no remedy"])


def test_decisions_without_an_investigation_are_said_plainly(design_db, tmp_path):
    text = text_of(render(design_db, "2018-19", ASSESSED_ONLY, tmp_path, "pdf"))
    assert ("We did not investigate any complaints about Stevenage Borough Council this year, so there is no "
            "uphold rate to give.") in text
    assert "We did not make any decisions" not in text
    assert "We did not receive any complaints or enquiries about Stevenage Borough Council this year." in text


def test_no_average_is_said_plainly_for_other_bodies(design_db, tmp_path):
    text = text_of(render(design_db, "2022-23", OTHER, tmp_path, "pdf"))
    assert "This compares to an average of n/a in similar authorities." in text
    assert ("There is no average to compare with: bodies of this kind are not grouped with similar authorities."
            in text)
    assert "about the Greater Manchester Combined Authority in the year ended" in text
    assert "Compare it with the average" not in text and "The average for similar bodies" not in text
    assert "this year's rate should not be compared with earlier years." in text.replace("\u2019", "'")
    busy = text_of(render(design_db, "2022-23", MANY, tmp_path, "pdf"))
    assert "Compare it with the average for metropolitan boroughs instead." in busy


def test_no_average_is_said_plainly_for_an_abolished_council(tmp_path):
    folder = tmp_path / "cases"
    folder.mkdir()
    cases = Cases(folder)
    cases.decided("Allerdale", "2023-06-12", {"Upheld": 1})
    files = [*cases.files(), write_csv(folder / "contacts.csv", CONTACTS, [
        ["Allerdale", "Pat Example", "Chief Executive", "Dear Pat Example", "", ""]])]
    database = open_database(f"sqlite:///{tmp_path / 'abolished.db'}")
    try:
        import_files(database, files, scheme=LGSCO)
        text = text_of(render(database, "2023-24", "Allerdale", tmp_path, "pdf", include_abolished=True))
    finally:
        database.close()
    assert "There is no average to compare with: the council has been abolished." in text


def test_tables_have_no_empty_header_cells_and_mark_row_headers(letters):
    html = letters["2018-19", MANY, "html"].read_text(encoding="utf-8")
    headers = re.findall(r"<th[^>]*>(.*?)</th>", html)
    assert headers and all(h.strip() for h in headers)
    assert '<th scope="colgroup" colspan="4">Decided without a detailed investigation</th>' in html
    assert '<th scope="colgroup" colspan="3">Detailed investigations</th>' in html
    assert '<th scope="col" rowspan="2">Total</th>' in html
    assert '<th scope="row">Number</th>' in html and '<th scope="row">Compliance rate**</th>' in html
    assert '<td data-label="Upheld">94</td>' in html
    for name in (MANY, NONE):
        cells = structure_cells(letters["2018-19", name, "pdf"])
        headers = [c for c in cells if c.kind == "TH"]
        assert len(headers) == 10 + 3 + 7 + 2 + 5 + 2 and all(c.text for c in headers)
        assert [c.text for c in headers if c.scope == "Row"] == ["Number", "Compliance rate**"]
        assert all(c.scope == "Column" for c in headers if c.text not in ("Number", "Compliance rate**"))
        assert not any(c.text in ("Number", "Compliance rate**") for c in cells if c.kind == "TD")
    pdf_2017 = structure_cells(letters["2017-18", MANY, "pdf"])
    assert pdf_2017 and not [c for c in pdf_2017 if c.scope == "Row"]  # its tables have no row labels
    assert [c.text for c in pdf_2017 if c.kind == "TD"][:3] == ["40", "12", "30"]


@dataclass
class Cell:
    kind: str
    scope: str | None = None
    text: str = ""


def structure_cells(pdf: Path) -> list[Cell]:
    """Every TH and TD of the PDF's structure tree, with its Scope and its text, as poppler reads them."""
    out = subprocess.run(["pdfinfo", "-struct-text", str(pdf)], capture_output=True, text=True, check=True)
    cells: list[Cell] = []
    depth = None
    for line in out.stdout.splitlines():
        indent = len(line) - len(line.lstrip())
        word = line.strip()
        if kind := re.fullmatch(r"(TH|TD)(?: <[^>]*>)?:?", word):
            cells.append(Cell(kind[1]))
            depth = indent
        elif depth is not None and indent > depth:
            if word.startswith("/Scope /"):
                cells[-1].scope = word.removeprefix("/Scope /")
            elif word.startswith('"'):
                cells[-1].text += word.strip('"')
        else:
            depth = None
    return cells


def test_typography_in_letters(letters):
    html = letters["2024-25", MANY, "html"].read_text(encoding="utf-8")
    assert "16\u00a0July\u00a02025" in html
    assert "Birmingham City Council\u2019s population" in html
    assert typeset("We investigated 114 complaints and it's 1 April 2024") == (
        "We investigated 114\u00a0complaints and it\u2019s 1\u00a0April\u00a02024")


def test_signature_image_above_the_name(design_db, tmp_path):
    edition_text = Path(shipped_edition(Year(2019)).source).read_text(encoding="utf-8")
    (tmp_path / "signature.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><path d="M5 30 C30 0 60 40 115 10" '
        'stroke="#0b0c0c" fill="none" stroke-width="2"/></svg>', encoding="utf-8")
    edited = tmp_path / "edition.toml"
    edited.write_text(edition_text.replace('name = "Alex Example"', 'name = "Alex Example"\nsignature = '
                                           '"signature.svg"'), encoding="utf-8")
    edition = load_edition(edited, LGSCO)
    html = render(design_db, "2019-20", MANY, tmp_path / "h", "html", edition).read_text(encoding="utf-8")
    assert re.search(r'<img class="signature" src="data:image/svg\+xml;base64,[A-Za-z0-9+/=]+" '
                     r'alt="Signature of Alex Example"', html)
    pdf = render(design_db, "2019-20", MANY, tmp_path / "p", "pdf", edition)
    keep_page_images(pdf, "signed-2019-20")
    assert "Yours sincerely, Alex Example" in text_of(pdf)
    (tmp_path / "bad.toml").write_text(edition_text.replace('name = "Alex Example"',
                                                            'name = "Alex Example"\nsignature = "nope.gif"'))
    with pytest.raises(Exception, match=r"bad\.toml: signatory\.signature: .*nope\.gif is not an SVG or PNG file"):
        load_edition(tmp_path / "bad.toml", LGSCO)


def test_page_images_are_kept(letters):
    assert list(ARTEFACTS.glob("2024-25-birmingham-city-council-*.png"))


def test_letters_take_their_identity_from_the_profile(design_db, tmp_path):
    (tmp_path / "logo.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">'
                                       '<rect width="10" height="10" fill="#6a1b4d"/></svg>', encoding="utf-8")
    (tmp_path / "profile.toml").write_text(
        'name = "Another Ombudsman"\nshort_name = "Another"\nsite_title = "Council figures"\n'
        'base_url = "https://figures.example.net"\nweb_address = "www.another.example.net"\n'
        'postal_address = ["1 High Street", "Othertown"]\nlogo = "logo.svg"\n'
        '[colours]\nprimary = "#6a1b4d"\naccent = "#00703c"\ntext_on_primary = "#ffffff"\n', encoding="utf-8")
    ombuds = str(Path(sys.executable).parent / "ombuds")
    done = subprocess.run([ombuds, "--db", str(design_db.engine.url), "letters", "--year", "2019-20", "--authority",
                           MANY, "--format", "html", "--out", str(tmp_path / "out"), "--profile",
                           str(tmp_path / "profile.toml")], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "out" / "birmingham-city-council-2019-20.html").read_text(encoding="utf-8")
    assert "#6a1b4d" in html and "1 High Street<br>Othertown<br>" in html
    assert '<a href="https://figures.example.net/councils/birmingham-city-council/2019-20/">' in html
    assert '<img src="data:image/svg+xml;base64,' in html
    bad = subprocess.run([ombuds, "--db", str(design_db.engine.url), "letters", "--year", "2019-20", "--out",
                          str(tmp_path / "bad"), "--profile", str(tmp_path / "missing.toml")],
                         capture_output=True, text=True)
    assert bad.returncode != 0 and "missing.toml: cannot read the profile" in bad.stderr
    assert "Traceback" not in bad.stderr


def test_retagged_pdf_keeps_every_cross_reference_exact(letters):
    data = letters["2018-19", MANY, "pdf"].read_bytes()
    assert data.count(b"/S/TH/P") == 29 and b"/S/TD/P" in data
    xref = int(data[data.rfind(b"startxref") + len(b"startxref"):].split()[0])
    assert data.startswith(b"xref\n0 ", xref)
    entries = re.findall(rb"(\d{10}) 00000 n", data[xref:])
    assert entries and all(data.startswith(b"%d 0 obj" % number, int(offset))
                           for number, offset in enumerate(entries, start=1))
    assert tag_row_headers(letters["2017-18", MANY, "pdf"].read_bytes()) == letters["2017-18", MANY, "pdf"].read_bytes()


@pytest.mark.parametrize("year", LAYOUT_YEARS)
@pytest.mark.parametrize("name", [MANY, NONE])
def test_every_layouts_pdf_tags_its_row_labels_as_row_headers(letters, year, name):
    cells = structure_cells(letters[year, name, "pdf"])
    row_labels = {"2018-19": ["Number", "Compliance rate**"],
                  "2024-25": ["Complaints dealt with", "Not for us", "Assessed and closed", "Investigated"]}
    assert all(c.text for c in cells if c.kind == "TH")
    assert [c.text for c in cells if c.scope == "Row"] == row_labels.get(year, [])
    assert all(c.kind == "TH" for c in cells if c.scope == "Row")
    html = letters[year, name, "html"].read_text(encoding="utf-8")
    assert re.findall(r'<th scope="row">(.*?)</th>', html) == row_labels.get(year, [])
