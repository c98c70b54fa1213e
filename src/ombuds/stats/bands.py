"""Bands for colouring a map by one figure: fixed ranges per figure (the same every year, so colours compare across
years), each with a legend label worded by `format`. An authority with no figure (nothing to divide by, or no
population) is in the band "none"."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import pairwise

from ombuds.stats import format as fmt
from ombuds.stats.record import StatisticsRecord

METRIC_LABELS = {
    "uphold_rate": "Uphold rate",
    "satisfactory_remedy_rate": "Satisfactory remedy rate",
    "compliance_rate": "Compliance rate",
    "upheld_per_100k": "Upheld decisions per 100,000 residents",
}
# Lower bounds of bands 2 to 5 (band 1 starts at 0). Rates are fractions; per 100,000 is a count per 100,000.
_BOUNDS = {
    "uphold_rate": (0.4, 0.55, 0.7, 0.85),
    "satisfactory_remedy_rate": (0.05, 0.1, 0.2, 0.3),
    "compliance_rate": (0.9, 0.95, 0.99, 1.0),
    "upheld_per_100k": (0.5, 1.0, 2.0, 4.0),
}
NO_FIGURE = "No figure"


@dataclass(frozen=True)
class Band:
    number: int | None  # 1 (lowest) to 5; None for no figure
    value: float | None
    shown: str

    @property
    def css_class(self) -> str:
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

    def of(self, code: str) -> Band:
        return self.bands[code]


def _value(metric: str, record: StatisticsRecord | None) -> float | None:
    return None if record is None else getattr(record, metric)


def _shown(metric: str, value: float | None) -> str:
    if value is None:
        return NO_FIGURE.lower()
    return fmt.per_100k(value) if metric == "upheld_per_100k" else fmt.percent(value)


def _band_number(metric: str, value: float) -> int:
    shown = fmt.whole_percent(value) / 100 if metric != "upheld_per_100k" else value
    return 1 + sum(shown >= bound for bound in _BOUNDS[metric])


def _legend_labels(metric: str) -> list[str]:
    bounds = _BOUNDS[metric]
    if metric == "upheld_per_100k":
        edges = [fmt.per_100k(b) for b in bounds]
        return [f"under {edges[0]}", *(f"{a} to under {b}" for a, b in pairwise(edges)),
                f"{edges[-1]} or more"]
    whole = [fmt.whole_percent(b) for b in bounds]
    labels = [f"under {whole[0]}%", *(f"{a}% to {b - 1}%" for a, b in pairwise(whole))]
    return [*labels, f"{whole[-1]}%" if whole[-1] == 100 else f"{whole[-1]}% or more"]


def banding(metric: str, records: Mapping[str, StatisticsRecord | None]) -> Banding:
    """Each authority's band for `metric`, and the legend with how many authorities fall in each band."""
    bands = {}
    for code, record in records.items():
        value = _value(metric, record)
        bands[code] = Band(None if value is None else _band_number(metric, value), value, _shown(metric, value))
    labels = _legend_labels(metric)
    legend = [LegendBand(f"band-{i}", labels[i - 1], sum(b.number == i for b in bands.values())) for i in range(1, 6)]
    legend.append(LegendBand("band-none", NO_FIGURE, sum(b.number is None for b in bands.values())))
    return Banding(metric, bands, tuple(legend))
