"""The live site: every page kind (`site.pages`) served from the database, opened read-only.

Pages are rendered once per data version and kept, so publication-day traffic reads bytes from memory. Every
response carries an ETag and Cache-Control (a matching If-None-Match gets 304), strict security headers, and
GET-only CORS.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from importlib import resources
from pathlib import Path

from cachetools import LRUCache
from fastapi import FastAPI, Request
from fastapi.responses import Response
from starlette.concurrency import run_in_threadpool
from starlette.routing import Match, Route
from starlette.staticfiles import StaticFiles

from ombuds.settings import Settings
from ombuds.site import assets
from ombuds.site.compression import CompressionMiddleware
from ombuds.site.data import NotFound, SiteData
from ombuds.site.pages import FileKind, Page, PageKind, kinds
from ombuds.site.render import json_bytes, render
from ombuds.site.responses import etag, respond
from ombuds.store import Database

SECURITY_HEADERS = {
    "content-security-policy": ("default-src 'self'; img-src 'self' data:; style-src 'self'; script-src 'self'; "
                                "object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"),
    "x-content-type-options": "nosniff",
    "referrer-policy": "strict-origin-when-cross-origin",
    "x-frame-options": "DENY",
    "cross-origin-opener-policy": "same-origin",
}
CORS_HEADERS = {"access-control-allow-origin": "*", "access-control-allow-methods": "GET, HEAD, OPTIONS",
                "access-control-allow-headers": "If-None-Match", "access-control-max-age": "86400"}
VERSION_CHECK_SECONDS = 1.0
CACHE_BYTES = 64 << 20  # rendered pages kept: the most used, whatever the number of addresses asked for
STATIC = Path(str(resources.files("ombuds.site").joinpath("static")))


class RenderedCache:
    """Rendered responses by URL, for one data version (checked at most once a second).

    When the data change (an import, a release published), the new version's statistics are computed in a
    background thread while the pages already rendered go on being served; the cache then switches to the new
    version at once. So a publication never leaves hundreds of readers waiting on the same computation."""

    def __init__(self, site: SiteData):
        self.site = site
        self._lock = threading.Lock()
        self._entries: LRUCache = _pages()
        self._version = site.version()
        self._warming = None  # the version being prepared, if any
        self._checked = time.monotonic()

    def version(self):
        now = time.monotonic()
        if now - self._checked > VERSION_CHECK_SECONDS:
            with self._lock:
                self._checked = now
                version = self.site.version()
                if version != self._version and version != self._warming:
                    self._warming = version
                    threading.Thread(target=self._prepare, args=(version,), name="ombuds-prepare",
                                     daemon=True).start()
        return self._version

    def _prepare(self, version) -> None:
        try:
            for year in self.site.years():
                self.site.year_statistics(year)
        finally:
            with self._lock:
                if self._warming == version:
                    self._version, self._entries, self._warming = version, _pages(), None

    async def get(self, key: str, make: Callable[[], tuple[int, bytes, str]], *,
                  kept: bool = True) -> tuple[int, bytes, str, str]:
        """The cached response for `key`; a miss is rendered in a worker thread, so the event loop only ever
        hands out bytes (a hit costs no thread switch). Only pages that exist (200) are kept, and only when `kept`
        (not a search's answer, whose queries are without end), within CACHE_BYTES, least recently used first out:
        junk addresses cannot grow the server's memory."""
        self.version()
        entries = self._entries
        found = entries.get(key)
        if found is None:
            status, body, media_type = await run_in_threadpool(make)
            found = (status, body, media_type, etag(body))
            if status == 200 and kept and _size(found) <= entries.maxsize:
                entries[key] = found
        return found


def _pages() -> LRUCache:
    return LRUCache(CACHE_BYTES, getsizeof=_size)


def _size(entry: tuple[int, bytes, str, str]) -> int:
    return len(entry[1]) + 200  # the body, and about what the key and the tuple cost


def create_app(database: Database, settings: Settings) -> FastAPI:
    """The live site over `database`, in the words of the settings' scheme, for its profile's organisation and
    with the letters of its editions folder; a generic ("measures") scheme's site when it is one."""
    site = site_data(database, settings)
    app = FastAPI(title=f"{site.profile.site_title}: open data API", version="1", docs_url=None, redoc_url=None,
                  openapi_url="/api/openapi.json")
    app.router.redirect_slashes = False  # Starlette's would build the address from the Host header: `_not_found`
    app.state.site = site
    cache = RenderedCache(site)
    app.state.cache = cache
    for kind in kinds(settings.scheme):
        _add(app, site, cache, kind)
    from ombuds.site.api import api_router, tidy_openapi

    api = api_of(settings.scheme)
    app.include_router(api_router(api))
    app.openapi = lambda: tidy_openapi(app, api.patterns)
    app.router.routes.append(Route("/static/profile.css", _profile_css(site), methods=["GET", "HEAD"]))
    app.router.routes.append(Route("/static/logo.svg", _logo(site), methods=["GET", "HEAD"]))
    app.mount("/static", _Fingerprinted(StaticFiles(directory=STATIC)), name="static")
    app.add_exception_handler(404, _not_found(site))
    app.add_exception_handler(405, _not_allowed)
    app.add_middleware(CompressionMiddleware)
    app.add_middleware(_LimitsMiddleware)
    app.add_middleware(_HeadersMiddleware)  # added last, so outermost: its headers go on the limits' refusals too
    return app


def api_of(scheme):
    """The scheme's JSON API (`site.api.Api`): the LGSCO's, or a measures scheme's (`site.measures_api`)."""
    if scheme.engine == "measures":
        from ombuds.site.measures_api import measures_api

        return measures_api(scheme)
    from ombuds.site.api import lgsco_api

    return lgsco_api(scheme)


def _page_bytes(site: SiteData, kind: PageKind, request: Request, as_json: bool) -> tuple[int, bytes, str]:
    try:
        page: Page = kind.build(site, request.query_params, **request.path_params)
    except NotFound as error:
        if as_json:
            return 404, json_bytes({"detail": str(error)}), "application/json"
        return 404, not_found_page(site, error), "text/html; charset=utf-8"
    if as_json:
        body = json_bytes(page.json)
        return page.status, body, "application/json"
    if page.redirect is not None:
        return 307, ("/" + page.redirect).encode("utf-8"), "redirect"
    context = {**page.context, **site.shared_context(), "canonical": kind.url(**request.path_params)}
    return page.status, render(page.template, context, root="/"), "text/html; charset=utf-8"


def site_data(database: Database, settings: Settings, preview: bool = False):
    """What the pages read: the LGSCO's SiteData, or a measures scheme's MeasuresSite (its reports' editions are
    the scheme's own)."""
    if settings.scheme.engine == "measures":
        from ombuds.site.measures_data import MeasuresSite

        return MeasuresSite(database, settings.profile, settings.scheme, preview=preview)
    return SiteData(database, settings, preview=preview)


def not_found_page(site: SiteData, error: NotFound | str) -> bytes:
    """The 404 page: why (`error`), and, on a measures scheme's site, what would help instead
    (`measures_bodies.not_found_context`)."""
    if not isinstance(site, SiteData):
        from ombuds.site.pages.measures_bodies import not_found_context

        return render("measures/not_found.html", {**not_found_context(site, error), "site": site.profile}, root="/")
    return render("not_found.html", {"reason": str(error), **site.shared_context()}, root="/")


def _add(app: FastAPI, site: SiteData, cache: RenderedCache, kind: PageKind | FileKind) -> None:
    if isinstance(kind, FileKind):
        async def file_endpoint(request: Request) -> Response:
            def make():
                try:
                    f = kind.build(site, **request.path_params)
                except NotFound as error:
                    return 404, not_found_page(site, error), "text/html; charset=utf-8"
                return 200, f.body, f.media_type
            status, body, media_type, tag = await cache.get(request.url.path, make)
            named = kind.filename is not None and status == 200
            extra = {"content-disposition": f'attachment; filename="{kind.filename(**request.path_params)}"'} \
                if named else None
            return respond(request, body, media_type, kind.max_age, status, tag, extra)

        app.router.routes.append(Route(kind.path, file_endpoint, methods=["GET", "HEAD"], name=kind.name))
        return

    def endpoint(as_json: bool):
        async def handle(request: Request) -> Response:
            queried = bool(kind.query and request.url.query)
            key = f"{request.url.path}?{request.url.query}" if queried else request.url.path
            status, body, media_type, tag = await cache.get(key, lambda: _page_bytes(site, kind, request, as_json),
                                                            kept=not queried)
            if media_type == "redirect":
                return Response(status_code=307, headers={"location": body.decode("utf-8"),
                                                          "cache-control": f"public, max-age={kind.max_age}"})
            return respond(request, body, media_type, kind.max_age, status, tag)
        return handle

    app.router.routes.append(Route(kind.path, endpoint(False), methods=["GET", "HEAD"], name=kind.name))
    if kind.json_path:
        app.router.routes.append(Route(kind.json_path, endpoint(True), methods=["GET", "HEAD"],
                                       name=f"{kind.name}-json"))


def _profile_css(site: SiteData):
    body = assets.profile_css(site.profile).encode("utf-8")

    async def handle(request: Request) -> Response:
        return respond(request, body, "text/css; charset=utf-8", 3600)
    return handle


def _logo(site: SiteData):
    body = (site.profile.logo_svg() or assets.DEFAULT_LOGO.read_text(encoding="utf-8")).encode("utf-8")

    async def handle(request: Request) -> Response:
        return respond(request, body, "image/svg+xml", 3600)
    return handle


def _not_found(site: SiteData):
    async def handle(request: Request, exc) -> Response:
        other = _slash_twin(request)
        if other is not None:
            return Response(status_code=307, headers={"location": other})
        reason = "there is no page at this address"
        if request.url.path.startswith("/api/"):
            answered = "endpoint" in request.scope  # a route's own 404 says why
            said = exc.detail if answered and isinstance(getattr(exc, "detail", None), str) else reason
            return Response(json.dumps({"detail": said}), status_code=404, media_type="application/json")
        return Response(not_found_page(site, reason), status_code=404, media_type="text/html; charset=utf-8")
    return handle


def _slash_twin(request: Request) -> str | None:
    """The address with its trailing slash added or taken away, as a path (never from the Host header), when a
    route serves it; None otherwise."""
    path = request.url.path
    if path.startswith("//"):
        return None
    other = path[:-1] if path.endswith("/") else path + "/"
    scope = {**request.scope, "path": other}
    if not any(route.matches(scope)[0] == Match.FULL for route in request.app.router.routes):
        return None
    return other + (f"?{request.url.query}" if request.url.query else "")


async def _not_allowed(request: Request, exc) -> Response:
    return Response("This site is read-only: only GET and HEAD requests are allowed.\n", status_code=405,
                    media_type="text/plain; charset=utf-8", headers={"allow": "GET, HEAD, OPTIONS"})


class _Fingerprinted:
    """The package's static files: a fingerprinted address (`?v=…`, see `render.asset`) may be kept for a year, as
    its content never changes; any other for five minutes."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        fingerprinted = b"v=" in scope.get("query_string", b"")
        lifetime = FINGERPRINTED_CACHE if fingerprinted else "public, max-age=300"

        async def with_lifetime(message):
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.lower() != b"cache-control"]
                message = {**message, "headers": [*headers, (b"cache-control", lifetime.encode())]}
            await send(message)

        await self.app(scope, receive, with_lifetime)


class _HeadersMiddleware:
    """Security and CORS headers on every response; CORS preflight answered for GET only. Pure ASGI, so it adds
    almost nothing per request."""

    def __init__(self, app):
        self.app = app
        self.extra = [(k.encode(), v.encode()) for k, v in {**SECURITY_HEADERS, **CORS_HEADERS}.items()]

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        if scope["method"] == "OPTIONS":
            await send({"type": "http.response.start", "status": 204, "headers": self.extra})
            await send({"type": "http.response.body", "body": b""})
            return

        async def with_headers(message):
            if message["type"] == "http.response.start":
                message = {**message, "headers": [*message.get("headers", []), *self.extra]}
            await send(message)

        await self.app(scope, receive, with_headers)


FILE_WITH_SLASH = re.compile(r"\.[A-Za-z0-9]+/$")  # `/api/years.json/`: one address per file, not a twin
FINGERPRINTED_CACHE = "public, max-age=31536000, immutable"
MAX_TARGET = 8 * 1024  # bytes of path and query string
MAX_HEADERS = 100
MAX_HEADER_BYTES = 16 * 1024
MAX_BODY = 64 * 1024  # the site takes no uploads: a body is at most a client's mistake


class _LimitsMiddleware:
    """Refuse what no reader of a read-only site sends: an overlong address (414), too many or too large headers
    (431), a large request body (413), before any page is looked up."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        length = dict(headers).get(b"content-length", b"0")
        if len(scope.get("raw_path") or scope["path"].encode()) + len(scope.get("query_string", b"")) > MAX_TARGET:
            await _refuse(send, 414, "The address is too long.")
        elif len(headers) > MAX_HEADERS or sum(len(k) + len(v) for k, v in headers) > MAX_HEADER_BYTES:
            await _refuse(send, 431, "The request's headers are too large.")
        elif not length.isdigit() or int(length) > MAX_BODY:
            await _refuse(send, 413, "The request's body is too large: this site takes no uploads.")
        elif FILE_WITH_SLASH.search(scope["path"]):
            await _refuse(send, 404, "There is no page at this address: a file's address has no slash at its end.")
        else:
            await self.app(scope, _capped(receive), send)


def _capped(receive):
    """The request body as it streams in (no Content-Length, chunked): over MAX_BODY ends the request."""
    seen = 0

    async def capped():
        nonlocal seen
        message = await receive()
        seen += len(message.get("body", b""))
        if seen > MAX_BODY:
            return {"type": "http.disconnect"}
        return message
    return capped


async def _refuse(send, status: int, text: str) -> None:
    await send({"type": "http.response.start", "status": status,
                "headers": [(b"content-type", b"text/plain; charset=utf-8"), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": (text + "\n").encode("utf-8")})
