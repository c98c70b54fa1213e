"""Every kind of bad input: a non-zero result, nothing imported, and each problem as FILE:LINE: column: reason."""

from __future__ import annotations

import pytest

from conftest import LGSCO, snapshot, write_csv
from ombuds.ingest import ImportFailed, import_files

RECEIVED = ["reference", "authority", "received_date", "service_area"]
DECIDED = ["reference", "authority", "decision_date", "outcome", "satisfactory_remedy", "remedied_by_ombudsman"]


@pytest.fixture
def seeded(db, tmp_path):
    """A database holding one case already, so that 'unchanged' means something."""
    import_files(db, [write_csv(tmp_path / "seed.csv", RECEIVED, [["S1", "Stevenage", "2019-05-01", "Housing"]])],
                 scheme=LGSCO)
    return db


def problems_of(db, paths) -> list[str]:
    before = snapshot(db)
    with pytest.raises(ImportFailed) as failure:
        import_files(db, paths, scheme=LGSCO)
    assert snapshot(db) == before
    lines = str(failure.value).splitlines()
    assert lines[-1].endswith("found; nothing was imported")
    return lines[:-1]


def test_unknown_authority_lists_closest_matches(seeded, tmp_path):
    f = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenag Borough Council", "2019-05-01", "Housing"]])
    assert problems_of(seeded, [f]) == [
        f"{f}:2: authority: unknown authority 'Stevenag Borough Council'; closest matches: "
        "Stevenage Borough Council (E07000243), Sevenoaks District Council (E07000111)"]


def test_ambiguous_authority_name_without_a_date_to_tell(seeded, tmp_path):
    f = write_csv(tmp_path / "c.csv", ["authority", "name", "title", "salutation"],
                  [["North Yorkshire", "A Person", "Chief Executive", "Dear A Person"]])
    assert problems_of(seeded, [f]) == [
        f"{f}:2: authority: ambiguous authority 'North Yorkshire': could be North Yorkshire Council (E06000065, "
        "from 2023-04-01); North Yorkshire County Council (E10000023, until 2023-03-31); use the GSS code"]


def test_malformed_and_impossible_dates(seeded, tmp_path):
    f = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "2019-02-30", "Housing"],
                                                 ["R2", "Stevenage", "31/04/2019", "Housing"],
                                                 ["R3", "Stevenage", "May 2019", "Housing"],
                                                 ["R4", "Stevenage", "", "Housing"]])
    assert problems_of(seeded, [f]) == [
        f"{f}:2: received_date: impossible date '2019-02-30'",
        f"{f}:3: received_date: impossible date '31/04/2019'",
        f"{f}:4: received_date: malformed date 'May 2019': use 2019-07-24 or 24/07/2019",
        f"{f}:5: received_date: required, but empty"]


def test_unknown_outcome_service_area_and_compliance_values(seeded, tmp_path):
    r = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "2019-05-01", "Parks"]])
    d = write_csv(tmp_path / "d.csv", DECIDED, [["D1", "Stevenage", "2019-05-01", "Partly upheld", "", ""]])
    c = write_csv(tmp_path / "c.csv", ["reference", "authority", "recorded_date", "compliance"],
                  [["C1", "Stevenage", "2019-05-01", "eventually"]])
    assert problems_of(seeded, [r, d, c]) == [
        f"{r}:2: service_area: unknown value 'Parks': expected one of Adult Care Services, Benefits and Tax, "
        "Corporate and Other Services, Education and Children's Services, Environment Services, Highways and "
        "Transport, Housing, Planning and Development, Other",
        f"{d}:2: outcome: unknown value 'Partly upheld': expected one of Incomplete or Invalid, Advice Given, "
        "Referred back for Local Resolution, Closed After Initial Enquiries, Not Upheld, Upheld",
        f"{c}:2: compliance: unknown value 'eventually': expected one of on time, late, not complied"]


def test_remedies_only_on_upheld_decisions(seeded, tmp_path):
    f = write_csv(tmp_path / "d.csv", DECIDED, [["D1", "Stevenage", "2019-05-01", "Not Upheld", "yes", "no"],
                                                ["D2", "Stevenage", "2019-05-01", "Advice Given", "no", "1"],
                                                ["D3", "Stevenage", "2019-05-01", "Upheld", "maybe", "y"]])
    assert problems_of(seeded, [f]) == [
        f"{f}:2: satisfactory_remedy: yes on a decision that is 'Not Upheld': only an Upheld decision can have it",
        f"{f}:3: remedied_by_ombudsman: yes on a decision that is 'Advice Given': only an Upheld decision can have it",
        f"{f}:4: satisfactory_remedy: 'maybe' is not yes or no"]


def test_decision_before_receipt_in_the_same_import_and_against_stored_cases(seeded, tmp_path):
    r = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "2019-06-01", "Housing"]])
    d = write_csv(tmp_path / "d.csv", DECIDED, [["R1", "Stevenage", "2019-05-31", "Upheld", "", ""],
                                                ["S1", "Stevenage", "2019-04-30", "Upheld", "", ""]])
    assert problems_of(seeded, [r, d]) == [
        f"{d}:2: decision_date: decision date 2019-05-31 is before the complaint was received (2019-06-01) for "
        "reference 'R1'",
        f"{d}:3: decision_date: decision date 2019-04-30 is before the complaint was received (2019-05-01) for "
        "reference 'S1'"]


def test_receipt_after_a_stored_decision(seeded, tmp_path):
    stored = write_csv(tmp_path / "d0.csv", DECIDED, [["R9", "Stevenage", "2019-05-01", "Upheld", "", ""]])
    import_files(seeded, [stored], scheme=LGSCO)
    r = write_csv(tmp_path / "r.csv", RECEIVED, [["R9", "Stevenage", "2019-06-01", "Housing"]])
    assert problems_of(seeded, [r]) == [
        f"{r}:2: received_date: decision date 2019-05-01 is before the complaint was received (2019-06-01) for "
        "reference 'R9'"]


def test_case_before_its_authority_existed_or_long_after_abolition(seeded, tmp_path):
    f = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "E06000060", "2020-03-31", "Housing"],
                                                 ["R2", "Allerdale", "2025-04-02", "Housing"],
                                                 ["R3", "Allerdale", "2025-04-01", "Housing"]])
    assert problems_of(seeded, [f]) == [
        f"{f}:2: authority: Buckinghamshire Council (E06000060) did not exist until 2020-04-01",
        f"{f}:3: authority: Allerdale Borough Council (E07000026) was abolished on 2023-04-01; cases dated more "
        "than 2 years later are not accepted"]


def test_duplicate_reference_with_different_content(seeded, tmp_path):
    f = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "2019-05-01", "Housing"],
                                                 ["R1", "Stevenage", "2019-05-01", "Housing"],
                                                 ["R1", "Stevenage", "2019-05-02", "Housing"]])
    g = write_csv(tmp_path / "r2.csv", RECEIVED, [["R1", "Stevenage", "2019-05-01", "Other"]])
    assert problems_of(seeded, [f, g]) == [
        f"{f}:4: reference: 'R1' appears again with different content (first at line 2)",
        f"{g}:2: reference: 'R1' appears again with different content (first at {f}:2)"]


def test_negative_or_non_numeric_population(seeded, tmp_path):
    f = write_csv(tmp_path / "p.csv", ["authority", "year", "population"],
                  [["Stevenage", "2022-23", "-5"], ["Stevenage", "2023-24", "many"], ["Stevenage", "2023", "1"]])
    assert problems_of(seeded, [f]) == [
        f"{f}:2: population: negative number '-5'",
        f"{f}:3: population: 'many' is not a whole number written in the digits 0 to 9",
        f"{f}:4: year: '2023' is not a year: write it as 2019-20 (1 April 2019 to 31 March 2020)"]


def test_file_level_problems_are_reported_with_the_other_files_problems(seeded, tmp_path):
    unknown = write_csv(tmp_path / "u.csv", ["what", "ever"], [["a", "b"]])
    partial = write_csv(tmp_path / "p.csv", ["reference", "authority", "outcome"], [["D1", "Stevenage", "Upheld"]])
    empty = tmp_path / "e.csv"
    empty.write_text("")
    latin = tmp_path / "l.csv"
    latin.write_bytes(b"reference,authority,received_date,service_area\nR1,Stevenage,2019-05-01,H\xf6using\n")
    missing = tmp_path / "missing.csv"
    bad_xlsx = tmp_path / "b.xlsx"
    bad_xlsx.write_text("not a workbook")
    repeated = write_csv(tmp_path / "rep.csv", [*RECEIVED, "Reference"],
                         [["R1", "Stevenage", "2019-05-01", "Other", "R1"]])
    lines = problems_of(seeded, [unknown, partial, empty, latin, missing, bad_xlsx, repeated])
    assert lines[0].startswith(f"{unknown}:1: header: cannot tell what kind of file this is from its header "
                               "(looked for in the first 20 rows); expected the columns of one of received: "
                               "reference, authority, received_date")
    assert lines[1:] == [
        f"{partial}:1: header: looks like a decided file but lacks the required column(s) decision_date",
        f"{empty}:1: file: empty, with no header row",
        f"{latin}:2: file: not UTF-8 text (invalid start byte); if it was saved by Excel, try --encoding cp1252",
        f"{missing}:1: file: no such file",
        f"{bad_xlsx}:1: file: not a readable XLSX workbook (File is not a zip file)",
        f"{repeated}:1: Reference: column appears more than once in the header",
    ]


def test_every_problem_in_a_file_is_listed(seeded, tmp_path):
    rows = [["R1", "Nowhere-on-Sea", "2019-13-01", "Parks"], ["", "Stevenage", "2019-05-01", "Housing"]]
    f = write_csv(tmp_path / "r.csv", RECEIVED, rows)
    lines = problems_of(seeded, [f])
    assert [line.split(": ")[0:2] for line in lines] == [
        [f"{f}:2", "authority"], [f"{f}:2", "received_date"], [f"{f}:2", "service_area"], [f"{f}:3", "reference"]]


def test_overlong_reference(seeded, tmp_path):
    f = write_csv(tmp_path / "r.csv", RECEIVED, [["R" * 41, "Stevenage", "2019-05-01", "Housing"],
                                                 ["R" * 40, "Stevenage", "2019-05-01", "Housing"]])
    assert problems_of(seeded, [f]) == [f"{f}:2: reference: longer than 40 characters"]


def test_a_huge_field_is_refused_whatever_another_library_set_the_csv_limit_to(seeded, tmp_path):
    import csv
    import sys

    f = write_csv(tmp_path / "r.csv", RECEIVED, [["R1", "Stevenage", "2019-05-01", "Housing"],
                                                 ["R2", "Stevenage", "2019-05-01", "y" * 200_000]])
    raised = csv.field_size_limit(sys.maxsize)  # as frictionless and scipy do when imported
    try:
        assert problems_of(seeded, [f]) == [
            f"{f}:3: file: malformed CSV (field larger than field limit (131072))"]
    finally:
        csv.field_size_limit(raised)


def test_bad_contact_email_and_role(seeded, tmp_path):
    f = write_csv(tmp_path / "c.csv", ["authority", "name", "title", "salutation", "email", "role"],
                  [["Stevenage", "A Person", "Chief Executive", "Dear A Person", "not-an-address", "boss"]])
    assert problems_of(seeded, [f]) == [
        f"{f}:2: email: 'not-an-address' is not an email address",
        f"{f}:2: role: unknown value 'boss': expected one of chief executive, link officer, monitoring officer, "
        "leader, scrutiny chair"]


def test_a_failed_import_or_a_check_leaves_nothing_behind_for_the_next_import(db, tmp_path):
    bad = write_csv(tmp_path / "bad.csv", RECEIVED, [["R1", "Stevenage", "2019-05-01", "Parks"]])
    good = write_csv(tmp_path / "good.csv", RECEIVED, [["R1", "Stevenage", "2019-05-01", "Housing"]])
    problems_of(db, [bad])
    import_files(db, [good], check=True, scheme=LGSCO)
    assert import_files(db, [good], scheme=LGSCO).lines()[-1] == "received: 1 new, 0 changed, 0 unchanged"
