"""Annual review letters: every edition renders, the PDF says exactly what the statistics say, tagged, attached,
reproducible, and data text is always literal."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from builders import Cases
from conftest import LGSCO, demo, registry, shipped_edition, write_csv
from ombuds.ingest import import_files
from ombuds.letters.batch import letter_jobs, render_letters
from ombuds.letters.content import MissingContact
from ombuds.letters.editions import PLACEHOLDERS, EditionError, load_edition
from ombuds.letters.render import Renderer
from ombuds.stats import authority_statistics
from ombuds.stats.layouts import layout
from ombuds.store import open_database
from ombuds.store.scheme import holds_synthetic, mark_synthetic
from ombuds.years import Year

HOSTILE = 'Zoë <script>alert("x")</script> #set text(red) *bold* ] $x$ \\ [link](#) & ü'
CONTACTS = ["authority", "name", "title", "salutation", "email", "role"]
YEARS = ["2017-18", "2018-19", "2019-20", "2020-21", "2021-22", "2022-23", "2023-24", "2024-25"]


@pytest.fixture(scope="module")
def letters_db(tmp_path_factory):
    folder = tmp_path_factory.mktemp("letters")
    cases = Cases(folder)
    cases.received("Stevenage", "2018-06-01", [1, 0, 1, 0, 2, 0, 4, 1, 1])  # seed 000
    cases.decided("Stevenage", "2018-09-03", [2, 1, 3, 6, 0, 0])
    cases.received("Bromsgrove", "2017-05-02", [0, 2, 0, 0, 1, 0, 0, 8, 0])  # seed 003
    cases.decided("Bromsgrove", "2017-11-20", [1, 0, 2, 6, 1, 1], remedied_by_ombudsman=1)
    cases.decided("Wellingborough", "2019-10-01", {"Upheld": 2})  # seed 002
    cases.compliance("Wellingborough", "2019-12-01", on_time=1)
    cases.decided("Allerdale", "2023-06-12", {"Upheld": 1})  # abolished: n/a averages
    cases.compliance("Allerdale", "2023-09-01", on_time=1)
    cases.decided("Birmingham", "2024-08-01", [50, 30, 152, 226, 20, 94])
    for year in YEARS:  # Hertsmere: 2 of 16 upheld every year (12.5% → 13%)
        start = Year.parse(year).start
        cases.decided("Hertsmere", f"{start.year}-06-01", {"Not Upheld": 14, "Upheld": 2}, satisfactory_remedies=1)
        cases.compliance("Hertsmere", f"{start.year}-09-01", on_time=2, late=1)
    files = cases.files()
    files.append(write_csv(folder / "contacts.csv", CONTACTS, [
        [name, "Pat Example", "Chief Executive", "Dear Pat Example", "pat@example.org", "chief executive"]
        for name in ("Stevenage", "Bromsgrove", "Wellingborough", "Allerdale", "Birmingham", "Dacorum")
    ] + [["Hertsmere", HOSTILE, "Interim Managing Director", "Dear " + HOSTILE, "", ""]]))
    database = open_database(f"sqlite:///{folder / 'letters.db'}")
    import_files(database, files, scheme=LGSCO)
    yield database
    database.close()


def pdf_text(path: Path) -> str:
    """The letter as pdftotext reads it, white space folded and typographic apostrophes read as ' (as `ombuds
    parse` reads them; the typography itself is checked in test_letter_design.py)."""
    text = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout
    return " ".join(text.replace("\u2019", "'").split())


def render(database, year: str, authority: str, out: Path, output_format: str = "pdf", **options) -> Path:
    y = Year.parse(year)
    edition = options.pop("edition", None) or shipped_edition(y)
    jobs = letter_jobs(database, y, edition, out, output_format, authority=registry().resolve(authority, on=y.end),
                       profile=demo().profile, **options, scheme=LGSCO)
    [written] = render_letters(jobs, workers=1)
    return written.path


def expected_texts(database, year: str, authority: str) -> list[str]:
    """Every line and cell of the statistics as stats.layouts formats them."""
    y = Year.parse(year)
    s = authority_statistics(database, LGSCO, y, registry().resolve(authority, on=y.end))
    texts = []
    for section in layout(shipped_edition(y).layout, LGSCO).sections(s):
        texts += section.get("lines", [])
        texts += [line["text"] for line in section.get("lines", []) if isinstance(line, dict)
                  and not (line["role"] == "lead" and s.investigated == 0)  # said with the council's name instead
                  and line["role"] not in left_out(section, s)]
        texts += section.get("sentences", [])
        texts += [c["text"] for row in section.get("rows", []) for c in row if c["text"]]
    return [t for t in texts if isinstance(t, str)]


def left_out(section: dict, s) -> set[str]:
    """What a letter's panel does not show: a headline rate on no cases, the compliance advice at 100%."""
    if section["kind"] != "panel":
        return set()
    base = {"upheld": s.investigated, "compliance": s.compliance.recorded, "remedy": s.upheld}[section["id"]]
    return ({"headline", "comparison"} if base == 0 else set()) | (
        {"note"} if section["id"] == "compliance" and s.compliance_rate in (None, 1.0) else set())


@pytest.mark.parametrize(("year", "authority"), [
    ("2017-18", "Bromsgrove"), ("2018-19", "Stevenage"), ("2019-20", "Wellingborough"), ("2023-24", "Allerdale"),
    ("2024-25", "Birmingham"), *((year, name) for year in YEARS for name in ("Hertsmere", "Dacorum")),
])
def test_pdf_text_holds_exactly_the_formatted_statistics(letters_db, tmp_path, year, authority):
    text = pdf_text(render(letters_db, year, authority, tmp_path, include_abolished=True))
    for expected in expected_texts(letters_db, year, authority):
        assert expected in text, expected


def test_the_seed_figures_as_the_letters_show_them(letters_db, tmp_path):
    stevenage = pdf_text(render(letters_db, "2018-19", "Stevenage", tmp_path))
    assert "Local Authority Report: Stevenage Borough Council For the Period Ending: 31/03/2019" in stevenage
    assert "1 0 1 0 2 0 4 1 1 10" in stevenage  # received, nine areas and the total
    assert "2 1 3 6 0 0 0 12" in stevenage  # decisions, uphold rate 0 with nothing investigated, total
    assert "Compliance rate** -" in stevenage
    bromsgrove = pdf_text(render(letters_db, "2017-18", "Bromsgrove", tmp_path))
    assert "0 2 0 0 1 0 0 8 0 11" in bromsgrove and "1 0 2 6 1 1 50% 11" in bromsgrove
    wellingborough = pdf_text(render(letters_db, "2019-20", "Wellingborough", tmp_path))
    for phrase in ("100% of complaints we investigated were upheld.", "2 upheld decisions",
                   "based on a total of 2 detailed investigations for the period from 1 April 2019 to 31 March "
                   "2020", "based on a total of 1 compliance outcome for", "0 satisfactory remedy decisions"):
        assert phrase in wellingborough
    allerdale = pdf_text(render(letters_db, "2023-24", "Allerdale", tmp_path, include_abolished=True))
    assert "This compares to an average of n/a in similar authorities." in allerdale
    assert "1 upheld decision " in allerdale
    hertsmere = pdf_text(render(letters_db, "2021-22", "Hertsmere", tmp_path))
    assert "13% of complaints we investigated were upheld." in hertsmere
    birmingham = pdf_text(render(letters_db, "2024-25", "Birmingham", tmp_path))
    assert ("From 1 April 2024 to 31 March 2025, we dealt with 572 complaints. Of these, 232 were not for us or "
            "not ready for us to investigate. We assessed and closed 226 complaints. We investigated 114 complaints."
            ) in birmingham
    assert "Adjusted for Birmingham City Council's population, this is 8.2 upheld decisions per 100,000" in birmingham


def test_pdf_is_tagged_titled_in_english_and_carries_its_statistics(letters_db, tmp_path):
    path = render(letters_db, "2019-20", "Wellingborough", tmp_path)
    reader = PdfReader(path)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert bool(root["/MarkInfo"]["/Marked"]) is True
    assert reader.metadata.title == "Annual Review letter 2020: Wellingborough Borough Council"
    [attached] = reader.attachments["statistics.json"]
    s = authority_statistics(letters_db, LGSCO, Year.parse("2019-20"), registry().get("E07000156"))
    assert json.loads(attached) == s.to_json()


def test_embedded_json_equals_ombuds_stats(letters_db, tmp_path):
    path = render(letters_db, "2024-25", "Birmingham", tmp_path)
    [attached] = PdfReader(path).attachments["statistics.json"]
    url = str(letters_db.engine.url)
    command = [str(Path(sys.executable).parent / "ombuds"), "--db", url, "stats", "--year", "2024-25",
               "--authority", "E08000025"]
    stats = subprocess.run(command, capture_output=True, text=True, check=True)
    assert json.loads(attached) == json.loads(stats.stdout)[0]


def test_same_input_same_bytes(letters_db, tmp_path):
    first = render(letters_db, "2022-23", "Hertsmere", tmp_path / "a").read_bytes()
    second = render(letters_db, "2022-23", "Hertsmere", tmp_path / "b").read_bytes()
    assert hashlib.sha256(first).digest() == hashlib.sha256(second).digest()
    html = [render(letters_db, "2022-23", "Hertsmere", tmp_path / d, "html").read_bytes() for d in ("c", "d")]
    assert html[0] == html[1]


def _hostile_edition(tmp_path: Path) -> Path:
    (tmp_path / "extra.toml").write_text(f'"Hertsmere" = {json.dumps(HOSTILE)}\n', encoding="utf-8")
    edition = Path(shipped_edition(Year(2022)).source).read_text(encoding="utf-8")
    path = tmp_path / "edition.toml"
    path.write_text(edition.replace('layout = "', 'authority_paragraphs = "extra.toml"\nlayout = "'),
                    encoding="utf-8")
    return path


def test_hostile_text_renders_literally_in_pdf_and_html(letters_db, tmp_path):
    edition = load_edition(_hostile_edition(tmp_path), LGSCO)
    pdf = pdf_text(render(letters_db, "2022-23", "Hertsmere", tmp_path, edition=edition))
    literal = " ".join(HOSTILE.split())
    assert f"{literal} Interim Managing Director Hertsmere Borough Council Dear {literal}" in pdf
    assert 'Zoë <script>alert("x")</script> #set text(red) bold ] $x$ \\ link & ü' in pdf  # Markdown in paragraph
    html = render(letters_db, "2022-23", "Hertsmere", tmp_path, "html", edition=edition).read_text(encoding="utf-8")
    assert "<script>alert" not in html
    escaped = "Zoë &lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt; #set text(red) *bold* ] $x$ \\ [link](#) &amp; ü"
    assert escaped in html
    assert "<em>bold</em>" in html  # the paragraph is Markdown; names in contacts are not
    assert re.search(r'<script type="application/json" id="statistics">[^<]*</script>', html)


def test_missing_contact_is_an_error_naming_the_authority_unless_allowed(letters_db, tmp_path):
    with pytest.raises(MissingContact, match=r"^no chief executive contact for 1 authority: Watford Borough Council "
                       r"\(E07000103\)\. Add them with a contacts file .* or pass --allow-missing-contacts; no letter "
                       r"was written$"):
        render(letters_db, "2021-22", "Watford", tmp_path)
    text = pdf_text(render(letters_db, "2021-22", "Watford", tmp_path, allow_missing_contacts=True))
    assert "The Chief Executive Watford Borough Council Dear Chief Executive" in text


def test_every_edition_renders_both_formats(letters_db, tmp_path):
    renderer = Renderer()
    for year in YEARS:
        jobs = letter_jobs(letters_db, Year.parse(year), shipped_edition(Year.parse(year)), tmp_path, "pdf",
                           authority=registry().resolve("Hertsmere"), profile=demo().profile, scheme=LGSCO)
        assert renderer.pdf(jobs[0].content, jobs[0].created).startswith(b"%PDF-")
        assert renderer.html(jobs[0].content).startswith(b"<!DOCTYPE html>")


def test_tables_measured_once_are_the_bytes_of_tables_measured_in_each_letter(letters_db, tmp_path, monkeypatch):
    """The renderer measures a set of tables' column widths once and gives them to each letter with those tables;
    every edition's letters are the bytes the template gives measuring its tables itself."""
    from ombuds.glyphs import measure
    from ombuds.letters import render as letters_render

    measured = []
    monkeypatch.setattr(letters_render, "measure", lambda *args: measured.append(args) or measure(*args))
    renderer = Renderer()
    for year in YEARS:
        jobs = letter_jobs(letters_db, Year.parse(year), shipped_edition(Year.parse(year)), tmp_path, "pdf",
                           profile=demo().profile, scheme=LGSCO, allow_missing_contacts=True)
        tables = {json.dumps([[s["columns"], s["row_labels"]] for s in job.content["statistics"]
                              if s["kind"] == "table"]) for job in jobs}
        before = len(measured)
        for job in jobs:
            shown = {key: value for key, value in job.content.items() if key != "statistics_json"}
            in_place = renderer.compile_pdf(letters_render.typst_source("letter.typ"), {
                "letter.json": json.dumps(shown), "statistics.json": json.dumps(job.content["statistics_json"],
                                                                                indent=2)}, job.created,
                (shown["letterhead"]["logo"], shown["signature"]))
            assert renderer.pdf(job.content, job.created) == in_place, (year, job.authority.name)
        assert len(jobs) > len(tables) and len(measured) - before <= len(tables), year


def test_edition_problems_name_the_file_key_and_problem(tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text('year = "2019-20"\nletter_date = "22/07/2020"\npublication_date = 2020-07-29\n'
                   'title = "T"\nlayout = "tables"\norganisation = "O"\ncolour = "red"\n'
                   '[signatory]\nname = "N"\ntitles = ["A"]\n'
                   '[[section]]\nparagraphs = ["Hello {authority} and {mayor}"]\n', encoding="utf-8")
    with pytest.raises(EditionError) as error:
        load_edition(bad, LGSCO)
    assert str(error.value).splitlines() == [
        f"{bad}: layout: unknown layout 'tables'; one of appendix-2017-18, appendix-2018-19, panels-2019-20, "
        "panels-2022-23, overview-2024-25",
        f"{bad}: section[1].paragraphs: unknown placeholder {{mayor}}; known: " + ", ".join(sorted(PLACEHOLDERS)),
        f"{bad}: letter_date: not a date: '22/07/2020' (write 2020-07-22)",
        f"{bad}: colour: unknown key",
    ]


def test_a_batch_writes_only_to_bodies_that_exist_on_the_letters_date(letters_db, tmp_path):
    """Allerdale was abolished on 1 April 2023: the 2023-24 batch (letter of 17 July 2024) lists it and writes it
    no letter unless --include-abolished; asked for by name, it is refused with the way out."""
    from click.testing import CliRunner

    from ombuds.cli import cli

    def letters(*options: str):
        return CliRunner().invoke(cli, ["--db", str(letters_db.engine.url), "letters", "--year", "2023-24",
                                        "--allow-missing-contacts", "--format", "html", *options])

    done = letters("--out", str(tmp_path / "batch"))
    assert done.exit_code == 0, done.output
    written = {p.name for p in (tmp_path / "batch").glob("*.html")}
    assert "allerdale-borough-council-2023-24.html" not in written
    assert {"hertsmere-borough-council-2023-24.html", "cumberland-council-2023-24.html"} <= written
    assert ("no letter: Allerdale Borough Council (E07000026) was abolished on 1 April 2023, before the letter's "
            "date, 17 July 2024; succeeded by Cumberland Council") in done.stderr
    refused = letters("--out", str(tmp_path / "one"), "--authority", "Allerdale")
    assert refused.exit_code == 1
    assert refused.stderr.strip().endswith("succeeded by Cumberland Council: pass --include-abolished to write it")
    included = letters("--out", str(tmp_path / "all"), "--include-abolished")
    assert included.exit_code == 0 and "no letter" not in included.stderr
    assert (tmp_path / "all" / "allerdale-borough-council-2023-24.html").exists()


def test_no_change_is_said_and_the_compliance_advice_is_not_given_at_100(letters_db, tmp_path):
    """Hertsmere's uphold rate is 13% every year: 'did not change'. Wellingborough complied in every case: no
    advice about a compliance rate below 100%."""
    hertsmere = pdf_text(render(letters_db, "2021-22", "Hertsmere", tmp_path))
    wellingborough = pdf_text(render(letters_db, "2019-20", "Wellingborough", tmp_path))
    assert "100% of cases we were satisfied" in wellingborough
    assert "compliance rate below 100%" not in wellingborough
    assert "This rate rests on 2 cases: a rate based on few cases can vary a lot by chance." in wellingborough
    assert "rests on" not in hertsmere.split("Complaints upheld")[1].split("Compliance with")[0]  # 16 cases


def test_synthetic_letters_say_so(tmp_path):
    """A database the demo marked as holding synthetic data (`mark_synthetic`) gives letters that say so; one never
    marked does not. The mark stays after an import of other data: imports never delete the demo's cases, so the
    figures still count them."""
    cases = Cases(tmp_path, "Z")
    cases.decided("Hertsmere", "2022-06-01", {"Not Upheld": 14, "Upheld": 2})
    database = open_database(f"sqlite:///{tmp_path / 'synthetic.db'}")
    import_files(database, cases.files(), scheme=LGSCO)
    assert "Synthetic" not in pdf_text(render(database, "2022-23", "Hertsmere", tmp_path / "real",
                                              allow_missing_contacts=True))
    mark_synthetic(database, LGSCO.id)
    (tmp_path / "more").mkdir()
    more = Cases(tmp_path / "more", "Y")
    more.decided("Hertsmere", "2022-07-01", {"Upheld": 1})
    import_files(database, more.files(), scheme=LGSCO)
    assert holds_synthetic(database)
    [html, pdf] = [render(database, "2022-23", "Hertsmere", tmp_path, f, allow_missing_contacts=True)
                   for f in ("html", "pdf")]
    notice = ("Synthetic demonstration letter: the figures come from ombuds' invented demo data and describe no real "
              "council's complaints; the sender and signatory are invented too.")
    escaped = notice.replace("'", "&#39;")
    assert f'<p class="notice"><strong>{escaped}</strong></p>' in html.read_text(encoding="utf-8")
    assert f" www.example.org {notice} " in pdf_text(pdf)  # under the letterhead, before the date
    database.close()
