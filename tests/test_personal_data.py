"""No personal data in outputs: input files carrying complainants' names, emails, addresses and phone numbers in
extra columns (CSV and XLSX) are imported; the columns are named in a warning and dropped (SPEC 2.1), and none of
their values reaches the database, the letters, the static site, its downloads or any output of the commands."""

from __future__ import annotations

import io
import sqlite3
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from openpyxl import Workbook
from pypdf import PdfReader

from conftest import write_csv

OMBUDS = [sys.executable, "-m", "ombuds"]  # whichever Python runs the tests, wherever its venv is
YEAR = "2023-24"
PEOPLE = [
    ("Wilhelmina Quarrendon", "w.quarrendon@mailbox.example", "17 Larkspur Close, Stevenage SG1 4QX", "07700 900123"),
    ("Bartholomew Ize-Ojo", "bart.izeojo@post.example", "Flat 3, 88 Rochester Road, Maidstone ME16 8AA",
     "+44 1622 960 555"),
    ("Zofia Wrzesniewska", "zofia.w@inbox.example", "2 The Paddocks, Hitchin SG4 9TT", "01462 496 001"),
]
PERSONAL = ["complainant_name", "complainant_email", "home_address", "phone"]


def fragments() -> list[str]:
    """What must appear nowhere: every value, and recognisable parts of it."""
    found = []
    for person in PEOPLE:
        found += list(person)
        found += [person[0].split()[-1], person[1].split("@")[0], person[2].split(",")[0], person[3].replace(" ", "")]
    return found


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    result = subprocess.run([*OMBUDS, "--db", str(cwd / "people.db"), *args], capture_output=True, text=True,
                            cwd=cwd, timeout=600)
    assert result.returncode == 0, result.stderr
    return result


@pytest.fixture(scope="module")
def imported(tmp_path_factory) -> tuple[Path, str]:
    folder = tmp_path_factory.mktemp("personal")
    received = write_csv(folder / "received.csv", ["reference", "authority", "received_date", "service_area",
                                                   *PERSONAL],
                         [[f"P{i}", authority, "2023-06-01", "Housing", *person]
                          for i, (person, authority) in enumerate(zip(PEOPLE, ["Stevenage", "Kent County Council",
                                                                             "North Hertfordshire"], strict=True))])
    book = Workbook()
    sheet = book.active
    sheet.append(["reference", "authority", "decision_date", "outcome", "public_report", "summary", *PERSONAL])
    for i, (person, authority) in enumerate(zip(PEOPLE, ["Stevenage", "Kent County Council", "North Hertfordshire"],
                                                strict=True)):
        sheet.append([f"P{i}", authority, "2023-10-01", "Upheld", "yes", "The council agreed to apologise.",
                      *person])
    book.save(folder / "decided.xlsx")
    result = run(["import", str(received), str(folder / "decided.xlsx")], folder)
    output = result.stdout + result.stderr
    return folder, output


def assert_absent(text: str, where: str) -> None:
    folded = text.casefold()
    for fragment in fragments():
        assert fragment.casefold() not in folded, f"{fragment!r} found in {where}"


def test_the_import_names_the_dropped_columns_but_none_of_their_values(imported):
    folder, output = imported
    for name in ("received.csv", "decided.xlsx"):
        assert (f"{folder / name}: warning: ignored unknown column(s) complainant_name, complainant_email, "
                "home_address, phone (not stored)") in output
    assert "3 new" in output
    assert_absent(output, "the import's output")


def test_none_of_it_is_in_the_database(imported):
    folder, _ = imported
    with sqlite3.connect(folder / "people.db") as connection:
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        assert {"received", "decided", "audit_log"} <= set(tables)
        dump = "\n".join(connection.iterdump())
        assert "The council agreed to apologise." in dump and "P2" in dump
        for table in tables:
            columns = [row[1] for row in connection.execute(f'PRAGMA table_info("{table}")')]
            assert not set(columns) & set(PERSONAL), table
    connection.close()
    assert_absent(dump, "the database dump")
    raw = (folder / "people.db").read_bytes().decode("utf-8", "replace")
    assert_absent(raw, "the database file's bytes")


def test_none_of_it_is_in_letters_site_downloads_or_command_output(imported):
    folder, _ = imported
    outputs = []
    for output_format in ("html", "pdf"):
        outputs.append(run(["letters", "--year", YEAR, "--authority", "Stevenage", "--format", output_format,
                            "--out", str(folder / "letters"), "--allow-missing-contacts"], folder))
    outputs.append(run(["stats", "--year", YEAR, "--format", "csv"], folder))
    outputs.append(run(["status"], folder))
    outputs.append(run(["site", "build", "--out", str(folder / "site")], folder))
    for result in outputs:
        assert_absent(result.stdout + result.stderr, f"the output of {result.args[3:5]}")
    letter = folder / "letters" / f"stevenage-borough-council-{YEAR}.pdf"
    assert_absent("".join(page.extract_text() for page in PdfReader(letter).pages), "the PDF letter's text")
    checked = 0
    for path in [*(folder / "letters").iterdir(), *(p for p in (folder / "site").rglob("*") if p.is_file())]:
        body = path.read_bytes()
        texts = [body.decode("utf-8", "replace")]
        if path.suffix == ".xlsx":
            with zipfile.ZipFile(io.BytesIO(body)) as book:
                texts += [book.read(name).decode("utf-8", "replace") for name in book.namelist()]
        assert_absent("\n".join(texts), str(path))
        checked += 1
    assert checked > 1000
    council = (folder / "site" / "councils" / "stevenage-borough-council" / YEAR / "index.html").read_text("utf-8")
    assert "The council agreed to apologise." in council  # the allowed summary is published; the people are not
    assert (folder / "site" / "data" / YEAR / "statistics.xlsx").exists()
