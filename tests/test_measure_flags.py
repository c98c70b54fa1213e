"""A count measure may count only the rows with a flag set (`flag`), in either engine: here the Housing Ombudsman's
findings amended at review, in a copy of its scheme (the LGSCO's satisfactory remedies:
tests/test_lgsco_measures.py)."""

from __future__ import annotations

import shutil
from datetime import date
from pathlib import Path

from ombuds.schemes import check_scheme, load_scheme, scheme_folder
from ombuds.stats.measures import Evaluator
from ombuds.store.records import Record

AMENDED = ('\n[[measures]]\nid = "amended_maladministration"\nname = "Maladministration findings amended at review"\n'
           'kind = "count"\nlabel = { set = "finding", ids = ["maladministration", "severe-maladministration"] }\n'
           'flag = "{flag}"\ndisplay = "count"\n')


def _copy(folder: Path, flag: str) -> Path:
    copy = folder / "housing-flags"
    shutil.copytree(scheme_folder("housing-ombudsman"), copy)
    with (copy / "measures.toml").open("a", encoding="utf-8") as measures:
        measures.write(AMENDED.replace("{flag}", flag))
    return copy


def _finding(case: str, finding: str, amended: bool) -> Record:
    return Record("HO-x", date(2024, 6, 1), {"case": case, "finding": finding, "category": "property-condition",
                                             "amended_at_review": amended})


def test_a_flagged_count_counts_only_the_rows_with_the_flag(tmp_path):
    scheme = load_scheme(_copy(tmp_path, "amended_at_review"))
    rows = {"findings": [_finding("1", "maladministration", True), _finding("1", "service-failure", True),
                         _finding("2", "severe-maladministration", False), _finding("3", "maladministration", False),
                         _finding("4", "severe-maladministration", True)]}
    values = Evaluator(scheme).values(rows, None)
    assert (values["amended_maladministration"], values["severe_findings"], values["findings_total"]) == (2, 2, 5)


def test_a_flag_must_be_a_flag_of_the_rows_counted(tmp_path):
    assert check_scheme(_copy(tmp_path, "case")) == [
        "measures.toml: measures.amended_maladministration.flag: 'case' is not a flag of the records whose 'finding' "
        "label this counts"]
