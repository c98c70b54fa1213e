"""Figures, averages and comparison; `stats.format` holds every displayed number and sentence.

Importing `ombuds.stats` is cheap: `stats.format` and `stats.layouts` need no database. The service (which
needs the store) is loaded on first use of the names below.
"""

from importlib import import_module

_LAZY = {
    "AVERAGE_METHODS": "ombuds.stats.compute",
    "StatisticsService": "ombuds.stats.service",
    "YearStatistics": "ombuds.stats.service",
    "statistics_service": "ombuds.stats.service",
    "year_statistics": "ombuds.stats.service",
    "authority_statistics": "ombuds.stats.service",
    "years_held": "ombuds.stats.service",
    "StatisticsRecord": "ombuds.stats.record",
    "PublishedDocument": "ombuds.stats.record",
}

__all__ = sorted(_LAZY)


def __getattr__(name: str):
    if name in _LAZY:
        return getattr(import_module(_LAZY[name]), name)
    raise AttributeError(f"module 'ombuds.stats' has no attribute '{name}'")
