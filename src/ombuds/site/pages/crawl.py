"""What search engines read: `robots.txt` (everything may be crawled; the sitemap's address) and `sitemap.xml`
(every page the static build writes, as absolute URLs under the profile's `base_url`; redirects, JSON twins and
files are left out)."""

from __future__ import annotations

from xml.sax.saxutils import escape

from ombuds import urls
from ombuds.site.data import SiteData
from ombuds.site.pages import File, FileKind, PageKind

REDIRECTS = frozenset({"council-latest", "national-latest"})


def robots(site: SiteData) -> File:
    body = f"User-agent: *\nAllow: /\nSitemap: {site.profile.base_url}{urls.sitemap()}\n"
    return File(body.encode("utf-8"), "text/plain; charset=utf-8")


def sitemap_paths(site: SiteData) -> list[str]:
    from ombuds.site.pages import kinds

    return [kind.url(**params) for kind in kinds(site.scheme)
            if isinstance(kind, PageKind) and kind.name not in REDIRECTS for params in kind.every(site)]


def sitemap(site: SiteData) -> File:
    base = site.profile.base_url
    entries = "".join(f"<url><loc>{escape(base + path)}</loc></url>" for path in sitemap_paths(site))
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
            f"{entries}</urlset>\n")
    return File(body.encode("utf-8"), "application/xml; charset=utf-8")


KINDS = [
    FileKind("robots", "/robots.txt", robots, urls.robots, lambda site: [{}], max_age=3600),
    FileKind("sitemap", "/sitemap.xml", sitemap, urls.sitemap, lambda site: [{}], max_age=3600),
]
