"""The self-assessment register: for a year, which provisions of the Complaint Handling Code organisations most
often do not meet, every organisation's self-assessment linked, and the register as a CSV download. Each body's own
self-assessment is shown on its page (`self_assessment_section`).

The LGSCO's site (`KINDS`) and a generic ("measures") scheme's site (`kinds(segment)`) share these pages; a
`Register` says how each site names and links its bodies and which page layout it uses."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from ombuds import urls
from ombuds.registry import Authority
from ombuds.site.data import NotFound, SiteData
from ombuds.site.incremental import fact
from ombuds.site.pages import File, FileKind, Page, PageKind
from ombuds.site.pages.measures_common import base
from ombuds.stats.register import provisions_not_met, register_csv, self_assessment
from ombuds.years import Year


@dataclass(frozen=True)
class Register:
    layout: str  # the template the register page extends
    context: Callable[[object], dict]  # what the layout needs from the site
    link: Callable[[object, Authority, Year], str | None]  # the body's page for the year, if it has one


def self_assessment_section(site, code: str, name: str, year: Year) -> dict | None:
    """The body's self-assessment for the year, every provision listed (None if it made none), with the link to
    the register."""
    this = [a for a in site.self_assessments(year) if a.authority_code == code]
    if not this:
        return None
    last = [a for a in site.self_assessments(Year(year.start_year - 1)) if a.authority_code == code]
    return {"rows": self_assessment(site.code, this, last), "register": urls.register(year),
            "code": site.code.name, "name": name, "body": site_words(site)[0]}


@fact
def council_self_assessment(site: SiteData, authority: Authority, year: Year) -> dict | None:
    return self_assessment_section(site, authority.code, authority.name, year)


def _year(site, label: str) -> Year:
    years = site.assessment_years()
    try:
        year = Year.parse(label)
    except Exception as error:
        raise NotFound(str(error)) from None
    if year not in years:
        raise NotFound(f"no self-assessments for {label}: " + (", ".join(y.label for y in years) or "none yet"))
    return year


def _register_page(chosen: Register, site, year: str) -> Page:
    year_ = _year(site, year)
    rows = site.self_assessments(year_)
    code = site.code
    summary = provisions_not_met(code, rows)
    body, bodies = site_words(site)
    assessed = sorted((site.authorities.get(c) for c in {a.authority_code for a in rows}), key=lambda a: a.name)
    organisations = [{"name": a.name, "url": chosen.link(site, a, year_)} for a in assessed]
    context = {**chosen.context(site), "layout": chosen.layout, "body": body, "bodies": bodies, "year": year_,
               "years": site.assessment_years(), "summary": summary, "code": code.name,
               "organisations": organisations, "download": urls.register_csv(year_)}
    twin = {"year": year_.label, "code": code.name, "provisions": summary,
            bodies: [o["name"] for o in organisations], "download": urls.register_csv(year_)}
    return Page("register.html", context, json=twin)


def register_file(site, year: str) -> File:
    chosen = _year(site, year)
    return File(register_csv(site.code, site.self_assessments(chosen), lambda c: site.authorities.get(c).name),
                "text/csv; charset=utf-8")


def _every_year(site):
    return ({"year": y.label} for y in site.assessment_years())


def _kinds(chosen: Register) -> list[PageKind | FileKind]:
    return [
        PageKind("register", "/self-assessment/{year}/", lambda site, query, year: _register_page(chosen, site, year),
                 lambda year: urls.register(Year.parse(year)), _every_year, json_path="/self-assessment/{year}.json",
                 json_url=lambda year: urls.register(Year.parse(year))[:-1] + ".json"),
        FileKind("register_csv", "/self-assessment/self-assessment-{year}.csv", register_file,
                 lambda year: urls.register_csv(Year.parse(year)), _every_year, max_age=3600),
    ]


def _council_link(site: SiteData, authority: Authority, year: Year) -> str | None:
    return urls.council(authority.slug, year) if year in site.years_of(authority) else None


def _body_link(site, authority: Authority, year: Year) -> str | None:
    return urls.body(site.segment, authority.slug, year.label) if year in site.years_of(authority.slug) else None


def site_words(site) -> tuple[str, str]:
    """The LGSCO's register speaks of organisations (councils and others); a generic scheme's of its bodies."""
    if isinstance(site, SiteData):
        return "organisation", "organisations"
    return site.scheme.words.body, site.scheme.words.bodies


LGSCO = Register("base.html", lambda site: {}, _council_link)
MEASURES = Register("measures/base.html", base, _body_link)
KINDS = _kinds(LGSCO)


def kinds(seg: str) -> list[PageKind | FileKind]:
    """A generic scheme's register (its bodies' pages live under `seg`, which the site knows)."""
    return _kinds(MEASURES)
