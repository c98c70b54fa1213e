"""Every internal link of a static build, and the file it leads to (a folder's link leads to its index.html, as a
static host serves it)."""

from __future__ import annotations

from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import unquote, urlsplit


class Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        for name, value in attrs:
            if name in ("href", "src") and value:
                self.found.append(value)
            if name == "content" and value and "url=" in value:  # meta refresh
                self.found.append(value.split("url=", 1)[1])


def links_of(html: str) -> list[str]:
    parser = Links()
    parser.feed(html)
    return parser.found


def target_of(site: Path, page: Path, link: str) -> Path | None:
    """The file an internal link leads to; None for an external link."""
    parts = urlsplit(link)
    if parts.scheme or parts.netloc or link.startswith(("#", "mailto:", "data:")):
        return None
    path = unquote(parts.path)
    if not path:
        return None
    target = (site / path.lstrip("/")) if path.startswith("/") else (page.parent / path)
    if path.endswith("/"):
        target = target / "index.html"
    return target.resolve()


def broken_links(site: Path) -> dict[str, list[str]]:
    """Each internal link target that is not a file, with the pages that link to it. The 404 page is served at any
    depth, so its links are all from the site's root and are checked from there."""
    site = site.resolve()
    broken: dict[str, list[str]] = {}
    for page in sorted(site.rglob("*.html")):
        base = site / "404.html" if page.name == "404.html" else page
        for link in links_of(page.read_text(encoding="utf-8")):
            target = target_of(site, base, link)
            if target is not None and not target.is_file():
                broken.setdefault(str(target.relative_to(site)), []).append(str(page.relative_to(site)))
    return broken
