"""Page kinds: each module describes its pages as `PageKind`s, whose `build` is a pure function of the site data
and the page's parameters. The live app and the static build both render exactly these.

A kind's `path` is its URL pattern (Starlette syntax); `url(**params)` builds one page's path with `ombuds.urls`;
`every(site)` lists the parameters of every page of the kind for the static build (live-only kinds list none);
`json_path`, where set, is the pattern of the page's JSON twin.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from importlib import import_module

from ombuds.site.data import SiteData


@dataclass(frozen=True)
class Page:
    template: str
    context: dict
    json: dict | list | None = None  # the page's JSON twin
    redirect: str | None = None  # a path (from ombuds.urls) to send the reader to instead
    status: int = 200


@dataclass(frozen=True)
class PageKind:
    name: str
    path: str
    build: Callable[..., Page]  # build(site, query, **params)
    url: Callable[..., str]
    every: Callable[[SiteData], Iterable[dict]] = lambda site: ()
    json_path: str | None = None
    json_url: Callable[..., str] | None = None
    max_age: int = 300  # seconds a browser or CDN may keep it
    query: tuple[str, ...] = field(default_factory=tuple)  # query parameters it reads (live only)


@dataclass(frozen=True)
class File:
    """A file's bytes, or how to make them. A `fingerprint`, where given, is a hash of everything the bytes are made
    from, known before they are made: the static build reuses the previous build's copy when it has not changed."""

    content: bytes | Callable[[], bytes]
    media_type: str
    fingerprint: str | None = None

    @property
    def body(self) -> bytes:
        return self.content() if callable(self.content) else self.content


@dataclass(frozen=True)
class FileKind:
    """A file that is not a page (a letter, a feed, a download): built as bytes, served and written as they are."""

    name: str
    path: str
    build: Callable[..., File]  # build(site, **params)
    url: Callable[..., str]
    every: Callable[[SiteData], Iterable[dict]] = lambda site: ()
    max_age: int = 300
    filename: Callable[..., str] | None = None  # a download's name, given its parameters (Content-Disposition)


MODULES = ("home", "councils", "council", "search", "decisions", "methods", "national", "data", "api_docs", "funnel",
           "compare", "crawl", "register")
# A generic ("measures") scheme's pages: each module's `kinds(segment)` places its bodies' pages under the scheme's
# word for them (`landlords/`).
MEASURES_MODULES = ("measures_bodies", "measures_body", "measures_national", "measures_funnel", "measures_open",
                    "register")


def kinds(scheme) -> list[PageKind | FileKind]:
    """Every page and file kind of every page module the scheme's engine uses, in module order."""
    found: list[PageKind | FileKind] = []
    if scheme.engine == "measures":
        from ombuds.urls import segment

        for name in MEASURES_MODULES:
            found += import_module(f"ombuds.site.pages.{name}").kinds(segment(scheme.words.bodies))
        return found
    for name in MODULES:
        found += import_module(f"ombuds.site.pages.{name}").KINDS
    return found


def query_value(query: Mapping[str, str], name: str) -> str | None:
    value = query.get(name, "").strip()
    return value or None
