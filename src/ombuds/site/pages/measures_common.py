"""What every page of a generic ("measures") scheme's site shares: the scheme and where its bodies live, and the
year switch."""

from __future__ import annotations

from collections.abc import Callable

from ombuds.site.measures_data import MeasuresSite
from ombuds.years import Year


def base(site: MeasuresSite) -> dict:
    return {"scheme": site.scheme, "segment": site.segment}


def year_links(years: list[Year], chosen: Year, link: Callable[[str], str]) -> list[tuple[str, str, bool]]:
    """The year switch, newest first: (label, path, whether it is this page's year)."""
    return [(y.label, link(y.label), y == chosen) for y in reversed(years)]
