"""Every number and phrase that letters and the site display, formatted one way (SPEC 1.3 display rules).

Outputs never round or word a figure themselves: they call these functions with what `stats` returns.
"""

from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from ombuds.years import MONTHS, Year

NOT_AVAILABLE = "n/a"

# Layouts of the annual letter and page (SPEC 1.4), and the years each is the default for.
APPENDIX_2017 = "appendix-2017-18"
APPENDIX_2018 = "appendix-2018-19"
PANELS = "panels-2019-20"
PANELS_PER_100K = "panels-2022-23"
OVERVIEW = "overview-2024-25"
LAYOUTS = (APPENDIX_2017, APPENDIX_2018, PANELS, PANELS_PER_100K, OVERVIEW)

# What a rate with nothing to divide by shows, by layout: the 2018-19 tables show 0 for the uphold rate and - for
# compliance; the tables print rates as bare numbers under a "(%)" heading; the panels show 0%.
_ZERO_RATE = {
    APPENDIX_2017: {"uphold_rate": "0%", "satisfactory_remedy_rate": "0%", "compliance_rate": "-"},
    APPENDIX_2018: {"uphold_rate": "0", "satisfactory_remedy_rate": "0", "compliance_rate": "-"},
}
_BARE_NUMBER = {APPENDIX_2018: {"uphold_rate", "satisfactory_remedy_rate"}}


def default_layout(year: Year) -> str:
    if year.start_year <= 2017:
        return APPENDIX_2017
    if year.start_year == 2018:
        return APPENDIX_2018
    if year.start_year <= 2021:
        return PANELS
    if year.start_year <= 2023:
        return PANELS_PER_100K
    return OVERVIEW


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


def rate(fraction: float | None, name: str, layout: str) -> str:
    """An authority's own rate as `layout` shows it, including the zero-denominator wording of that layout.

    `name` is the Stats attribute: uphold_rate, satisfactory_remedy_rate or compliance_rate."""
    if layout not in LAYOUTS:
        raise ValueError(f"unknown layout '{layout}'")
    if fraction is None:
        return _ZERO_RATE.get(layout, {}).get(name, "0%")
    if name in _BARE_NUMBER.get(layout, ()):
        return str(whole_percent(fraction))
    return percent(fraction)


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


def number(n: int) -> str:
    """A count with thousands separated: `1,400`."""
    return f"{n:,}"


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
