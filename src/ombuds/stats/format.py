"""Every number and phrase that letters and the site display, formatted one way (SPEC 1.3 display rules).

Outputs never round or word a figure themselves: they call these functions with what `stats` returns.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ombuds.years import MONTHS, Year

NOT_AVAILABLE = "n/a"


def whole_percent(fraction: float) -> int:
    """Half up, never banker's: 2/16 = 12.5% → 13; 49/56 = 87.5% → 88. The shortest repr of the float is the
    decimal it stands for (0.145 → '0.145'), so binary noise does not turn 14.5 into 14."""
    return int((Decimal(repr(fraction)) * 100).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def percent(fraction: float | None, *, none: str = "0%") -> str:
    """`13%`; a rate with a zero denominator shows `none` (the panels' `0%`)."""
    return none if fraction is None else f"{whole_percent(fraction)}%"


def average(fraction: float | None) -> str:
    """A type average: `45%`, or `n/a` where the authority has none (abolished that year, or no type)."""
    return percent(fraction, none=NOT_AVAILABLE)


def rate(fraction: float | None, *, zero: str = "0%", bare: bool = False) -> str:
    """An authority's own rate: `13%`, or `13` where a table's heading carries the `(%)`; a rate with a zero
    denominator shows `zero` (the panels' `0%`, the 2018-19 tables' `0` and `-`)."""
    if fraction is None:
        return zero
    return str(whole_percent(fraction)) if bare else percent(fraction)


def per_100k(value: float | None, *, none: str = NOT_AVAILABLE) -> str:
    """One decimal, half up, a trailing `.0` dropped: `7.6`, `11`."""
    if value is None:
        return none
    tenths = (Decimal(repr(value))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)
    text = f"{tenths:,}"
    return text[:-2] if text.endswith(".0") else text


def per_100k_phrase(value: float | None, singular: str, plural: str) -> str:
    """`3.4 upheld decisions per 100,000 residents`; the noun agrees with the number as shown (`1 upheld decision`)."""
    shown = per_100k(value)
    return f"{shown} {singular if shown == '1' else plural} per 100,000 residents"


def number(n: int | None) -> str:
    """A count with thousands separated: `1,400`; `n/a` for a count a published document did not state."""
    return NOT_AVAILABLE if n is None else f"{n:,}"


def counted(n: int, singular: str, plural: str | None = None) -> str:
    """A count with its noun agreeing: `1 upheld decision`, `2 upheld decisions`, `0 compliance outcomes`."""
    return f"{number(n)} {singular if n == 1 else (plural or singular + 's')}"


def was_were(n: int) -> str:
    """The verb that agrees with a count: `1 was`, `2 were`."""
    return f"{number(n)} {'was' if n == 1 else 'were'}"


def long_date(day: date) -> str:
    """`24 July 2019`."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"


def period(year: Year) -> str:
    """`1 April 2019 to 31 March 2020`."""
    return year.period


def period_ending(year: Year) -> str:
    """`For the Period Ending: 31/03/2019`."""
    return f"For the Period Ending: {year.period_ending}"
