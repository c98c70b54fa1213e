"""How we count: what each figure means, how it is shown, which years to compare with care, and where the data
comes from. The comparability notes are read from the site's editions, so the page says what the letters say."""

from __future__ import annotations

from ombuds import urls
from ombuds.site.data import SiteData
from ombuds.site.pages import Page, PageKind
from ombuds.years import Year


def comparability_notes(site: SiteData) -> list[tuple[Year, str]]:
    """Every edition's comparability note, oldest year first."""
    return [(year, edition.comparability_note) for year, edition in site.edition_files() if edition.comparability_note]


def methods(site: SiteData, query) -> Page:
    return Page("methods.html", {"method": site.method, "notes": comparability_notes(site)})


KINDS = [PageKind("methods", "/methods/", methods, urls.methods, lambda site: [{}], max_age=3600)]
