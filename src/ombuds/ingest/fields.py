"""Checking one row's fields. Each check returns the clean value or None, noting (column, reason) problems."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date, time, timedelta

from ombuds.glyphs import describe, unshowable
from ombuds.labels import Choices, label_key, lookup
from ombuds.registry import Authority, AuthorityNotFound, Registry
from ombuds.registry.lookup import lifespan, pick_by_date
from ombuds.schemes import LabelSet
from ombuds.years import EARLIEST_DATE, EARLIEST_YEAR

_YES = frozenset({"yes", "true", "1", "y"})
_NO = frozenset({"no", "false", "0", "n", ""})
MAX_REFERENCE = 40  # the width of the reference columns in the store
MAX_COUNT = 100_000_000  # no council has more residents; well within both databases' integer columns
_EXCEL_DAY_ZERO = date(1899, 12, 30)  # serial 1 is 1900-01-01 (Excel counts a 29 February 1900 that never was)
_EMAIL = re.compile(r"^[^@\s<>]+@[^@\s<>]+\.[^@\s<>]+$")
CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
"""Control characters (NUL, escape, vertical tab, …): no text a person writes has them, and they break XML, the
terminal a message is printed on, and PostgreSQL (NUL). Tab, line feed and carriage return are text."""


class RowCheck:
    """Collects the problems of the row being checked; reused row after row."""

    def __init__(self, registry: Registry, label_sets: Mapping[str, LabelSet], today: date | None = None,
                 provisions: tuple[str, ...] = ()):
        self.registry = registry
        self.label_sets = label_sets  # the scheme's, for a problem that names a label in its words
        self.provisions = lookup(provisions)  # the scheme's code's provision ids, by label key
        self.latest = a_year_after(today or date.today())
        self.problems: list[tuple[str, str]] = []
        self._names: dict[str, list[Authority] | str] = {}
        self._spellings: dict[int, dict[str, str]] = {}  # per label set: each spelling seen and its label

    def problem(self, column: str, reason: str) -> None:
        self.problems.append((column, reason))

    def text(self, row: dict[str, str], column: str, *, required: bool = True, lines: bool = False) -> str | None:
        """The trimmed value; only free text (`lines`) may run over several lines. Anywhere else a line break
        means a quote left open, and the value (the file's next lines, whatever columns they hold) is not shown."""
        value = row.get(column, "").strip()
        if self.controlled(value, column) or (not lines and self.broken(value, column)):
            return None
        if not value:
            if required:
                self.problem(column, "required, but empty")
            return None
        return value

    def lettered(self, row: dict[str, str], column: str) -> str | None:
        """Text that the letters show (a contact's name, title, salutation): every character must be in one of the
        letters' fonts, or the year's letters could not be made."""
        value = self.text(row, column)
        missing = None if value is None else unshowable(value)
        if missing is None:
            return value
        self.problem(column, f"{describe(missing)}: no font of the letters can show it, so no letter could be made")
        return None

    def reference(self, row: dict[str, str]) -> str | None:
        """References are compared and stored trimmed and upper-cased: 'pr-0001' and 'PR-0001' are one case."""
        value = self.text(row, "reference")
        if value is None:
            return None
        value = value.upper()
        if len(value) > MAX_REFERENCE:
            self.problem("reference", f"longer than {MAX_REFERENCE} characters")
            return None
        return value

    def date(self, row: dict[str, str], column: str) -> date | None:
        value = self.text(row, column)
        if value is None:
            return None
        found = read_date(value)
        if isinstance(found, str):
            self.problem(column, found)
            return None
        if found > self.latest:
            self.problem(column, f"'{value}' is more than a year after today: a date in the future would make years "
                                 "that do not exist yet")
            return None
        if found < EARLIEST_DATE:
            self.problem(column, f"'{value}' is before {EARLIEST_DATE.day} April {EARLIEST_DATE.year}: the earliest "
                                 f"year covered is {EARLIEST_YEAR}, with complaints received in the year before")
            return None
        return found

    def choice(self, row: dict[str, str], column: str, labels: Choices, *, required: bool = True,
               default: str | None = None) -> str | None:
        value = self.text(row, column, required=required and default is None)
        if value is None:
            return default
        spellings = self._spellings.get(id(labels))
        if spellings is None:
            spellings = self._spellings[id(labels)] = {}
        label = spellings.get(value)
        if label is None:
            label = labels.get(label_key(value))
            if label is None:
                self.problem(column, f"unknown value '{value}': expected one of {', '.join(labels.words)}")
                return None
            spellings[value] = label
        return label

    def controlled(self, value: str, column: str) -> bool:
        """Whether the value holds a control character, noting the problem (the value itself is not repeated)."""
        found = CONTROL.search(value)
        if found is None:
            return False
        self.problem(column, f"control character U+{ord(found[0]):04X} at position {found.start() + 1}: not "
                             "accepted in any text")
        return True

    def broken(self, value: str, column: str) -> bool:
        """Whether the value runs over several lines, noting the problem without the value: outside free text
        that is a quote left open, and the value is the file's next lines, whatever columns they hold."""
        if "\n" not in value and "\r" not in value:
            return False
        self.problem(column, f"a value running over {len(value.splitlines())} lines, not shown: is a quote left open "
                             "on this line?")
        return True

    def flag(self, row: dict[str, str], column: str) -> bool:
        if self.controlled(row.get(column, ""), column) or self.broken(row.get(column, ""), column):
            return False
        value = row.get(column, "").strip().casefold()
        if value in _YES:
            return True
        if value not in _NO:
            self.problem(column, f"'{row[column].strip()}' is not yes or no")
        return False

    def count(self, row: dict[str, str], column: str) -> int | None:
        value = self.text(row, column)
        if value is None:
            return None
        digits = value.replace(",", "")
        if re.fullmatch(r"-[0-9]+", digits):
            self.problem(column, f"negative number '{value}'")
            return None
        if not re.fullmatch(r"[0-9]+(\.0+)?", digits):
            self.problem(column, f"'{value}' is not a whole number written in the digits 0 to 9")
            return None
        number = int(digits.partition(".")[0])
        if number > MAX_COUNT:
            self.problem(column, f"'{value}' is more than {MAX_COUNT:,}: no council has that many residents")
            return None
        return number

    def email(self, row: dict[str, str], column: str) -> str | None:
        value = self.text(row, column, required=False)
        if value is not None and not _EMAIL.match(value):
            self.problem(column, f"'{value}' is not an email address")
        return value

    def authority(self, row: dict[str, str], column: str, on: date | None, *, case: bool = True) -> str | None:
        """The authority's code; for a case, it must have existed on the case's date (cases outlive councils)."""
        value = self.text(row, column)
        if value is None:
            return None
        found = self._names.get(value)
        if found is None:
            found = self._names[value] = self.registry.candidates(value) or self._unknown(value)
        if isinstance(found, str):
            self.problem(column, found)
            return None
        if len(found) > 1 and on is not None:
            found = pick_by_date(found, on)
        if len(found) > 1:
            listed = "; ".join(f"{a.name} ({a.code}{lifespan(a)})" for a in found)
            self.problem(column, f"ambiguous authority '{value}': could be {listed}; use the GSS code")
            return None
        authority = found[0]
        if case and on is not None:
            reason = authority.lifetime_problem(on)
            if reason:
                self.problem(column, reason)
                return None
        return authority.code

    def _unknown(self, value: str) -> str:
        try:
            self.registry.resolve(value)
        except AuthorityNotFound as error:
            return str(error)
        raise AssertionError("resolve found what candidates did not")


def a_year_after(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return date(day.year + 1, 3, 1)


def read_date(value: str) -> date | str:
    """The date written in `value`, or why there is none. ISO 2019-07-24 is the common case and is read first;
    then 2019/07/24 and day-first 24/07/2019, any of them with a time of day after it (ignored); then Excel serial
    numbers."""
    if len(value) == 10 and value[4] == "-" and value[7] == "-":
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass  # read again below, to say what is wrong
    if not value.isascii():
        return _malformed(value)
    day, _, clock = value.replace("T", " ", 1).partition(" ")
    if clock and not _is_time(clock.strip()):
        return _malformed(value)
    separator = "-" if "-" in day else "/" if "/" in day else None
    if separator is None:
        return _serial_date(value) if not clock else _malformed(value)
    parts = day.split(separator)
    if len(parts) != 3:
        return _malformed(value)
    if len(parts[0]) == 4:
        year, month, dom = parts
    elif separator == "/":
        dom, month, year = parts
        if len(year) == 2 and year.isdigit():
            return (f"two-digit year in '{value}': the century is ambiguous; write the year in full, as in "
                    "24/07/2019")
        if len(year) != 4:
            return _malformed(value)
    else:
        return _malformed(value)
    if not (year.isdigit() and 1 <= len(month) <= 2 and month.isdigit() and 1 <= len(dom) <= 2 and dom.isdigit()):
        return _malformed(value)
    try:
        return date(int(year), int(month), int(dom))
    except ValueError:
        return f"impossible date '{value}'"


def _is_time(clock: str) -> bool:
    """10:30, 9:05, 10:30:15, 10:30:15.250, with or without a zone (which does not move the date)."""
    if ":" not in clock:
        return False
    try:
        time.fromisoformat(f"0{clock}" if clock[1] == ":" else clock)
    except ValueError:
        return False
    return True


def _serial_date(value: str) -> date | str:
    """A five-digit number, perhaps with a fraction (the time of day), is an Excel serial date (1900 date system):
    what Excel keeps in a date cell, and writes out when the cell has lost its date format."""
    whole, _, fraction = value.partition(".")
    if len(whole) == 5 and whole.isdigit() and (not fraction or fraction.isdigit()):
        return _EXCEL_DAY_ZERO + timedelta(days=int(whole))
    return _malformed(value)


def _malformed(value: str) -> str:
    return f"malformed date '{value}': use 2019-07-24 or 24/07/2019"
