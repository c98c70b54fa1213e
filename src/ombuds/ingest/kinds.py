"""The kinds of input file of an engine "lgsco" scheme (SPEC 2.1): read from its `kinds.toml`, and turned here into
how each is recognised and how a row is checked.

A row checker returns the row as stored (the table's columns in order) or None when it has problems. The kinds
whose columns can all be judged a column at a time also have a column checker: the same checks over a batch of
rows at once, giving each row as stored or with BAD in place of a value with a problem (see ingest.columns); it
must agree with the row checker on every row (tests/test_import_speed.py). Each column type and each rule a kind
names (`rules`) is checked here; which columns a kind has, and how they are spelt, stored and labelled, is data.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime
from itertools import compress, repeat

from ombuds.errors import OmbudsError
from ombuds.ingest.columns import BAD, Column, ColumnCheck
from ombuds.ingest.fields import RowCheck
from ombuds.ingest.read import HEADER_WITHIN, column_key
from ombuds.labels import COMPLIES, OWN_OUTCOMES, UPHELD_ID, Choices, lookup
from ombuds.schemes import DEFAULT, Scheme, load_scheme
from ombuds.schemes.model import CaseColumn, CaseKind
from ombuds.years import Year

_WORD_LISTS = {"own_outcomes": OWN_OUTCOMES, "complies": COMPLIES}  # schemes.case_kinds.WORD_LISTS, by name
_LATER_DATES = ("acknowledged_date", "response_date", "extended_to")
_WORDS = {"received_date": "receipt", "acknowledged_date": "acknowledgement", "response_date": "response"}
_COLUMNAR = frozenset({"reference", "body", "date", "label", "flag", "text"})  # types with a column checker

Row = dict[str, str]
Batch = dict[str, Column]  # a batch of rows as columns, by column key; a column the file lacks is all ""
Values = dict[str, object]  # a row's checked values by column key (a date column's date, a year column's Year)


@dataclass(frozen=True)
class Kind:
    name: str
    required: tuple[str, ...]
    optional: tuple[str, ...]
    check: Callable[[Row, RowCheck], tuple | None]
    check_columns: Callable[[Batch, ColumnCheck, list[int]], list[tuple]] | None = None
    """Given the batch and each row's position, every row as stored followed by its position (or holding BAD);
    dates come as the store's text (2019-07-24), which the row checker's date objects are stored as."""
    first_load: bool = True
    """Whether rows may go straight into an empty table; False for kinds whose rows are checked against each other
    after staging (an organisation's stage 2 against its stage 1)."""
    personal: tuple[str, ...] = ()
    """Columns never read nor stored (their stored value is left empty): personal data the scheme does not keep."""

    @property
    def columns(self) -> tuple[str, ...]:
        return self.required + self.optional


# How a column's value is read from a row, given the import's RowCheck: (check) → (row) → the value, its problems
# noted. Bound once per RowCheck (an import's), so that a row costs a call per column and nothing more.
Binder = Callable[[RowCheck], Callable[[Row], object]]


def _binder(column: CaseColumn, choices: Choices | None) -> Binder:
    """For any column but a body column (whose check needs the row's date: see _row_checker)."""
    name, required, kind = column.name, column.required, column.type
    if kind == "reference":
        return lambda c: c.reference
    if kind == "date":
        if column.formats:
            return _date_binder(column)
        if required:
            return _calling("date", name)
        return lambda c: lambda row: c.date(row, name) if row.get(name, "").strip() else None
    if kind == "year":
        return lambda c: lambda row: _year(row, c, name)
    if kind in ("label", "choice"):
        return _choosing(name, choices, required, column.default)
    if kind == "provision":
        return lambda c: lambda row: c.choice(row, name, c.provisions)
    if kind == "text":
        lines = column.lines

        def bind_text(c: RowCheck) -> Callable[[Row], object]:
            text = c.text
            return lambda row: text(row, name, required=required, lines=lines)
        return bind_text
    return _calling(kind, name)  # flag, lettered, email, count: RowCheck's methods of those names


def _calling(method: str, name: str) -> Binder:
    """(check) → (row) → check.method(row, name)."""
    def bind(c: RowCheck) -> Callable[[Row], object]:
        call = getattr(c, method)
        return lambda row: call(row, name)
    return bind


def _choosing(name: str, choices: Choices | None, required: bool, default: str | None) -> Binder:
    def bind(c: RowCheck) -> Callable[[Row], object]:
        choice = c.choice
        return lambda row: choice(row, name, choices, required=required, default=default)
    return bind


def _date_binder(column: CaseColumn) -> Binder:
    """A date column with formats of its own: a value in one of them is read as the ISO date it gives."""
    name, required, formats = column.name, column.required, _Formats(column.formats)

    def bind(c: RowCheck) -> Callable[[Row], object]:
        def read(row: Row):
            if not required and not row.get(name, "").strip():
                return None
            return c.date({name: formats.iso(row.get(name, ""))}, name)
        return read
    return bind


class _Formats:
    """The extra date formats (`strptime`'s) of a column, each distinct value's reading remembered."""

    def __init__(self, formats: tuple[str, ...]):
        self.formats = formats
        self.read: dict[str, str] = {}

    def iso(self, value: str) -> str:
        """The value as an ISO date if one of the formats reads it, else as it is (for the usual reading)."""
        found = self.read.get(value)
        if found is None:
            found = self.read[value] = next(filter(None, (_strptime(value.strip(), f) for f in self.formats)), value)
        return found

    def column(self, values: Column) -> Column:
        return list(map(self.iso, values))


def _strptime(value: str, form: str) -> str | None:
    try:
        return datetime.strptime(value, form).date().isoformat()
    except ValueError:
        return None


def _year(row: Row, c: RowCheck, name: str) -> Year | None:
    label = c.text(row, name)
    if label is None:
        return None
    try:
        return Year.parse(label)
    except OmbudsError as error:
        c.problem(name, str(error))
        return None


def _converter(column: CaseColumn) -> Callable[[object], object] | None:
    """How a checked value is turned into what the table stores, where it is not stored as it is."""
    if column.type == "year":
        return operator.attrgetter("label")
    return int if column.integer else None


def _remedy_only_when_upheld(got: Values, c: RowCheck) -> None:
    outcome = got["outcome"]
    if outcome is not None and outcome != UPHELD_ID:
        for column in ("satisfactory_remedy", "remedied_by_ombudsman"):
            if got[column]:
                words = c.label_sets["outcome"]  # the scheme's
                c.problem(column, f"yes on a decision that is '{words.name_of(outcome)}': only an "
                                  f"{words.name_of(UPHELD_ID)} decision can have it")


def _dates_in_order(got: Values, c: RowCheck) -> None:
    received, acknowledged = got["received_date"], got["acknowledged_date"]
    start = ("acknowledged_date", acknowledged) if acknowledged else ("received_date", received)
    for column, earlier in (("acknowledged_date", ("received_date", received)), ("response_date", start),
                            ("extended_to", start)):
        day = got[column]
        if day is not None and earlier[1] is not None and day < earlier[1]:
            c.problem(column, f"{day.isoformat()} is before the {_WORDS[earlier[0]]} ({earlier[1].isoformat()})")


def _population_not_zero(got: Values, c: RowCheck) -> None:
    if got["population"] == 0:
        c.problem("population", "a population of 0 is not possible: leave the row out if the figure is not known")


def _remedy_columns(got: dict[str, list], k: ColumnCheck) -> None:
    """As _remedy_only_when_upheld, over a batch: a row with a remedy and another outcome gets BAD."""
    outcomes, remedies, remedied = got["outcome"], got["satisfactory_remedy"], got["remedied_by_ombudsman"]
    remedy = map(operator.or_, map(operator.is_, remedies, repeat(True)), map(operator.is_, remedied, repeat(True)))
    for i in compress(range(len(outcomes)), remedy):  # only an Upheld decision can have a remedy
        if outcomes[i] != UPHELD_ID:
            outcomes[i] = BAD
            k.flagged = True


Rule = Callable[[Values, RowCheck], None]
RULES: dict[str, tuple[Rule, Callable[[dict[str, list], ColumnCheck], None] | None]] = {
    # each rule's row check, and its column check (None: a kind with the rule is checked row by row)
    "remedy_only_when_upheld": (_remedy_only_when_upheld, _remedy_columns),
    "dates_in_order": (_dates_in_order, None),
    "population_not_zero": (_population_not_zero, None),
}


def _choices(scheme: Scheme, column: CaseColumn) -> Choices | None:
    if column.type == "label":
        return lookup(scheme.labels(column.set or ""))  # label sets give the label's id: what the tables store
    if column.type == "choice":
        values = column.values
        return lookup(_WORD_LISTS[values] if isinstance(values, str) else values)
    return None


def _row_checker(spec: CaseKind, scheme: Scheme) -> Callable[[Row, RowCheck], tuple | None]:
    read = [c for c in spec.columns if not c.personal]
    plain = [(c.name, _binder(c, _choices(scheme, c))) for c in read if c.type != "body"]
    bodies = [(c.name, c.date, c.lifetime) for c in read if c.type == "body"]  # after the dates they need
    converters = [(c.name, convert) for c in read if (convert := _converter(c)) is not None]
    personal = {c.name: None for c in spec.columns if c.personal}
    pick = operator.itemgetter(*(spec.column(field).name for field in spec.order))
    rules = [RULES[rule][0] for rule in spec.rules]
    bound: list = [None, []]  # the RowCheck the readers are bound to, and the readers

    def check(row: Row, c: RowCheck) -> tuple | None:
        if bound[0] is not c:
            bound[:] = [c, [(name, bind(c)) for name, bind in plain]]
        got: Values = {name: read(row) for name, read in bound[1]}
        for name, dated, lifetime in bodies:
            day = got.get(dated) if dated else None
            got[name] = c.authority(row, name, day.start if isinstance(day, Year) else day, case=lifetime)
        for rule in rules:
            rule(got, c)
        if c.problems:
            return None
        for name, convert in converters:
            got[name] = convert(got[name])
        got.update(personal)
        return pick(got)
    return check


ColumnReader = Callable[[Batch, ColumnCheck, dict[str, list]], list]


def _column_reader(column: CaseColumn, choices: Choices | None) -> ColumnReader:
    name, required = column.name, column.required
    if column.type == "reference":
        return lambda b, k, got: k.reference(b[name])
    if column.type == "date" and column.formats:
        formats = _Formats(column.formats)
        return lambda b, k, got: k.date(formats.column(b[name]), name)
    if column.type == "date":
        return lambda b, k, got: k.date(b[name], name)
    if column.type == "body":
        dated = column.date or ""
        return lambda b, k, got: k.authority(b[name], got[dated], name)
    if column.type == "label":
        assert choices is not None
        return lambda b, k, got: k.choice(b[name], name, choices, required=required)
    if column.type == "flag":
        return lambda b, k, got: k.flag(b[name], name)
    if column.lines:
        return lambda b, k, got: k.text(b[name], required=required)
    return lambda b, k, got: _one_line(k.text(b[name], required=required), k)


def _one_line(values: list, k: ColumnCheck) -> list:
    """A text column's values, BAD where one runs over several lines (RowCheck.text words it: a quote left open)."""
    joined = "".join(v for v in values if isinstance(v, str))
    if "\n" not in joined and "\r" not in joined:
        return values
    k.flagged = True
    return [BAD if isinstance(v, str) and ("\n" in v or "\r" in v) else v for v in values]


def _columnar(column: CaseColumn) -> bool:
    if column.type == "body":
        return column.date is not None and column.lifetime
    return column.type in _COLUMNAR and column.default is None and (column.type != "date" or column.required)


def _column_checker(spec: CaseKind, scheme: Scheme) -> Callable[[Batch, ColumnCheck, list[int]], list[tuple]] | None:
    """The kind's column checker, or None when a column or rule of it can only be checked row by row."""
    read = [c for c in spec.columns if not c.personal]
    if not all(map(_columnar, read)) or any(RULES[rule][1] is None for rule in spec.rules):
        return None
    readers = [(c.name, _column_reader(c, _choices(scheme, c))) for c in sorted(read, key=lambda c: c.type == "body")]
    rules = [RULES[rule][1] for rule in spec.rules]
    dates = [c.name for c in read if c.type == "date"]
    flags = [c.name for c in read if c.type == "flag"]
    stored = [spec.column(field).name for field in spec.order]

    def check_columns(b: Batch, k: ColumnCheck, pos: list[int]) -> list[tuple]:
        got: dict[str, list] = {}
        for name, reader in readers:
            got[name] = reader(b, k, got)
        for rule in rules:
            rule(got, k)  # type: ignore[misc]
        got.update({name: k.iso(got[name]) for name in dates})
        got.update({name: k.stored_flags(got[name]) for name in flags})
        empty = [None] * len(pos)  # a personal column's
        return list(zip(*(got.get(name, empty) for name in stored), pos, strict=True))
    return check_columns


def _kind(spec: CaseKind, scheme: Scheme) -> Kind:
    kept = [c for c in spec.columns if not c.personal]
    return Kind(spec.id, tuple(c.name for c in kept if c.required), tuple(c.name for c in kept if not c.required),
                _row_checker(spec, scheme), _column_checker(spec, scheme), spec.first_load,
                tuple(c.name for c in spec.columns if c.personal))


HEADER, PARTIAL_HEADER, NOT_A_HEADER = 2, 1, 0


class Kinds:
    """A scheme's input kinds: how a file's header is read, ranked and recognised."""

    def __init__(self, kinds: Mapping[str, Kind], aliases: Mapping[str, str]):
        self.kinds = dict(kinds)
        self.aliases = dict(aliases)  # an accepted header's column key → the column's name
        self.distinctive = frozenset(c for k in kinds.values() for c in k.required) - {"reference", "authority"}

    def keys(self, header: list[str]) -> list[str]:
        """The header's column keys, an alias as the column it names."""
        keys = [column_key(name) for name in header]
        return [self.aliases.get(key, key) for key in keys] if self.aliases else keys

    def rank(self, cells: list[str]) -> int:
        return header_rank(self.keys(cells), self)

    def recognise(self, header: list[str]) -> tuple[Kind | None, str]:
        return recognise(header, self)


_BUILT: dict[object, tuple[Scheme, Kinds]] = {}  # by folder: the scheme they were built from, and its kinds


def kinds_source(scheme: Scheme) -> Scheme:
    """The scheme whose kinds.toml defines `scheme`'s input kinds: its own (engine "lgsco"), else the shipped
    LGSCO's, the engine's kinds and the case tables' (store.schema.TABLES)."""
    own = scheme.engine == "lgsco" and bool(scheme.case_kinds)
    return scheme if own else load_scheme(DEFAULT)


def kinds_of(scheme: Scheme) -> Kinds:
    """The scheme's input kinds: those of its kinds.toml (engine "lgsco"), else the shipped LGSCO's (the Complaint
    Handling Code's kinds, which any scheme imports, are defined with them)."""
    source = kinds_source(scheme)
    built = _BUILT.get(source.folder)
    if built is None or built[0] is not source:  # a folder loaded again (changed) is built again
        specs = source.case_kinds.values()
        aliases = {alias: c.name for spec in specs for c in spec.columns for alias in c.aliases}
        built = _BUILT[source.folder] = (source, Kinds({spec.id: _kind(spec, source) for spec in specs}, aliases))
    return built[1]


# The Complaint Handling Code year's kinds: any scheme's bodies (a landlord's too) import them.
CODE_KINDS = ("own_complaints", "self_assessment", "improvements")


def header_rank(keys: list[str], kinds: Kinds) -> int:
    """How much a row of column keys looks like a header: HEADER if it has every required column of some kind,
    PARTIAL_HEADER if it has a column that names a kind (a header lacking columns), else NOT_A_HEADER (a title,
    a blank or a data row)."""
    present = set(keys)
    if any(set(k.required) <= present for k in kinds.kinds.values()):
        return HEADER
    return PARTIAL_HEADER if kinds.distinctive & present else NOT_A_HEADER


def recognise(header: list[str], kinds: Kinds) -> tuple[Kind | None, str]:
    """The kind whose required columns the header has; otherwise None and what is wrong."""
    present = set(header)
    every = kinds.kinds.values()
    complete = [k for k in every if set(k.required) <= present]
    complete = [k for k in complete if not any(set(k.required) < set(other.required) for other in complete)]
    if len(complete) == 1:
        return complete[0], ""
    if len(complete) > 1:
        names = " and ".join(k.name for k in complete)
        return None, f"the header fits both {names} files: give each kind its own file"
    best = max(every, key=lambda k: len(set(k.required) & present) / len(k.required))
    distinctive = set(best.required) - {"reference", "authority"}
    if distinctive & present:
        missing = ", ".join(c for c in best.required if c not in present)
        return None, f"looks like a {best.name} file but lacks the required column(s) {missing}"
    expected = "; ".join(f"{k.name}: {', '.join(k.required)}" for k in every)
    return None, (f"cannot tell what kind of file this is from its header (looked for in the first {HEADER_WITHIN} "
                  f"rows); expected the columns of one of {expected}")
