"""Importing the Housing Ombudsman's findings: each problem `FILE:LINE: column: reason`, all or nothing by default,
the rejects file with the refused rows (never the free-text column), a later file replacing a case's findings, and
nothing but label ids stored (SQLite and PostgreSQL)."""

from __future__ import annotations

import csv
import gzip
import io
import json

import pytest
from click.testing import CliRunner

from conftest import snapshot, write_csv
from ombuds.cli import cli
from ombuds.ingest.problems import ImportFailed
from ombuds.ingest.records import import_records
from ombuds.schemes import load_scheme
from ombuds.stats.measures_service import measures_service
from ombuds.store.schema import records
from ombuds.years import Year

HEADER = ["case_id", "landlord", "landlord_type", "decision_date", "amended_at_review", "category", "finding",
          "stock_size", "complaint"]
GOOD = [
    ["202400001", "Clarion Housing Association", "Housing Association", "2024-05-02", "0", "Damp & Mould",
     "Severe Maladministration", "125000", "The resident's damp at 4 Acacia Avenue"],
    ["202400001", "clarion housing  association", "Housing Association", "2024-05-02", "1", "Complaint Handling",
     "Service Failure", "125000", "Complaint handling"],
    ["202400002", "Stokeontrent", "Local Authority", "2025-03-31", "0", "Repairs & Maintenance",
     "No Maladministration", "", "Repairs"],
]
BAD = [
    ["202400003", "Unknown Landlord", "Unknown", "2024-06-01", "0", "Other", "Maladministration", "",
     "Mrs Smith, 12 High Street"],
    ["202400004", "Clarion Housing Association", "Housing Association", "", "0", "Other", "Maladministration", "",
     "No date"],
    ["202400005", "Stoke On Trent", "Local Authority", "2024-07-01", "0", "Gardening", "Upheld", "",
     "Two problems"],
]


@pytest.fixture
def scheme():
    return load_scheme("housing-ombudsman")


def test_any_problem_fails_the_whole_import_by_default(db, scheme, tmp_path):
    path = write_csv(tmp_path / "findings.csv", HEADER, GOOD + BAD)
    before = snapshot(db)
    with pytest.raises(ImportFailed) as failed:
        import_records(db, scheme, [path])
    assert str(failed.value).splitlines() == [
        f"{path}:5: landlord: unknown landlord 'Unknown Landlord': not in the scheme's bodies.csv or aliases.csv",
        f"{path}:6: decision_date: no decision date given",
        f"{path}:7: category: 'Gardening' is not a category: expected one of Complaint handling, Repairs and "
        "maintenance, Damp and mould, Leaks and water ingress, Anti-social behaviour, Estate management, Rent and "
        "service charges, Pest control, Rehousing and allocations, Other",
        f"{path}:7: finding: 'Upheld' is not a finding: expected one of Severe maladministration, Maladministration, "
        "Service failure, Reasonable redress, No maladministration, Outside jurisdiction",
        "4 problems found; nothing was imported"]
    assert snapshot(db) == before
    with db.read() as connection:
        assert connection.execute(records.select()).all() == []


def test_rejects_imports_the_valid_rows_and_writes_every_refused_row(db, scheme, tmp_path):
    path = write_csv(tmp_path / "findings.csv", HEADER, GOOD + BAD)
    rejects = tmp_path / "rejects.csv"
    report = import_records(db, scheme, [path], rejects=rejects)
    assert report.lines() == [f"{path}: 6 findings rows", "findings: 2 new, 0 changed, 0 unchanged",
                              "3 rows refused, not imported"]
    assert rejects.read_text(encoding="utf-8") == (
        "file,line,column,reason,case_id,landlord,decision_date,amended_at_review,category,finding\n"
        f"{path},5,landlord,unknown landlord 'Unknown Landlord': not in the scheme's bodies.csv or aliases.csv,"
        "202400003,Unknown Landlord,2024-06-01,0,Other,Maladministration\n"
        f"{path},6,decision_date,no decision date given,202400004,Clarion Housing Association,,0,Other,"
        "Maladministration\n"
        f"{path},7,category; finding,\"'Gardening' is not a category: expected one of Complaint handling, Repairs "
        "and maintenance, Damp and mould, Leaks and water ingress, Anti-social behaviour, Estate management, Rent "
        "and service charges, Pest control, Rehousing and allocations, Other; 'Upheld' is not a finding: expected "
        "one of Severe maladministration, Maladministration, Service failure, Reasonable redress, No "
        "maladministration, Outside jurisdiction\",202400005,Stoke On Trent,2024-07-01,0,Gardening,Upheld\n")
    assert "Smith" not in rejects.read_text(encoding="utf-8")


def test_only_label_ids_and_the_named_columns_are_stored(db, scheme, tmp_path):
    path = write_csv(tmp_path / "findings.csv", HEADER, GOOD)
    import_records(db, scheme, [path])
    with db.read() as connection:
        stored = sorted((r.record_key, r.position, r.body_code, r.record_date.isoformat(), json.loads(r.fields))
                        for r in connection.execute(records.select()))
    assert stored == [
        ("202400001", 0, "HO-clarion-housing-association", "2024-05-02",
         {"amended_at_review": False, "case": "202400001", "category": "damp-and-mould",
          "finding": "severe-maladministration"}),
        ("202400001", 1, "HO-clarion-housing-association", "2024-05-02",
         {"amended_at_review": True, "case": "202400001", "category": "complaint-handling",
          "finding": "service-failure"}),
        ("202400002", 0, "HO-stoke-on-trent", "2025-03-31",
         {"amended_at_review": False, "case": "202400002", "category": "repairs-and-maintenance",
          "finding": "no-maladministration"}),
    ]
    text = json.dumps([s[4] for s in stored])
    assert "Acacia" not in text and "125000" not in text and "Housing Association" not in text


def test_a_later_file_replaces_a_cases_findings_and_the_figures_follow(db, scheme, tmp_path):
    first = write_csv(tmp_path / "first.csv", HEADER, GOOD)
    import_records(db, scheme, [first])
    service = measures_service(db, scheme)
    before = service.year(Year(2024)).get("HO-clarion-housing-association")
    assert (before.values["findings_total"], before.values["severe_findings"]) == (2, 1)
    newer = [[*GOOD[0][:6], "Maladministration", *GOOD[0][7:]], GOOD[2]]
    second = write_csv(tmp_path / "second.csv", HEADER, newer)
    report = import_records(db, scheme, [second])
    assert report.lines()[1] == "findings: 0 new, 1 changed, 1 unchanged (changed: 202400001)"
    after = service.year(Year(2024)).get("HO-clarion-housing-association")
    assert (after.values["findings_total"], after.values["severe_findings"]) == (1, 0)
    assert after.values["findings"]["maladministration"] == 1
    assert import_records(db, scheme, [second]).lines()[1] == "findings: 0 new, 0 changed, 2 unchanged"


def test_a_gzip_file_and_header_aliases_are_read(db, scheme, tmp_path):
    path = tmp_path / "findings.download"
    header = ["Case reference", "Landlord name", "Date of decision", "Category", "Outcome"]
    lines = [",".join(header), "202400009,Clarion Housing Association,2024-09-09,Pest Control,Reasonable Redress"]
    path.write_bytes(gzip.compress(("\n".join(lines) + "\n").encode("utf-8")))
    assert import_records(db, scheme, [path]).lines()[0] == f"{path}: 1 findings row"
    record = measures_service(db, scheme).year(Year(2024)).get("HO-clarion-housing-association")
    assert record.values["findings"]["reasonable-redress"] == 1
    assert record.breakdowns["category"]["pest-control"] == {"findings_total": 1, "maladministration_rate": 0.0}


@pytest.mark.parametrize(("header", "reason"), [
    (["case_id", "landlord", "category", "finding"], "not a findings file: no column decision_date"),
    (["name", "address"], "no kind of Housing Ombudsman record has these columns"),
])
def test_a_file_of_no_known_kind_is_one_line(db, scheme, tmp_path, header, reason):
    path = write_csv(tmp_path / "other.csv", header, [["1"] * len(header)])
    with pytest.raises(ImportFailed) as failed:
        import_records(db, scheme, [path], rejects=tmp_path / "rejects.csv")
    assert str(failed.value).splitlines() == [f"{path}:1: header: {reason}", "1 problem found; nothing was imported"]


def test_a_date_before_the_schemes_earliest_year_and_a_bad_flag_are_refused(db, scheme, tmp_path):
    rows = [["1", "Clarion Housing Association", "", "2019-03-31", "0", "Other", "Maladministration", "", ""],
            ["2", "Clarion Housing Association", "", "31/05/2024", "0", "Other", "Maladministration", "", ""],
            ["3", "Clarion Housing Association", "", "2024-05-31", "maybe", "Other", "Maladministration", "", ""]]
    path = write_csv(tmp_path / "findings.csv", HEADER, rows)
    with pytest.raises(ImportFailed) as failed:
        import_records(db, scheme, [path])
    assert str(failed.value).splitlines()[:3] == [
        f"{path}:2: decision_date: 2019-03-31 is before the scheme's earliest year, 2019-20",
        f"{path}:3: decision_date: '31/05/2024' is not a date: write it as YYYY-MM-DD",
        f"{path}:4: amended_at_review: 'maybe' is not a flag: write 1 or 0 (yes or no)"]


def test_the_command_line_is_all_or_nothing_unless_given_a_rejects_file(db_url, tmp_path):
    path = write_csv(tmp_path / "findings.csv", HEADER, GOOD + BAD)
    base = ["--scheme", "housing-ombudsman", "--db", db_url]
    failed = CliRunner().invoke(cli, [*base, "import", str(path)])
    assert failed.exit_code == 1
    assert failed.output.splitlines()[-1] == "4 problems found; nothing was imported"
    rejects = tmp_path / "refused.csv"
    done = CliRunner().invoke(cli, [*base, "import", "--rejects", str(rejects), str(path)])
    assert done.exit_code == 0, done.output
    assert done.output == (f"{path}: 6 findings rows\nfindings: 2 new, 0 changed, 0 unchanged\n"
                           f"3 rows refused, not imported\n3 refused rows written to {rejects}\n")
    printed = CliRunner().invoke(cli, [*base, "stats", "--year", "2024-25", "--format", "csv"])
    assert printed.exit_code == 0, printed.output
    rows = list(csv.DictReader(io.StringIO(printed.output)))
    assert [(r["landlord.name"], r["determinations"], r["findings.severe-maladministration"],
             r["by_category.damp-and-mould.findings_total"], r["average.group"]) for r in rows] == [
        ("Clarion Housing Association", "1", "1", "1", "Housing associations with 50,000 or more homes"),
        ("Stoke On Trent", "1", "0", "0", "Local authorities, ALMOs and TMOs whose homes are not stated")]
    assert rows[0]["comparison.maladministration_rate.interval.high"] == "1.0"


def test_rejects_is_refused_for_the_lgsco(tmp_path):
    result = CliRunner().invoke(cli, ["--db", str(tmp_path / "x.db"), "import", "--rejects", "r.csv", "a.csv"])
    assert result.exit_code == 1
    assert result.output == ("ombuds: error: --rejects: only a generic scheme's import keeps the valid rows; the "
                             "LGSCO's is all or nothing\n")


def test_options_a_generic_scheme_does_not_take_are_refused(tmp_path):
    result = CliRunner().invoke(cli, ["--scheme", "housing-ombudsman", "--db", str(tmp_path / "x.db"), "import",
                                      "--encoding", "cp1252", "--sheet", "A", "a.csv"])
    assert result.exit_code == 1
    assert result.output == ("ombuds: error: --sheet, --encoding: a generic scheme's files are UTF-8 CSV (gzip or "
                             "not), without releases\n")
    assert not (tmp_path / "x.db").exists()


def test_a_repeated_column_and_a_file_without_rows_are_one_line_each(db, scheme, tmp_path):
    repeated = write_csv(tmp_path / "repeated.csv", [*HEADER, "Landlord"], [[*GOOD[0], "Clarion"]])
    empty = write_csv(tmp_path / "empty.csv", HEADER, [])
    with pytest.raises(ImportFailed) as failed:
        import_records(db, scheme, [repeated, empty], rejects=tmp_path / "rejects.csv")
    assert str(failed.value).splitlines() == [
        f"{repeated}:1: Landlord: column appears more than once in the header",
        f"{empty}:2: file: no data rows below the header",
        "2 problems found; nothing was imported"]
    assert not (tmp_path / "rejects.csv").exists()


def test_check_only_writes_nothing_but_the_rejects(db, scheme, tmp_path):
    path = write_csv(tmp_path / "findings.csv", HEADER, GOOD + BAD)
    report = import_records(db, scheme, [path], check=True, rejects=tmp_path / "rejects.csv")
    assert report.lines() == [f"{path}: 6 findings rows", "3 rows refused, not imported",
                              "Check only: nothing was written."]
    assert len((tmp_path / "rejects.csv").read_text(encoding="utf-8").splitlines()) == 4
    with db.read() as connection:
        assert connection.execute(records.select()).all() == []


def test_a_case_reference_too_long_to_store_is_refused(db, scheme, tmp_path):
    path = write_csv(tmp_path / "findings.csv", HEADER, [["9" * 201, *GOOD[0][1:]]])
    with pytest.raises(ImportFailed) as failed:
        import_records(db, scheme, [path])
    assert str(failed.value).splitlines()[0] == f"{path}:2: case_id: longer than 200 characters"
