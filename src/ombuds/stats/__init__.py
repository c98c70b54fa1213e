"""Figures, averages and comparison; `stats.format` holds every displayed number and sentence."""

from ombuds.stats.compute import (
    AVERAGE_METHODS,
    authority_statistics,
    published_statistics,
    type_average,
    year_statistics,
    years_held,
)
from ombuds.stats.model import Average, Compliance, Stats

__all__ = ["AVERAGE_METHODS", "Average", "Compliance", "Stats", "authority_statistics", "published_statistics",
           "type_average", "year_statistics", "years_held"]
