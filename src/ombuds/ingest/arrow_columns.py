"""Checking a block of rows held as pyarrow columns, for a first load that hands them to SQLite without a Python
object per value (store.arrow_load).

The same checks as ingest.columns, and the same verdicts: each column is dictionary-encoded and each DISTINCT value
judged once by the very ColumnCheck (and so RowCheck) methods the other paths use; the verdicts are then spread
over the rows by the dictionary's indices. References and free text, mostly distinct, are trimmed and looked at
with pyarrow's compute functions instead, where those are sure to agree with Python's `str.strip` and `str.upper`
(ASCII references; text whose ends are not other white space); anything else declines.

A block with anything not plain declines (Decline): a value with a problem, a blank row, text beyond the header's
columns, a reference or text pyarrow might trim otherwise. An import never fails here: the declined file is read by
the other path, which words every problem at its line exactly as before.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import TYPE_CHECKING

from ombuds.ingest.columns import BAD, DATED, ColumnCheck
from ombuds.ingest.fields import MAX_REFERENCE
from ombuds.ingest.kinds import _choices, _Formats, kinds_source
from ombuds.labels import UPHELD_ID
from ombuds.schemes import Scheme
from ombuds.schemes.model import CaseColumn, CaseKind

if TYPE_CHECKING:
    import pyarrow as pa

_ASCII_SPACE = " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f"  # what str.strip takes off an ASCII text
_CONTROL = "[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x{9f}\\n\\r]"  # fields.CONTROL, and a line break
_OTHER_SPACE = "\\x{85}\\x{a0}\\x{1680}\\x{2000}-\\x{200a}\\x{2028}\\x{2029}\\x{202f}\\x{205f}\\x{3000}"
_ENDS_IN_OTHER_SPACE = f"^[{_OTHER_SPACE}]|[{_OTHER_SPACE}]$"  # the rest of what str.strip takes off


class Decline(Exception):
    """The block is not plain: its file is read by the other path."""


Got = dict[str, "pa.Array"]
Reader = Callable[["pa.RecordBatch", ColumnCheck, Got], "pa.Array"]


class ArrowKind:
    """One kind's check over pyarrow blocks: each block as the table's stored columns (a pyarrow Table whose column
    names are the table's), or Decline."""

    def __init__(self, spec: CaseKind, scheme: Scheme, where: dict[str, int], width: int, named: int,
                 columns: list[str]):
        read = [c for c in spec.columns if not c.personal]
        self.readers = [(c.name, _reader(c, _choices(scheme, c), where.get(c.name)))
                        for c in sorted(read, key=lambda c: c.type == "body")]
        self.rules = [_RULES[rule] for rule in spec.rules]
        self.flags = [c.name for c in read if c.type == "flag"]
        self.stored = [spec.column(field).name for field in spec.order]
        self.columns = columns  # the table's, in the order of `stored`
        self.width, self.named = width, named
        # a blank row's reference is empty (or the file has none): the reference's check declines the block anyway
        self.blanks_declined = any(c.type == "reference" for c in read)

    def table(self, batch: pa.RecordBatch, k: ColumnCheck) -> pa.Table:
        import pyarrow as pa
        import pyarrow.compute as pc

        _plain_rows(batch, self.width, self.named, blanks=not self.blanks_declined)
        got: Got = {}
        for name, reader in self.readers:
            got[name] = reader(batch, k, got)
        for rule in self.rules:
            rule(got)
        for name in self.flags:  # ColumnCheck.stored_flags: 1 and 0 (ADBC writes no dictionary of numbers)
            got[name] = _decoded(_on_dictionary(got[name], lambda flags: pc.cast(flags, pa.int64())))
        empty = pa.nulls(batch.num_rows, pa.string())  # a personal column's
        return pa.table([_written(got.get(name, empty)) for name in self.stored], names=self.columns)


def arrow_kind(scheme: Scheme, kind: str, where: dict[str, int], width: int, named: int,
               columns: list[str]) -> ArrowKind | None:
    """The kind's block check, or None if a column or rule of it has none (ingest.kinds' column checker must exist
    for the kind: the caller asks only for those)."""
    source = kinds_source(scheme)
    spec = source.case_kinds.get(kind)
    if spec is None or any(rule not in _RULES for rule in spec.rules):
        return None
    return ArrowKind(spec, source, where, width, named, columns)


def _reader(column: CaseColumn, choices, index: int | None) -> Reader:
    """As ingest.kinds._column_reader, over a block (`index`: the column's place in the file, None if absent)."""
    name, required = column.name, column.required

    def cells(batch):
        import pyarrow as pa

        return batch.column(index) if index is not None else pa.array([""] * batch.num_rows, pa.string())

    if column.type == "reference":
        return lambda b, k, got: _references(cells(b))
    if column.type == "date":
        formats = _Formats(column.formats) if column.formats else None
        return lambda b, k, got: _distinct(cells(b), lambda values: k.iso(k.date(
            formats.column(values) if formats else values, name)))
    if column.type == "body":
        dated = column.date or ""
        return lambda b, k, got: _authorities(cells(b), got[dated], k, name)
    if column.type == "label":
        return lambda b, k, got: _distinct(cells(b), lambda values: k.choice(values, name, choices, required=required))
    if column.type == "flag":
        return lambda b, k, got: _distinct(cells(b), lambda values: k.flag(values, name))
    return lambda b, k, got: _text(cells(b), required=required)


def _distinct(values: pa.Array, judge: Callable[[list[str]], list]) -> pa.DictionaryArray:
    """Each distinct value judged once (`judge` takes and gives a list): the verdicts, with each row's index into
    them (a dictionary array: the verdicts are not spread over the rows, a copy of every value)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(values)
    verdicts = judge(encoded.dictionary.to_pylist())
    if any(verdict is BAD for verdict in verdicts):
        raise Decline("a value with a problem")
    try:
        judged = pa.array(verdicts)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        raise Decline("verdicts of mixed types") from None
    return pa.DictionaryArray.from_arrays(encoded.indices, judged)


def _on_dictionary(column: pa.Array, change: Callable[[pa.Array], pa.Array]) -> pa.Array:
    """`change` applied to a dictionary array's values (the rows keep their indices), or to a plain array."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        return pa.DictionaryArray.from_arrays(column.indices, change(column.dictionary))
    return change(column)


def _decoded(column: pa.Array) -> pa.Array:
    """A dictionary array's values spread over its rows; a plain array as it is."""
    import pyarrow as pa

    return column.dictionary.take(column.indices) if pa.types.is_dictionary(column.type) else column


def _written(column: pa.Array) -> pa.Array:
    """A column as ADBC's SQLite driver writes it: a dictionary of text as it is (each row's value bound as the
    text it indexes), any other dictionary spread over the rows."""
    import pyarrow as pa

    if pa.types.is_dictionary(column.type) and pa.types.is_string(column.type.value_type):
        return column
    return _decoded(column)


def _per_row(column: pa.Array, test: Callable[[object], bool]):
    """`test` of each row's value, as a numpy array of booleans; judged once per value of a dictionary array."""
    import numpy as np
    import pyarrow as pa

    if pa.types.is_dictionary(column.type):
        tested = np.array([test(value) for value in column.dictionary.to_pylist()], dtype=bool)
        return tested[column.indices.to_numpy()] if len(tested) else np.zeros(len(column), dtype=bool)
    return np.array([test(value) for value in column.to_pylist()], dtype=bool)


def _references(values: pa.Array) -> pa.Array:
    """As ColumnCheck.reference, for ASCII references: trimmed, upper-cased, required, at most MAX_REFERENCE."""
    import pyarrow.compute as pc

    if not pc.all(pc.string_is_ascii(values)).as_py():
        raise Decline("a reference that is not ASCII")
    out = pc.ascii_upper(pc.utf8_trim(values, characters=_ASCII_SPACE))
    length = pc.utf8_length(out)
    if len(out) and (pc.min(length).as_py() == 0 or pc.max(length).as_py() > MAX_REFERENCE
                     or (not _printable(out) and pc.any(pc.match_substring_regex(out, _CONTROL)).as_py())):
        raise Decline("a reference with a problem")
    return out


def _text(values: pa.Array, *, required: bool) -> pa.Array:
    """As ColumnCheck.text (and kinds._one_line): trimmed; empty is None, or declines when required."""
    import pyarrow as pa
    import pyarrow.compute as pc

    out = pc.utf8_trim(values, characters=_ASCII_SPACE)
    if not _printable(out) and pc.any(pc.match_substring_regex(out, f"{_ENDS_IN_OTHER_SPACE}|{_CONTROL}")).as_py():
        raise Decline("text pyarrow might trim otherwise, or with a control character or line break")
    empty = pc.equal(pc.utf8_length(out), 0)
    if not pc.any(empty).as_py():
        return out
    if required:
        raise Decline("a required text is empty")
    return pc.if_else(empty, pa.scalar(None, pa.string()), out)


def _printable(values: pa.Array) -> bool:
    """Whether every value is printable ASCII: then it has no control character, line break or other white space,
    and the regular expressions that look for those (a tenth of the checks' time) need not run."""
    import pyarrow.compute as pc

    return bool(pc.all(pc.string_is_ascii(values)).as_py()) and bool(pc.all(pc.ascii_is_printable(values)).as_py())


def _authorities(values: pa.Array, days: pa.Array, k: ColumnCheck, column: str) -> pa.Array:
    """As ColumnCheck.authority: a name that gives one authority whatever the date is its code; a name that gives
    one authority for a span of dates is its code when every case's date (ISO text, `days`: a dictionary array) is
    within the span; anything else is judged row by row in Python by ColumnCheck.authority. The codes come as a
    dictionary array (each distinct name's code) where they can."""
    import numpy as np
    import pyarrow as pa
    import pyarrow.compute as pc

    encoded = pc.dictionary_encode(values)
    names = encoded.dictionary.to_pylist()
    verdicts = k.names(names, column)
    if any(verdict is BAD for verdict in verdicts):
        raise Decline("an authority with a problem")
    dated = [i for i, verdict in enumerate(verdicts) if verdict is DATED]
    if not dated:
        return pa.DictionaryArray.from_arrays(encoded.indices, pa.array(verdicts, pa.string()))
    spans = k.spans([names[i] for i in dated], column)
    if all(span is not None for span in spans) and pa.types.is_dictionary(days.type):
        first = np.zeros(len(names), np.int32)  # each name's first and last day, as the number 20190724
        last = np.full(len(names), 99991231, np.int32)
        for i, (start, end, code) in zip(dated, spans, strict=True):
            verdicts[i] = code
            first[i] = _day_number(start) if start else 0
            last[i] = _day_number(end) if end else 99991231
        on = pc.cast(pc.replace_substring(days.dictionary, "-", ""), pa.int32()).to_numpy()[days.indices.to_numpy()]
        which = encoded.indices.to_numpy()
        if bool(np.all((first[which] <= on) & (on <= last[which]))):
            return pa.DictionaryArray.from_arrays(encoded.indices, pa.array(verdicts, pa.string()))
    on = [date.fromisoformat(day) for day in _decoded(days).to_pylist()]
    codes = k.authority(values.to_pylist(), on, column)
    if any(code is BAD for code in codes):
        raise Decline("an authority with a problem")
    return pa.array(codes, pa.string())


def _day_number(day: date) -> int:
    """A date as the number its ISO text gives without the dashes (2019-07-24: 20190724): they sort alike."""
    return day.year * 10_000 + day.month * 100 + day.day


def _remedy_only_when_upheld(got: Got) -> None:
    """As kinds._remedy_columns: a remedy on a decision that is not Upheld declines."""
    remedy = _per_row(got["satisfactory_remedy"], _is_true) | _per_row(got["remedied_by_ombudsman"], _is_true)
    if bool((remedy & _per_row(got["outcome"], lambda outcome: outcome != UPHELD_ID)).any()):
        raise Decline("a remedy on a decision that is not upheld")


def _is_true(value: object) -> bool:
    return value is True


_RULES = {"remedy_only_when_upheld": _remedy_only_when_upheld}  # kinds.RULES' column checks, over blocks


def _plain_rows(batch: pa.RecordBatch, width: int, named: int, *, blanks: bool = True) -> None:
    """Declines a block with a blank row (every cell empty or white space; looked for only if `blanks`) or text
    beyond the `named` first columns: columnar._odd_rows' rows, which the other path reads row by row."""
    import pyarrow.compute as pc

    def empty(column: pa.Array) -> pa.Array:  # ASCII white space only: other white space declines elsewhere
        return pc.equal(pc.utf8_length(pc.utf8_trim(column, characters=_ASCII_SPACE)), 0)

    for i in range(named, width):
        if not pc.all(empty(batch.column(i))).as_py():
            raise Decline("text beyond the header's columns")
    if not blanks or not width or not pc.any(empty(batch.column(0))).as_py():
        return
    blank = empty(batch.column(0))
    for i in range(1, width):
        blank = pc.and_(blank, empty(batch.column(i)))
    if pc.any(blank).as_py():
        raise Decline("a blank row")

