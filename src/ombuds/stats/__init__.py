"""Figures, averages and comparison; `stats.format` holds every displayed number and sentence.

Importing `ombuds.stats` is cheap: `stats.format` and `stats.layouts` need no database. The service (which
needs the store) is loaded on first use of the names below.
"""

from ombuds.lazy import lazy_attributes

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

__getattr__ = lazy_attributes(__name__, _LAZY)
