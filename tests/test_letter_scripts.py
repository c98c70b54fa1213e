"""Names in any script a person may have: the letters' fallback fonts show Chinese, emoji, Arabic, Devanagari, Thai,
Bengali, Tamil, Ethiopic, Georgian, Khmer and the scripts in modern use by communities (Syriac, Mongolian, Adlam, N'Ko,
Vai, Ol Chiki, Javanese, Cherokee, Canadian Syllabics, Yi, Tai Le …), and a character no shipped font has is refused
at import, naming the file, line, column and the character's script."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

from click.testing import CliRunner

from builders import Cases
from conftest import write_csv
from ombuds.cli import cli

CONTACTS = ["authority", "name", "title", "salutation", "email", "role"]
NAMES = {"Stevenage": "李小龍", "Dacorum": "Sam 😀 Lee", "Watford": "محمد علي", "Hertsmere": "प्रिया शर्मा",
         "Broxbourne": "অমিত দাস", "Luton": "கார்த்திக் ராஜா", "Harlow": "አበበ ቢቂላ", "Basildon": "ნინო ბერიძე",
         "Ipswich": "សុខ ចាន់", "Kent": "ܐܦܪܝܡ ܣܘܪܝܝܐ", "Leeds": "ᠪᠠᠲᠤ ᠮᠥᠩᠬᠡ", "Cornwall": "𞤀𞤣𞤢𞤥𞤢 𞤄𞤢𞤤𞤣𞤫",
         "Sheffield": "ߒߞߏ ߛߓߍ", "Bristol": "ꕙꔤ ꗏꔻ", "Norfolk": "ᱥᱟᱱᱛᱟᱲᱤ ᱢᱟᱨᱰᱤ", "Suffolk": "ꦱꦸꦏꦂꦤꦺ",
         "Liverpool": "ᏌᏊ ᎠᏍᎦᏯ", "Manchester": "ᓄᓇᕗᑦ ᐃᓄᒃ", "Birmingham": "ꆈꌠ ꁱꂷ", "Oxford": "ᥖᥭᥰ ᥘᥤ"}
TITLES = {"Norwich": "ประธาน"}  # Thai "chair", as a title: the name beside it stays in DejaVu Sans
VISUAL_ORDER = {"Cornwall", "Sheffield"}  # Adlam, N'Ko: right to left, and poppler extracts them as drawn
REORDERED = {"Suffolk"}  # Javanese: a vowel drawn before its consonant, which poppler extracts out of order
FONT = {"Kent": "NotoSansSyriac", "Leeds": "NotoSansMongolian", "Cornwall": "NotoSansAdlam", "Bristol": "NotoSansVai",
        "Norfolk": "NotoSansOlChiki", "Suffolk": "NotoSansJavanese", "Birmingham": "NotoSansYi",
        "Oxford": "NotoSansTaiLe", "Liverpool": "NotoSansCherokee", "Sheffield": "DejaVuSans",
        "Manchester": "DejaVuSans"}  # the font each name is drawn in (pdffonts), beside the text poppler reads back
ARTEFACTS = Path(__file__).parent / "artefacts"


def contacts(folder: Path, names: dict[str, str], titles: dict[str, str]) -> Path:
    return write_csv(folder / "contacts.csv", CONTACTS, [
        [authority, name, titles.get(authority, "Chief Executive"), f"Dear {name}", "ce@example.org",
         "chief executive"] for authority, name in names.items()])


def pdf_fonts(path: Path) -> str:
    return subprocess.run(["pdffonts", str(path)], capture_output=True, text=True, check=True).stdout


def pdf_text(path: Path) -> str:
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], capture_output=True, text=True,
                          check=True).stdout


def test_names_in_any_script_are_in_every_letter_and_the_release(tmp_path):
    cases = Cases(tmp_path)
    for authority in [*NAMES, *TITLES]:
        cases.decided(authority, "2023-06-01", {"Upheld": 1, "Not Upheld": 3})
    url = f"sqlite:///{tmp_path / 'scripts.db'}"
    runner = CliRunner()

    def run(*args):
        return runner.invoke(cli, ["--db", url, *map(str, args)])

    imported = run("import", *cases.files(), contacts(tmp_path, {**NAMES, "Norwich": "Somchai Jaidee"}, TITLES))
    assert imported.exit_code == 0, imported.stderr
    for output_format in ("pdf", "html"):
        written = run("letters", "--year", "2023-24", "--format", output_format, "--out", tmp_path / output_format,
                      "--allow-missing-contacts")
        assert written.exit_code == 0, written.stderr
    for authority, name in NAMES.items():
        [pdf] = (tmp_path / "pdf").glob(f"{authority.lower()}-*.pdf")
        if authority in FONT:
            assert re.search(rf"\+{FONT[authority]}(-Regular)? ", pdf_fonts(pdf))
        if authority not in REORDERED:
            shown = name[::-1] if authority in VISUAL_ORDER else name
            assert pdf_text(pdf).count(shown) == 2  # the recipient block and "Dear …"
        [html] = (tmp_path / "html").glob(f"{authority.lower()}-*.html")
        assert html.read_text().count(f"Dear {name}") == 1
    [norwich] = (tmp_path / "pdf").glob("norwich-*.pdf")
    assert pdf_text(norwich).count("Somchai Jaidee\nประธาน\n") == 1
    ARTEFACTS.mkdir(exist_ok=True)
    for authority, artefact in (("Stevenage", "chinese"), ("Broxbourne", "bengali"), ("Harlow", "ethiopic"),
                                ("Ipswich", "khmer"), ("Norwich", "thai-title"), ("Kent", "syriac"),
                                ("Leeds", "mongolian"), ("Cornwall", "adlam"), ("Norfolk", "ol-chiki"),
                                ("Suffolk", "javanese")):
        [pdf] = (tmp_path / "pdf").glob(f"{authority.lower()}-*.pdf")
        subprocess.run(["pdftoppm", "-r", "80", "-f", "1", "-l", "1", "-png", "-singlefile", str(pdf),
                        str(ARTEFACTS / f"letter-{artefact}-name")], check=True)
    # Javanese marks reach far below the line: its name line gets room (points; Latin "By email" and "Chief" compared),
    # while a name in DejaVu Sans (Canadian Syllabics) keeps the letter's even spacing
    assert email_to_role(tmp_path / "pdf", "suffolk") > email_to_role(tmp_path / "pdf", "manchester") + 3
    created = run("release", "create", "--year", "2023-24")
    assert created.exit_code == 0, created.stderr
    assert created.stdout.startswith("2023-24 frozen: ")


def email_to_role(folder: Path, authority: str) -> float:
    """The distance, in points, from "By email" to the recipient's role line below the name, on a letter's first
    page, from the words' boxes."""
    [pdf] = folder.glob(f"{authority}-*.pdf")
    boxes = subprocess.run(["pdftotext", "-bbox", "-f", "1", "-l", "1", str(pdf), "-"], capture_output=True,
                           text=True, check=True).stdout
    tops = [(word, float(top)) for top, word in re.findall(r'yMin="([\d.]+)"[^>]*>([^<]*)</word>', boxes)]
    return next(top for word, top in tops if word == "Chief") - next(top for word, top in tops if word == "email")


def test_a_script_no_font_has_is_refused_at_import_naming_line_column_and_script(tmp_path):
    cases = Cases(tmp_path)
    cases.decided("Stevenage", "2023-06-01", {"Upheld": 1})
    file = write_csv(tmp_path / "contacts.csv", CONTACTS, [
        ["Stevenage", "Pat Example", "Chief Executive", "Dear Pat", "", ""],
        ["Dacorum", "Pat Example", "\U00010600 scribe", "Dear Pat", "", ""]])  # Linear A: in no shipped font
    database = f"sqlite:///{tmp_path / 'linear-a.db'}"
    refused = CliRunner().invoke(cli, ["--db", database, "import", *map(str, [*cases.files(), file])])
    assert refused.exit_code == 1
    assert refused.stderr == (
        f"{file}:3: title: U+10600 LINEAR A SIGN AB001, Linear A script: no font of the letters can show it, so no "
        "letter could be made\n1 problem found; nothing was imported\n")
