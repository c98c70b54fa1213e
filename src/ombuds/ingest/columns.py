"""Checking a batch of rows column by column: the fast path of an import.

A column's distinct values are few (dates, labels, authorities, yes/no), so each distinct value is judged once, by
the very RowCheck method the row-by-row path uses, and its verdict remembered. A value with a problem comes out as
BAD; a row holding a BAD is then checked again row by row, only to word its problems exactly as that path does.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from datetime import date
from itertools import compress, repeat

from ombuds.ingest.fields import CONTROL, MAX_REFERENCE, RowCheck
from ombuds.labels import Choices
from ombuds.registry import Authority


class _Bad:
    def __repr__(self) -> str:
        return "BAD"


BAD = _Bad()
"""A value with a problem; its row is checked again row by row for the messages."""

Column = list[str]


class ColumnCheck:
    """Judges whole columns with the row checker's own methods, remembering each distinct value's verdict."""

    def __init__(self, check: RowCheck):
        self.check = check
        self._verdicts: dict[tuple, dict] = {}
        self.flagged = False
        """Set when a value came out BAD; the caller clears it before each batch, and when it stays clear no row
        of the batch need be looked at again."""

    def _verdict(self, judge: Callable[[dict[str, str]], object], column: str, value: str) -> object:
        problems = self.check.problems
        problems.clear()
        result = judge({column: value})
        if problems:
            problems.clear()
            return BAD
        return result

    def _each(self, values: Column, key: tuple, judge: Callable[[dict[str, str]], object], column: str) -> list:
        known = self._verdicts.setdefault(key, {})
        distinct = set(values)
        for value in distinct.difference(known):
            known[value] = self._verdict(judge, column, value)
        if not self.flagged and any(known[value] is BAD for value in distinct):
            self.flagged = True
        return list(map(known.__getitem__, values))

    def reference(self, values: Column) -> list:
        """As RowCheck.reference: trimmed, upper-cased, required, at most MAX_REFERENCE characters."""
        out = list(map(str.upper, map(str.strip, values)))
        if all(out) and max(map(len, out), default=0) <= MAX_REFERENCE and not _controlled(out) \
                and not _broken("".join(out)):
            return out
        self.flagged = True
        return [value if value and len(value) <= MAX_REFERENCE and not CONTROL.search(value) and not _broken(value)
                else BAD for value in out]

    def date(self, values: Column, column: str) -> list:
        return self._each(values, ("date", column), lambda row: self.check.date(row, column), column)

    def iso(self, days: list) -> list:
        """Dates as the store keeps them (2019-07-24), written once per distinct date rather than once per row by
        the database driver."""
        written = self._verdicts.setdefault(("iso",), {BAD: BAD})
        for day in set(days).difference(written):
            written[day] = day.isoformat()
        return list(map(written.__getitem__, days))

    @staticmethod
    def stored_flags(flags: list) -> list:
        """Flags as the store keeps them, 1 and 0 (BAD stays BAD). The database driver binds an int as it is, and
        passes a bool through its adapter look-up first: 0.24 s of CPU for 409,889 decisions' three flags."""
        return list(map(_STORED_FLAG.__getitem__, flags))

    def choice(self, values: Column, column: str, labels: Choices, *, required: bool = True) -> list:
        return self._each(values, ("choice", column, required),
                          lambda row: self.check.choice(row, column, labels, required=required), column)

    def flag(self, values: Column, column: str) -> list:
        return self._each(values, ("flag", column), lambda row: self.check.flag(row, column), column)

    def text(self, values: Column, *, required: bool = True) -> list:
        """As RowCheck.text: trimmed; empty is None, or BAD when required. Not remembered: texts are mostly distinct."""
        out = list(map(str.strip, values))
        if _controlled(out):
            self.flagged = True
            out = [BAD if CONTROL.search(value) else value for value in out]
        if all(out):
            return out
        if required:
            self.flagged = True
            return [value or BAD for value in out]
        return [value or None for value in out]

    def authority(self, values: Column, days: list, column: str) -> list:
        """As RowCheck.authority for a case dated `days[i]`. A name that gives one authority with no start or end
        date is that authority's code whatever the date; any other name is judged per name and date."""
        names = self._names(column)
        distinct = set(values)
        for value in distinct.difference(names):
            names[value] = self._timeless(value)
        if not self.flagged and any(names[value] is BAD for value in distinct):
            self.flagged = True
        out = list(map(names.__getitem__, values))
        timed = {value for value in distinct if names[value] is DATED}
        if not timed:
            return out
        dated = self._verdicts.setdefault(("authority on", column), {})
        spans = self._spans(column)
        for value in timed.difference(spans):
            spans[value] = self.span(value)
        within = self._within_spans(values, days, distinct, names, spans)
        if within is not None:
            return within
        for i in compress(range(len(values)), map(timed.__contains__, values)):  # only the rows with such names
            value, day = values[i], days[i]
            if day is BAD:
                out[i] = BAD
                continue
            span = spans[value]
            if span is not None:
                first, last, code = span
                if (first is None or first <= day) and (last is None or day <= last):
                    out[i] = code
                    continue
            code = dated.get((value, day))
            if code is None:
                code = dated[(value, day)] = self._verdict(
                    lambda row, on=day: self.check.authority(row, column, on), column, value)
            if code is BAD:
                self.flagged = True
            out[i] = code
        return out

    def names(self, values: Column, column: str) -> list:
        """Each authority name's verdict whatever the case's date: its authority's code, DATED (the verdict
        depends on the date: see `span`) or BAD; remembered as `authority` remembers them."""
        return _remembered(self._names(column), values, self._timeless)

    def _names(self, column: str) -> dict:
        return self._verdicts.setdefault(("authority", column), {})

    def spans(self, values: Column, column: str) -> list:
        """`span` of each name, remembered as `authority` remembers them."""
        return _remembered(self._spans(column), values, self.span)

    def _spans(self, column: str) -> dict:
        return self._verdicts.setdefault(("authority span", column), {})

    @staticmethod
    def _within_spans(values: Column, days: list, distinct: set[str], names: dict, spans: dict) -> list | None:
        """The common case, in whole columns: every dated name gives one authority and every case's date lies within
        its span, so each name is its authority's code. None otherwise (the caller then goes row by row)."""
        timed = {value: spans[value] for value in distinct if names[value] is DATED}
        if any(span is None for span in timed.values()) or any(map(operator.is_, days, repeat(BAD))):
            return None
        first = dict.fromkeys(distinct, date.min) | {v: span[0] or date.min for v, span in timed.items()}
        last = dict.fromkeys(distinct, date.max) | {v: span[1] or date.max for v, span in timed.items()}
        if not (all(map(operator.le, map(first.__getitem__, values), days))
                and all(map(operator.le, days, map(last.__getitem__, values)))):
            return None
        codes = {value: names[value] for value in distinct} | {v: span[2] for v, span in timed.items()}
        return list(map(codes.__getitem__, values))

    def span(self, value: str) -> tuple[date | None, date | None, str] | None:
        """For a name that gives one authority: the first and last dates a case about it may have, and its code
        (RowCheck.authority accepts exactly those dates); None for a name that gives several."""
        found = self.check.registry.candidates(value)
        if len(found) != 1:
            return None
        return found[0].start_date, found[0].last_case_date, found[0].code

    def _timeless(self, value: str) -> object:
        found = self.check.registry.candidates(value) if value.strip() else []
        if len(found) == 1 and _timeless(found[0]):
            return found[0].code
        return DATED if found else BAD


DATED = object()  # a name whose verdict depends on the case's date


def _remembered(known: dict, values: Column, judge: Callable[[str], object]) -> list:
    """Each value's verdict by `judge`, judged once per distinct value and kept in `known`."""
    for value in set(values).difference(known):
        known[value] = judge(value)
    return list(map(known.__getitem__, values))


_STORED_FLAG = {True: 1, False: 0, BAD: BAD}


def _broken(value: str) -> bool:
    return "\n" in value or "\r" in value


def _controlled(values: Column) -> bool:
    return CONTROL.search("".join(values)) is not None


def _timeless(authority: Authority) -> bool:
    return authority.start_date is None and authority.end_date is None
