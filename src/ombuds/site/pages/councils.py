"""Every council, A to Z: the list that search falls back to without JavaScript."""

from __future__ import annotations

from ombuds import urls
from ombuds.registry.search import by_name_in_use
from ombuds.site.data import SiteData
from ombuds.site.pages import Page, PageKind


def councils(site: SiteData, query) -> Page:
    """A to Z by the name people use (Camden under C, not "London Borough of")."""
    year = site.latest_year()
    shown = sorted((a for a in site.authorities if site.years_of(a)), key=lambda a: (by_name_in_use(a), a.name))
    rows = [{"authority": a, "type": site.labels.type_names[a.type], "latest": site.default_year(a),
             "current": a.current_in(year), "letter": by_name_in_use(a)[0].upper()} for a in shown]
    letters = sorted({row["letter"] for row in rows})
    return Page("councils.html", {"rows": rows, "letters": letters, "year": year},
                json=[{"code": r["authority"].code, "name": r["authority"].name, "type": r["authority"].type,
                       "url": urls.council(r["authority"].slug)} for r in rows])


KINDS = [PageKind("councils", "/councils/", councils, urls.councils, lambda site: [{}],
                  json_path="/councils.json", json_url=lambda: "councils.json")]
