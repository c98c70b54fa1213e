"""Classes for colouring a map by one figure, drawn from that year's figures so that the map separates councils.

Each council's figure is taken as shown (a whole percent, or per 100,000 to one decimal). The distinct shown values
are cut into at most five classes, in order, so that the largest class is as small as it can be: no class holds
more than a third of the councils coloured unless one shown value alone does (then that value is a class of its
own). Class 1 is the lightest and class 5 the darkest, and darker always means more fault: a higher uphold rate or
more upheld decisions per 100,000, a lower satisfactory remedy or compliance rate.

Compliance is the exception to "classes of similar size": most councils comply with every recommendation, so no
cut could keep a class to a third of them. The councils that complied with all of them (a rate of exactly 1, not
one that rounds to 100%) are class 1 of their own, named in words, and only the councils below are cut into
classes among themselves, numbered to end at class 5 so that the few below 100% stand out (`Banding.all_complied`
says how many were in class 1).

A council with no figure (nothing to divide by, or no population) is in the class "none"; one whose rate rests on
fewer cases than the smallest base (`SMALL_BASE`, or the site profile's `minimum_denominator`) is in the class
"few": its rate is listed in the table but not coloured, so one case does not look like eighty."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from ombuds.stats import comparison
from ombuds.stats import format as fmt
from ombuds.stats.record import StatisticsRecord

METRIC_LABELS = {
    "uphold_rate": "Uphold rate",
    "satisfactory_remedy_rate": "Satisfactory remedy rate",
    "compliance_rate": "Compliance rate",
    "upheld_per_100k": "Upheld decisions per 100,000 residents",
}
LOWER_IS_MORE_FAULT = frozenset({"satisfactory_remedy_rate", "compliance_rate"})
CLASSES = 5
SMALL_BASE = 10  # a rate on fewer cases is not coloured
NO_FIGURE = "No figure"
ALL_COMPLIED = "All recommendations complied with"


@dataclass(frozen=True)
class Band:
    number: int | None  # 1 (lightest, least fault) to 5; None for no figure or too few cases
    value: float | None
    shown: str
    few: bool = False

    @property
    def css_class(self) -> str:
        if self.few:
            return "band-few"
        return "band-none" if self.number is None else f"band-{self.number}"


@dataclass(frozen=True)
class LegendBand:
    css_class: str
    label: str
    count: int


@dataclass(frozen=True)
class Banding:
    metric: str
    bands: Mapping[str, Band]
    legend: tuple[LegendBand, ...]
    all_complied: int | None = None  # compliance only: how many complied with every recommendation (class 1)

    @property
    def coloured(self) -> int:
        return sum(b.number is not None for b in self.bands.values())

    def of(self, code: str) -> Band:
        return self.bands[code]


def _value(metric: str, record: StatisticsRecord | None) -> float | None:
    return None if record is None else getattr(record, metric)


def _shown(metric: str, value: float | None) -> str:
    if value is None:
        return NO_FIGURE.lower()
    return fmt.per_100k(value) if metric == "upheld_per_100k" else fmt.percent(value)


def _key(metric: str, value: float) -> Decimal:
    """The value as shown, as a number: classes are cut between shown values, never inside one."""
    if metric == "upheld_per_100k":
        return Decimal(fmt.per_100k(value).replace(",", ""))
    return Decimal(fmt.whole_percent(value))


def _base(metric: str, record: StatisticsRecord) -> int | None:
    return comparison.base(record, metric) if metric in comparison.RATES else None


def cut(sizes: tuple[int, ...], classes: int = CLASSES) -> tuple[int, ...]:
    """Where to cut a run of groups (their sizes, in order) into at most `classes` contiguous classes so that the
    largest class is smallest, preferring more classes: the index of each class's first group."""
    count = len(sizes)
    starts = [0, *(sum(sizes[:i + 1]) for i in range(count))]

    @cache
    def best(first: int, left: int) -> tuple[int, tuple[int, ...]]:
        if first == count:
            return 0, ()
        if left == 1:
            return starts[count] - starts[first], (first,)
        options = []
        for end in range(first + 1, count + 1):
            largest, rest = best(end, left - 1) if end < count else (0, ())
            options.append((max(starts[end] - starts[first], largest), -len(rest), (first, *rest)))
        largest, _, chosen = min(options)
        return largest, chosen

    return best(0, classes)[1] if count else ()


def _label(metric: str, low: Decimal, high: Decimal) -> str:
    def shown(v: Decimal) -> str:
        if metric == "compliance_rate" and v == 100:  # exactly 100% is class 1: this one only rounds to 100%
            return "just under 100%"
        return fmt.per_100k(float(v)) if metric == "upheld_per_100k" else f"{v}%"
    return shown(low) if low == high else f"{shown(low)} to {shown(high)}"


def _classes(metric: str, keys: Mapping[str, Decimal], first: int, classes: int
             ) -> tuple[dict[Decimal, int], list[LegendBand]]:
    """The shown values cut into at most `classes` classes numbered from `first`, and their key entries."""
    distinct = sorted(set(keys.values()), reverse=metric in LOWER_IS_MORE_FAULT)
    sizes = tuple(sum(k == v for k in keys.values()) for v in distinct)
    starts = cut(sizes, classes)
    number_of: dict[Decimal, int] = {}
    legend = []
    for i, start in enumerate(starts):
        end = starts[i + 1] if i + 1 < len(starts) else len(distinct)
        members = distinct[start:end]
        number_of.update(dict.fromkeys(members, first + i))
        legend.append(LegendBand(f"band-{first + i}", _label(metric, min(members), max(members)),
                                 sum(sizes[start:end])))
    return number_of, legend


def _first_class(metric: str, keys: Mapping[str, Decimal], taken: int) -> int:
    """The number of the first class cut from the shown values: the next after the `taken` ones, except below the
    all-complied class, where the few classes below 100% end at the darkest so that they stand out from it."""
    if metric != "compliance_rate" or not taken:
        return taken + 1
    return CLASSES - min(len(set(keys.values())), CLASSES - taken) + 1


def banding(metric: str, records: Mapping[str, StatisticsRecord | None], *, small_base: int | None = None
            ) -> Banding:
    """Each authority's class for `metric`, and the key from lightest to darkest with how many authorities are in
    each class."""
    smallest = SMALL_BASE if small_base is None else small_base
    keys: dict[str, Decimal] = {}
    few: set[str] = set()
    complete: set[str] = set()
    for code, record in records.items():
        value = _value(metric, record)
        if value is None:
            continue
        base = _base(metric, record)
        if base is not None and base < smallest:
            few.add(code)
        elif metric == "compliance_rate" and value == 1:
            complete.add(code)
        else:
            keys[code] = _key(metric, value)
    legend = [LegendBand("band-1", ALL_COMPLIED, len(complete))] if complete else []
    number_of, rest = _classes(metric, keys, _first_class(metric, keys, len(legend)), CLASSES - len(legend))
    legend += rest
    numbers = dict.fromkeys(complete, 1) | {code: number_of[key] for code, key in keys.items()}
    bands = {code: Band(numbers.get(code), _value(metric, record), _shown(metric, _value(metric, record)),
                        few=code in few)
             for code, record in records.items()}
    if few:
        legend.append(LegendBand("band-few", f"Fewer than {smallest} cases: too few to colour (marked with a dot)",
                                 len(few)))
    legend.append(LegendBand("band-none", NO_FIGURE, sum(b.number is None and not b.few for b in bands.values())))
    return Banding(metric, bands, tuple(legend), len(complete) if metric == "compliance_rate" else None)
