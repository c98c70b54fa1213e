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


def period_end(year: Year) -> str:
    """`31/03/2019`, as the appendix tables write the year's last day."""
    return year.period_ending


def period_ending(year: Year) -> str:
    """`For the Period Ending: 31/03/2019`."""
    return f"For the Period Ending: {period_end(year)}"


# Fair comparison (docs/methods-fair-comparison.md): intervals, funnel classes, tested change, minimum numbers.

TOO_FEW = "too few cases to give a reliable rate"
FEW_CASES = 10  # below it a letter's panel says the rate can vary a lot by chance
WIDE_INTERVAL = 0.20
"""An interval wider than 20 percentage points is worded as uncertain; a narrower one is given in brief."""
RATE_NAMES = {"uphold_rate": "uphold rate", "satisfactory_remedy_rate": "satisfactory remedy rate",
              "compliance_rate": "compliance rate"}
RATE_BASES = {"uphold_rate": ("investigation", "investigations"),
              "satisfactory_remedy_rate": ("upheld decision", "upheld decisions"),
              "compliance_rate": ("compliance outcome", "compliance outcomes")}
RATE_VERBS = {"uphold_rate": "upheld", "satisfactory_remedy_rate": "remedied satisfactorily",
              "compliance_rate": "complied with"}
FUNNEL_CLASSES = {"within": "within the expected range",
                  "above_95": "above the expected range (outside the 95% limits)",
                  "below_95": "below the expected range (outside the 95% limits)",
                  "above": "well above the expected range (outside the 99.8% limits)",
                  "below": "well below the expected range (outside the 99.8% limits)"}


def reliable_rate(fraction: float | None, denominator: int | None, minimum: int | None, *,
                  zero: str = "0%") -> str:
    """The rate as `rate` shows it, or `too few cases to give a reliable rate` where the denominator is below the
    minimum (None or 0: no minimum, the rate is always shown)."""
    if minimum and denominator is not None and denominator < minimum:
        return TOO_FEW
    return rate(fraction, zero=zero)


def rate_with_interval(rate_name: str, fraction: float | None, denominator: int | None,
                       interval: tuple[float, float] | None) -> str:
    """A comparison cell: `75% (51% to 90%) of 8 investigations`; `no investigations` where there were none."""
    singular, plural = RATE_BASES[rate_name]
    if not denominator or fraction is None:
        return f"no {plural}"
    spread = f" ({percent(interval[0])} to {percent(interval[1])})" if interval is not None else ""
    return f"{percent(fraction)}{spread} of {counted(denominator, singular, plural)}"


def interval_sentence(rate_name: str, denominator: int, interval: tuple[float, float] | None) -> str:
    """`Based on 2 investigations, the uphold rate is uncertain: it could plausibly be anywhere between 34% and 100%.`
    when the 95% interval is wider than 20 points; otherwise `The uphold rate could plausibly be between 70% and
    86%.`; with no denominator, `There were no investigations, so there is no uphold rate.`"""
    name = RATE_NAMES[rate_name]
    singular, plural = RATE_BASES[rate_name]
    if interval is None:
        return f"There were no {plural}, so there is no {name}."
    low, high = percent(interval[0]), percent(interval[1])
    if interval[1] - interval[0] > WIDE_INTERVAL:
        return (f"Based on {counted(denominator, singular, plural)}, the {name} is uncertain: it could plausibly be "
                f"anywhere between {low} and {high}.")
    return f"The {name} could plausibly be between {low} and {high}."


def funnel_class(classification: str | None) -> str:
    """`within the expected range`, …; `not compared` where there is nothing to compare."""
    return FUNNEL_CLASSES.get(classification, "not compared") if classification else "not compared"


def funnel_point_label(name: str, rate_name: str, numerator: int, denominator: int,
                       classification: str | None) -> str:
    """`Stevenage Borough Council: 3 of 4 upheld, 75%, within the expected range`."""
    return (f"{name}: {number(numerator)} of {number(denominator)} {RATE_VERBS[rate_name]}, "
            f"{percent(numerator / denominator)}, {funnel_class(classification)}")


def p_value(p: float) -> str:
    """`p = 0.01`, `p = 0.3`, `p < 0.001`: two significant figures at most."""
    if p < 0.001:
        return "p < 0.001"
    return f"p = {float(f'{p:.2g}'):g}" if p < 0.995 else "p = 1"


def change_sentence(rate_name: str, change) -> str:
    """A `stats.record.RateChange` in words: `The uphold rate rose from 40% to 75%; a change this large is unlikely to
    be chance (p = 0.01).` or `… ; the difference is within what chance would give.`, `The uphold rate did not
    change: it was 100%, as in 2023-24.`; None: no earlier year."""
    name = RATE_NAMES[rate_name]
    if change is None:
        return f"There is no earlier year to compare the {name} with."
    before, after = percent(change.previous), percent(change.current)
    if before == after and not change.significant:
        return f"The {name} did not change: it was {after}, as in {change.previous_year}."
    if before == after:
        moved = f"The {name} was {after}, as in {change.previous_year}"
    else:
        moved = f"The {name} {'rose' if change.current > change.previous else 'fell'} from {before} to {after}"
    if change.significant:
        return f"{moved}; a change this large is unlikely to be chance ({p_value(change.p_value)})."
    return f"{moved}; the difference is within what chance would give."


def revised_figure(value: float | int | str | None) -> str:
    """A figure as a revision lists it, old and new: counts with thousands separated (`1,400`), fractions to four
    decimal places half up (`0.6667`), words as they are (a funnel class, `true`), `none` for a figure that was not
    there."""
    if value is None:
        return "none"
    if isinstance(value, bool):
        return str(value).lower()
    if isinstance(value, str):
        return value
    if isinstance(value, int):  # bool is an int
        return f"{value:,}"
    return f"{Decimal(repr(value)).quantize(Decimal('0.0001'), rounding=ROUND_HALF_UP).normalize():f}"


# The Complaint Handling Code report (stats.code_report): an unknown figure is "not known", never 0.
NOT_KNOWN = "not known"
COMPLIES = {"yes": "Yes", "partly": "Partly", "no": "No", None: "Not assessed"}


def known(n: int | None) -> str:
    """A count that may not be known: `1,400`, or `not known`."""
    return NOT_KNOWN if n is None else f"{n:,}"


def share(n: int, of: int, *, none: str = "0 of 0") -> str:
    """`45 of 50 (90%)`; `none` when there are none to count."""
    return f"{n:,} of {of:,} ({percent(n / of)})" if of else none


def working_days(days: float | None) -> str:
    """A median of working days: `9`, `9.5`; `none responded` without one."""
    if days is None:
        return "none responded"
    value = Decimal(repr(float(days))).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP).normalize()
    return f"{value:f} working day{'' if value == 1 else 's'}"


def per_thousand(value: float | None, size_measure: str) -> str:
    """`1.25 per 1,000 residents`, two decimals half up; `not known` without a size."""
    if value is None:
        return NOT_KNOWN
    shown = Decimal(repr(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{shown} per 1,000 {size_measure}"


def complies(answer: str | None) -> str:
    return COMPLIES[answer]


def code_summary(report: dict) -> list[str]:
    """The report's summary in plain words, from `stats.code_report`'s data."""
    one, two, funnel = report["stage1"], report["stage2"], report["escalation"]
    code = report["code"]
    sentences = [
        f"In {report['year']} {report['body']['name']} received {counted(one['received'], 'complaint')} at "
        f"stage 1 and {counted(two['received'], 'request')} to take a complaint to stage 2.",
        f"It answered {share(one['on_time'], one['responded'])} stage 1 complaints on time (within "
        f"{code['stage1']['respond']} working days of acknowledging them, or by an agreed date within "
        f"{code['stage1']['extended']}), and {share(two['on_time'], two['responded'])} at stage 2.",
    ]
    if funnel["ombudsman_received"] is None:
        sentences.append("How many complaints went on to the ombudsman is not known for this year.")
    else:
        sentences.append(f"The ombudsman received {counted(funnel['ombudsman_received'], 'complaint')} about it and "
                         f"upheld {known(funnel['ombudsman_upheld'])}.")
    assessed = [row for row in report["self_assessment"] if row["complies"] is not None]
    met = sum(row["complies"] == "yes" for row in assessed)
    sentences.append(f"Its self-assessment finds it meets {met:,} of the code's {len(report['self_assessment']):,} "
                     f"provisions in full; {len(report['self_assessment']) - len(assessed):,} were not assessed.")
    return sentences


# The generic ("measures") engine: a measure's value by its display rule (scheme measures.toml `display`).

def measure(value: float | int | None, display: str, *, per: str = "") -> str:
    """A measure's value as its scheme displays it: `count` → `1,400`; `percent` → `64%` (half up); `rate` → `2.3`
    per `per` units (`2.3 per 1,000 homes`); `n/a` where there is no value (a zero denominator, no size)."""
    if value is None:
        return NOT_AVAILABLE
    if display == "count":  # a count, or a peer group's mean count per body (one decimal)
        return number(int(value)) if float(value).is_integer() else per_100k(value)
    if display == "percent":
        return percent(value)
    shown = per_100k(value)
    return f"{shown} {per}".rstrip()


def part_of(part: int, whole: int) -> str:
    """`12 of 40`."""
    return f"{number(part)} of {number(whole)}"


def in_sentence(name: str) -> str:
    """A group's or label's name inside a sentence: its first letter lowered (`housing associations with …`), its
    acronyms kept (`ALMOs`); a name that starts with an acronym is left as it is."""
    first = name.split(" ", 1)[0]
    if not first or first[1:2].isupper():
        return name
    return name[:1].lower() + name[1:]
