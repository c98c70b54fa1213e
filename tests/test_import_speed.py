"""The column-by-column check (the fast path of an import) agrees with the row-by-row check on every row: the same
row as stored, or a problem. Hypothesis draws rows from good, bad and borderline values of every column."""

from __future__ import annotations

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import LGSCO, registry
from ombuds.ingest.columns import BAD, ColumnCheck
from ombuds.ingest.fields import RowCheck
from ombuds.ingest.kinds import kinds_of

TODAY = date(2025, 6, 1)
VALUES = {
    "reference": ["R1", " r1 ", "", "  ", "x" * 40, "x" * 41, "ß" * 21, "ß" * 20, "SYN-1\u00a0", "ﬁ" * 20],
    "authority": ["Stevenage", "E07000243", "stevenage borough council", "Nowhere", "", "Buckinghamshire",
                  "Aylesbury Vale", "E06000060", "Wellingborough", "North Northamptonshire", " Kent "],
    "date": ["2019-07-24", "24/07/2019", "2019/07/24", "2019-02-30", "24/07/19", "", "2030-01-01", "43000",
             "2019-07-24T10:30", "2016-03-31", "2023-05-01", "2027-01-01", "1990-01-01", "२०१९-०७-२४"],
    "service_area": ["Housing", "housing", "Adult Care Services", "adult-care services", "Parks", ""],
    "outcome": ["Upheld", "upheld", "Not Upheld", "Advice Given", "Won", ""],
    "flag": ["yes", "no", "", "Y", "maybe", "TRUE", " 1 "],
    "compliance": ["On time", "late", "Not complied", "never", ""],
    "text": ["A summary", "", "  padded  ", "\t"],
}
COLUMN_VALUES = {
    "reference": "reference", "authority": "authority", "received_date": "date", "decision_date": "date",
    "recorded_date": "date", "agreed_date": "date", "service_area": "service_area", "outcome": "outcome",
    "satisfactory_remedy": "flag", "remedied_by_ombudsman": "flag", "public_report": "flag",
    "compliance": "compliance", "summary": "text", "improvement": "text",
}
FAST_KINDS = [kind for kind in kinds_of(LGSCO).kinds.values() if kind.check_columns is not None]


def _rows(kind):
    row = st.fixed_dictionaries({c: st.sampled_from(VALUES[COLUMN_VALUES[c]]) for c in kind.columns})
    return st.lists(row, min_size=1, max_size=30)


@given(st.data())
@settings(max_examples=300, deadline=None)
def test_the_column_check_agrees_with_the_row_check(data):
    kind = data.draw(st.sampled_from(FAST_KINDS))
    rows = data.draw(_rows(kind))
    by_row = RowCheck(registry(), LGSCO.label_sets, TODAY)
    by_column = ColumnCheck(RowCheck(registry(), LGSCO.label_sets, TODAY))
    positions = list(range(len(rows)))
    columns = {c: [row[c] for row in rows] for c in kind.columns}
    checked = kind.check_columns(columns, by_column, positions)
    for row, pos, fast in zip(rows, positions, checked, strict=True):
        by_row.problems.clear()
        slow = kind.check(row, by_row)
        if slow is None:
            assert BAD in fast, (row, fast)
        else:
            assert fast == (*_as_stored(slow), pos), row
            assert not any(isinstance(value, bool) for value in fast)  # flags as stored, 1 or 0 (the driver's int)
    assert by_column.flagged == any(BAD in fast for fast in checked)


def _as_stored(record: tuple) -> tuple:
    return tuple(value.isoformat() if isinstance(value, date) else value for value in record)


def test_known_kinds_have_column_checks():
    assert [kind.name for kind in FAST_KINDS] == ["received", "decided", "compliance", "improvements"]
