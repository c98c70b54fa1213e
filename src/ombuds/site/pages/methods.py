"""How we count: what each figure means, how it is shown, which years to compare with care, and where the data
comes from. The comparability notes are read from the shipped editions, so the page says what the letters say."""

from __future__ import annotations

import re
from importlib import resources

from ombuds.errors import OmbudsError
from ombuds.letters.editions import shipped_edition
from ombuds.site import urls
from ombuds.site.data import SiteData
from ombuds.site.pages import Page, PageKind
from ombuds.years import Year


def comparability_notes() -> list[tuple[Year, str]]:
    """Every shipped edition's comparability note, oldest year first."""
    folder = resources.files("ombuds.letters").joinpath("editions")
    labels = sorted(p.name[:-5] for p in folder.iterdir() if re.fullmatch(r"\d{4}-\d{2}\.toml", p.name))
    notes = []
    for label in labels:
        try:
            year = Year.parse(label)
            note = shipped_edition(year).comparability_note
        except OmbudsError:
            continue
        if note:
            notes.append((year, note))
    return notes


def methods(site: SiteData, query) -> Page:
    return Page("methods.html", {"method": site.method, "notes": comparability_notes()})


KINDS = [PageKind("methods", "/methods/", methods, urls.methods, lambda site: [{}], max_age=3600)]
