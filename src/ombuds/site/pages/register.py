"""The self-assessment register: for a year, which provisions of the Complaint Handling Code organisations most
often do not meet, every organisation's self-assessment linked, and the register as a CSV download. Each council's
own self-assessment is shown on its page (`council_self_assessment`)."""

from __future__ import annotations

from ombuds import urls
from ombuds.registry import Authority
from ombuds.site.data import NotFound, SiteData
from ombuds.site.pages import File, FileKind, Page, PageKind
from ombuds.stats.register import provisions_not_met, register_csv, self_assessment
from ombuds.years import Year


def council_self_assessment(site: SiteData, authority: Authority, year: Year) -> dict | None:
    """The council's self-assessment for the year, every provision listed (None if it made none), with the link to
    the register."""
    this = [a for a in site.self_assessments(year) if a.authority_code == authority.code]
    if not this:
        return None
    last = [a for a in site.self_assessments(Year(year.start_year - 1)) if a.authority_code == authority.code]
    return {"rows": self_assessment(site.code, this, last), "register": urls.register(year),
            "code": site.code.name}


def _year(site: SiteData, label: str) -> Year:
    years = site.assessment_years()
    try:
        year = Year.parse(label)
    except Exception as error:
        raise NotFound(str(error)) from None
    if year not in years:
        raise NotFound(f"no self-assessments for {label}: " + (", ".join(y.label for y in years) or "none yet"))
    return year


def register(site: SiteData, query, year: str) -> Page:
    chosen = _year(site, year)
    rows = site.self_assessments(chosen)
    code = site.code
    summary = provisions_not_met(code, rows)
    bodies = sorted({a.authority_code for a in rows}, key=lambda c: site.authorities.get(c).name)
    organisations = [{"name": site.authorities.get(c).name,
                      "url": urls.council(site.authorities.get(c).slug, chosen)
                      if chosen in site.years_of(site.authorities.get(c)) else None} for c in bodies]
    context = {"year": chosen, "years": site.assessment_years(), "summary": summary, "code": code.name,
               "organisations": organisations, "download": urls.register_csv(chosen)}
    twin = {"year": chosen.label, "code": code.name, "provisions": summary,
            "organisations": [o["name"] for o in organisations], "download": urls.register_csv(chosen)}
    return Page("register.html", context, json=twin)


def register_file(site: SiteData, year: str) -> File:
    chosen = _year(site, year)
    return File(register_csv(site.code, site.self_assessments(chosen), lambda c: site.authorities.get(c).name),
                "text/csv; charset=utf-8")


def _every_year(site: SiteData):
    return ({"year": y.label} for y in site.assessment_years())


KINDS = [
    PageKind("register", "/self-assessment/{year}/", register, lambda year: urls.register(Year.parse(year)),
             _every_year, json_path="/self-assessment/{year}.json",
             json_url=lambda year: urls.register(Year.parse(year))[:-1] + ".json"),
    FileKind("register_csv", "/self-assessment/self-assessment-{year}.csv", register_file,
             lambda year: urls.register_csv(Year.parse(year)), _every_year, max_age=3600),
]
