"""The Complaint Handling Code year: own complaints and self-assessments imported (all or nothing, FILE:LINE
problems), timeliness in working days, the escalation funnel with unknown steps unknown, and the report files."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import LGSCO, REPOSITORY, snapshot, write_csv
from ombuds.cli import cli
from ombuds.handling_code import handling_code
from ombuds.ingest import import_files
from ombuds.ingest.problems import ImportFailed
from ombuds.parse.documents import PUBLISHED
from ombuds.stats.code_report import code_report, resolve_body
from ombuds.stats.timeliness import responded_on_time
from ombuds.store.own import OwnComplaint
from ombuds.years import Year

EXAMPLES = REPOSITORY / "examples"
OWN = ["reference", "authority", "stage", "received_date", "acknowledged_date", "response_date", "extended_to",
       "service_area", "outcome"]
YEAR = Year(2025)


def _examples(db) -> None:
    import_files(db, [EXAMPLES / "own-complaints.csv", EXAMPLES / "self-assessment.csv"], scheme=LGSCO)


def test_the_examples_import_and_their_personal_column_is_not_stored(db):
    report = import_files(db, [EXAMPLES / "own-complaints.csv", EXAMPLES / "self-assessment.csv"], scheme=LGSCO)
    assert [(f.kind, f.rows, f.ignored_columns) for f in report.files] == [
        ("own_complaints", 5, ["complainant_name"]), ("self_assessment", 4, [])]
    stored = snapshot(db)["own_complaints"]
    assert len(stored) == 5 and not any("Person" in value for row in stored for value in row)
    assert import_files(db, [EXAMPLES / "own-complaints.csv"], scheme=LGSCO).unchanged


def test_bad_dates_and_stages_are_listed_by_line_and_nothing_is_imported(db, tmp_path):
    _examples(db)
    before = snapshot(db)
    bad = write_csv(tmp_path / "own.csv", OWN, [
        ["A-1", "Stevenage", "1", "2025-05-01", "2025-04-30", "", "", "Housing", ""],
        ["A-2", "Stevenage", "1", "2025-05-01", "2025-05-02", "2025-05-01", "", "Housing", "upheld"],
        ["A-3", "Stevenage", "2", "2025-05-01", "", "", "", "Housing", ""],
        ["A-4", "Stevenage", "1", "2025-05-01", "2025-05-02", "2025-05-20", "", "Housing", "upheld"],
        ["A-4", "Stevenage", "2", "2025-05-19", "", "", "", "Housing", ""],
        ["A-5", "Stevenage", "3", "2025-05-01", "", "", "", "Housing", "sort of"],
    ])
    with pytest.raises(ImportFailed) as failed:
        import_files(db, [bad], scheme=LGSCO)
    assert [str(p).removeprefix(f"{bad}:") for p in failed.value.problems] == [
        "2: acknowledged_date: 2025-04-30 is before the receipt (2025-05-01)",
        "3: response_date: 2025-05-01 is before the acknowledgement (2025-05-02)",
        "4: stage: stage 2 of 'A-3' has no stage 1 complaint with the same reference",
        "6: received_date: stage 2 of 'A-4' received 2025-05-19, before stage 1 closed (2025-05-20)",
        "7: stage: unknown value '3': expected one of 1, 2",
        "7: outcome: unknown value 'sort of': expected one of upheld, partly upheld, not upheld, withdrawn, "
        "not a complaint",
    ]
    assert snapshot(db) == before


def test_a_stage_1_answer_moved_after_its_stored_stage_2_is_refused(db, tmp_path):
    _examples(db)
    later = write_csv(tmp_path / "own.csv", OWN, [
        ["SBC-25-002", "Stevenage", "1", "2025-05-12", "2025-05-13", "2025-06-25", "", "Council tax", "not upheld"]])
    with pytest.raises(ImportFailed) as failed:
        import_files(db, [later], scheme=LGSCO)
    assert [str(p) for p in failed.value.problems] == [
        f"{later}:2: response_date: stage 2 of 'SBC-25-002' received 2025-06-20, before stage 1 closed (2025-06-25)"]


def test_a_self_assessment_of_an_unknown_provision_is_refused(db, tmp_path):
    bad = write_csv(tmp_path / "sa.csv", ["authority", "year", "provision", "complies"],
                    [["Stevenage", "2025-26", "99.1", "yes"], ["Stevenage", "2025-26", "5.2", "mostly"]])
    with pytest.raises(ImportFailed) as failed:
        import_files(db, [bad], scheme=LGSCO)
    reasons = [str(p).removeprefix(f"{bad}:") for p in failed.value.problems]
    assert reasons[0].startswith("2: provision: unknown value '99.1': expected one of 1.1, 1.2, 1.3, 2.1")
    assert reasons[1] == "3: complies: unknown value 'mostly': expected one of yes, partly, no"


def _complaint(stage, received, acknowledged, response, extended=None) -> OwnComplaint:
    return OwnComplaint("E07000243", "R", stage, received, acknowledged, response, extended, "Housing", "upheld")


def test_an_extension_counts_only_within_the_codes_limit():
    code = handling_code(LGSCO)
    ack = date(2025, 12, 22)  # Mon; 10 working days: 23, 24, 29, 30, 31 Dec, 2, 5, 6, 7, 8 Jan (8 Jan is the 10th)
    assert responded_on_time(_complaint(1, ack, ack, date(2026, 1, 8)), code)
    assert not responded_on_time(_complaint(1, ack, ack, date(2026, 1, 9)), code)
    # agreed to 22 Jan (20th working day: 9, 12-16, 19-22 Jan) and answered by then: on time
    assert responded_on_time(_complaint(1, ack, ack, date(2026, 1, 21), date(2026, 1, 22)), code)
    # agreed to 23 Jan, the 21st working day: beyond the code's limit, so not on time
    assert not responded_on_time(_complaint(1, ack, ack, date(2026, 1, 21), date(2026, 1, 23)), code)
    # answered after the agreed date: late
    assert not responded_on_time(_complaint(1, ack, ack, date(2026, 1, 20), date(2026, 1, 19)), code)


def test_the_years_figures_from_the_examples(db):
    _examples(db)
    r = code_report(db, YEAR, resolve_body("Stevenage", LGSCO), scheme=LGSCO)
    one = {k: v for k, v in r["stage1"].items() if k not in ("by_service_area", "per_1000")}
    assert one == {"received": 4, "responded": 3, "acknowledged_on_time": 3, "on_time": 3, "on_time_rate": 1.0,
                   "extended": 1, "median_working_days": 10,
                   "outcomes": {"upheld": 1, "partly upheld": 1, "not upheld": 1, "withdrawn": 0,
                                "not a complaint": 0}}
    # SBC-25-003: received Mon 22 Dec 2025, acknowledged Fri 2 Jan 2026, the 6th working day: late
    assert r["stage1"]["by_service_area"]["Waste and recycling"]["acknowledged_on_time"] == 0
    # SBC-25-002: 18 working days (26 May a bank holiday), agreed to 10 June (19): on time with the extension
    assert r["stage1"]["by_service_area"]["Council tax"]["median_working_days"] == 18
    assert r["stage2"]["received"] == 1 and r["stage2"]["median_working_days"] == 19
    assert r["escalation"] == {"stage1_closed": 3, "stage2": 1, "ombudsman_received": None,
                               "ombudsman_decided": None, "ombudsman_upheld": None, "ombudsman_from": None}
    rows = {row["provision"]: row for row in r["self_assessment"]}
    assert len(rows) == len(handling_code(LGSCO).provisions)
    assert rows["6.2"]["complies"] == "no" and rows["1.2"]["complies"] is None


def test_the_ombudsmans_side_comes_from_its_case_records_and_last_years_answers_are_compared(db, tmp_path):
    _examples(db)
    received = write_csv(tmp_path / "received.csv", ["reference", "authority", "received_date", "service_area"],
                         [["LG-1", "Stevenage", "2025-07-01", "Housing"], ["LG-2", "Stevenage", "2025-09-01",
                                                                           "Housing"]])
    decided = write_csv(tmp_path / "decided.csv", ["reference", "authority", "decision_date", "outcome", "summary"],
                        [["LG-1", "Stevenage", "2025-11-03", "Upheld", "Delay in repairs."]])
    last_year = write_csv(tmp_path / "sa.csv", ["authority", "year", "provision", "complies"],
                          [["Stevenage", "2024-25", "5.2", "no"], ["Stevenage", "2024-25", "1.1", "yes"]])
    import_files(db, [received, decided, last_year], scheme=LGSCO)
    r = code_report(db, YEAR, resolve_body("Stevenage", LGSCO), scheme=LGSCO)
    assert r["escalation"] == {"stage1_closed": 3, "stage2": 1, "ombudsman_received": 2, "ombudsman_decided": 1,
                               "ombudsman_upheld": 1, "ombudsman_from": "case records"}
    assert r["non_compliance"] == [{"reference": "LG-1", "decision_date": "2025-11-03", "service_area": None,
                                    "summary": "Delay in repairs."}]
    rows = {row["provision"]: row for row in r["self_assessment"]}
    assert (rows["5.2"]["last_year"], rows["5.2"]["complies"], rows["5.2"]["changed"]) == ("no", "partly", True)
    assert (rows["1.1"]["last_year"], rows["1.1"]["changed"]) == ("yes", False)


def test_the_command_writes_html_pdf_and_json(tmp_path):
    url = f"sqlite:///{tmp_path / 'o.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", url, "import", str(EXAMPLES / "own-complaints.csv"),
                               str(EXAMPLES / "self-assessment.csv")]).exit_code == 0
    out = tmp_path / "report"
    result = runner.invoke(cli, ["--db", url, "code-report", "--year", "2025-26", "--body", "Stevenage",
                                 "--out", str(out), "--response", str(EXAMPLES / "governing-body-response.md"),
                                 "--areas", str(EXAMPLES / "service-areas.csv")])
    assert result.exit_code == 0, result.output
    stem = "code-report-stevenage-borough-council-2025-26"
    assert sorted(p.name for p in out.iterdir()) == [f"{stem}.html", f"{stem}.json", f"{stem}.pdf"]
    record = json.loads((out / f"{stem}.json").read_text())
    assert set(record["stage1"]) >= {"received", "responded", "acknowledged_on_time", "on_time", "on_time_rate",
                                     "extended", "median_working_days", "outcomes"}
    assert list(record["stage1"]["by_service_area"]) == ["Benefits and Tax", "Environment Services", "Housing",
                                                         "Planning and Development"]
    html = re.sub(r">\s+<", "><", (out / f"{stem}.html").read_text().replace("\u00a0", " "))
    assert "<td data-label=\"Complaints\">not known</td>" in html
    assert "<p>The cabinet considered this report on 14 July 2026.</p>" in html
    assert "<ul><li>Record the reason for every extension</li><li>Acknowledge automatically</li></ul>" in html
    assert (out / f"{stem}.pdf").read_bytes().startswith(b"%PDF-")


def test_the_ombudsmans_letter_is_attached_by_its_own_file_name(tmp_path):
    """Attached under its file name, not the full path it had on the machine that made the report."""
    from pypdf import PdfReader

    url = f"sqlite:///{tmp_path / 'o.db'}"
    runner = CliRunner()
    assert runner.invoke(cli, ["--db", url, "import", str(EXAMPLES / "own-complaints.csv"),
                               str(EXAMPLES / "self-assessment.csv")]).exit_code == 0
    letter = tmp_path / "letters" / "stevenage-2025-26.pdf"
    letter.parent.mkdir()
    letter.write_bytes(b"%PDF-1.7 the ombudsman's letter")
    out = tmp_path / "report"
    result = runner.invoke(cli, ["--db", url, "code-report", "--year", "2025-26", "--body", "Stevenage",
                                 "--out", str(out), "--letter", str(letter)])
    assert result.exit_code == 0, result.output
    attachments = PdfReader(out / "code-report-stevenage-borough-council-2025-26.pdf").attachments
    assert sorted(attachments) == ["figures.json", "stevenage-2025-26.pdf"]
    assert attachments["stevenage-2025-26.pdf"] == [letter.read_bytes()]


def test_a_bad_area_mapping_is_listed_by_line(tmp_path):
    mapping = write_csv(tmp_path / "areas.csv", ["own_area", "service_area"], [["Bins", "Rubbish"]])
    result = CliRunner().invoke(cli, ["--db", f"sqlite:///{tmp_path / 'x.db'}", "code-report", "--year", "2025-26",
                                      "--body", "Stevenage", "--out", str(tmp_path / "o"), "--areas", str(mapping)])
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (f"{mapping}:2: service_area: unknown value 'Rubbish': expected one of "
                                             "Adult Care Services, Benefits and Tax, Corporate and Other Services, "
                                             "Education and Children's Services, Environment Services, Highways "
                                             "and Transport, Housing, Planning and Development, Other")


def test_the_example_files_stay_in_step_with_the_docs():
    assert Path(REPOSITORY / "examples" / "own-complaints.csv").read_text().startswith(",".join(OWN))


def test_the_demo_council_year_is_calibrated_and_reported(demo_settings, tmp_path):
    from ombuds.demo.code_year import generate_code_year, run_code_year
    from ombuds.store import open_database

    database = open_database(f"sqlite:///{tmp_path / 'demo.db'}")
    written = run_code_year(database, tmp_path / "code-year", demo_settings.profile, demo_settings.scheme, seed=2017,
                            echo=lambda line: None)
    database.close()
    assert [p.suffix for p in written] == [".html", ".pdf", ".json"]
    r = json.loads(written[2].read_text())
    one, two = r["stage1"], r["stage2"]
    assert 400 <= one["received"] <= 800  # about 7 a year per 1,000 of 88,104 residents
    assert one["responded"] / one["received"] > 0.9  # most closed at stage 1
    assert 0.05 <= r["escalation"]["stage2"] / r["escalation"]["stage1_closed"] <= 0.2  # a minority escalated
    assert one["on_time_rate"] > 0.8 and two["on_time_rate"] > 0.5  # most on time
    assert r["escalation"]["ombudsman_received"] is None  # the demo's ombudsman data ends in 2024-25
    assert list(one["by_service_area"]) == ["Benefits and Tax", "Corporate and Other Services",
                                            "Environment Services", "Highways and Transport", "Housing",
                                            "Planning and Development"]
    again = generate_code_year(tmp_path / "again", demo_settings.scheme, seed=2017)
    assert again.own_complaints.read_bytes() == (tmp_path / "code-year" / "own-complaints.csv").read_bytes()
    rows = again.own_complaints.read_text().splitlines()[1:]
    assert all(row.startswith("SYN-") for row in rows)


def test_the_ombudsmans_side_from_a_published_letter_keeps_what_it_did_not_state_unknown(db):
    from ombuds.ingest.published import import_published

    _examples(db)
    published = {
        "authority": {"code": "E07000243", "name": "Stevenage Borough Council", "type": "District"},
        "year": "2025-26", "received": {"total": None}, "decided": {"Upheld": 3, "total": 12},
        "investigated": 5, "upheld": 3, "uphold_rate": 0.6, "satisfactory_remedies": 0,
        "satisfactory_remedy_rate": 0.0, "remedied_by_ombudsman": None, "compliance": {"recorded": 0},
        "compliance_rate": None, "population": None, "upheld_per_100k": None, "average": {}, "overview": None,
        "source": "letter.pdf", "edition": "letter-2024-25", "letter": None, "from": "published letter"}
    assert import_published(db, [published], PUBLISHED).imported == ["letter.pdf: Stevenage Borough Council 2025-26"]
    r = code_report(db, YEAR, resolve_body("Stevenage", LGSCO), scheme=LGSCO)
    assert r["escalation"] == {"stage1_closed": 3, "stage2": 1, "ombudsman_received": None, "ombudsman_decided": 12,
                               "ombudsman_upheld": 3, "ombudsman_from": "published letter"}


def test_the_codes_time_limits_are_checked_with_the_scheme(tmp_path):
    import shutil

    from ombuds.schemes import check_scheme

    folder = tmp_path / "lgsco"
    shutil.copytree(REPOSITORY / "src" / "ombuds" / "schemes" / "lgsco", folder)
    code = folder / "code.toml"
    code.write_text(code.read_text().replace("respond = 20", 'respond = "twenty"').replace("acknowledge = 5", ""))
    assert check_scheme(folder) == ["code.toml: timeliness.acknowledge: missing",
                                    "code.toml: timeliness.stage2.respond: must be a whole number"]
    limits = handling_code(LGSCO)
    assert (limits.acknowledge, limits.stages[1].respond, limits.stages[1].extended, limits.stages[2].respond,
            limits.stages[2].extended) == (5, 10, 20, 20, 40)
    housing = (REPOSITORY / "src/ombuds/schemes/housing-ombudsman/code.toml").read_text()
    assert "[timeliness.stage2]\nrespond = 20\nextended = 40" in housing
