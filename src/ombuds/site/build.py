"""The static build: every page and file of every page kind, written as files with relative links, plus the static
assets, the API's JSON files, the search index and postcode shards, and a 404 page.

The pages are exactly the live app's (`site.pages`), rendered with a root that leads from each page back to the site
root (`../../`), so the folder can be served by any web server or opened from disk. Pages are rendered by a pool of
forked workers, each with its own read-only connection to the database. The new site is written beside `out` and
swapped in at the end, so a reader never sees half a build.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import shutil
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ombuds import urls
from ombuds.errors import OmbudsError
from ombuds.processes import alive
from ombuds.settings import Settings
from ombuds.site import assets
from ombuds.site.data import NotFound, SiteData
from ombuds.site.pages import FileKind, Page, PageKind, kinds
from ombuds.site.pages import kinds as all_page_kinds
from ombuds.site.render import json_bytes, render
from ombuds.store import Database, open_database
from ombuds.store.queries import data_version

CHUNK = 40  # pages per task handed to a worker
ATTEMPTS = 3  # builds started before giving up on data that keeps changing
MANIFEST = ".ombuds-build.json"  # what the build made each file from, for the next build


@dataclass
class BuildReport:
    out: Path
    pages: int = 0
    redirects: int = 0
    files: int = 0  # JSON twins, file kinds, API files, assets, shards
    reused: int = 0  # files unchanged since the previous build, linked rather than made again
    skipped: list[str] = field(default_factory=list)  # pages whose data vanished between listing and rendering
    seconds: float = 0.0

    def summary(self) -> str:
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        reused = f" ({self.reused:,} unchanged since the last build)" if self.reused else ""
        return (f"{self.pages:,} pages, {self.redirects:,} redirects, {self.files:,} files{reused}{skipped} "
                f"in {self.out} in {self.seconds:.1f} s")


def page_path(path: str) -> str:
    """Where a page's URL path is written: a folder's `index.html`."""
    return path + "index.html" if path == "" or path.endswith("/") else path


def render_page(site: SiteData, kind: PageKind, params: dict, root: str) -> tuple[Page, bytes]:
    """A page as the static build writes it: its HTML (a redirect as a meta-refresh page) with links from `root`.
    Mirrors the live app's rendering; raises NotFound like it."""
    page = kind.build(site, {}, **params)
    context = {**page.context, "site": site.profile, "words": site.scheme.words,
               "preview": site.preview_notes() if site.preview else None, "canonical": kind.url(**params)}
    if page.redirect is not None:
        template = page.template if page.template.endswith("redirect.html") else "redirect.html"
        return page, render(template, {**context, "target": page.redirect, "canonical": page.redirect}, root=root)
    return page, render(page.template, context, root=root)


def not_found_html(site: SiteData, reason: str = "there is no page at this address") -> bytes:
    """The 404 page: hosts serve it at any depth, so its links start from the site's root path."""
    from ombuds.site.app import not_found_page

    return not_found_page(site, reason)


def _write(folder: Path, path: str, body: bytes) -> None:
    target = folder / path
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_bytes(body)


# One worker's state, set by `_start_worker` in each worker process.
_worker: dict = {}


def _start_worker(url: str, settings: Settings, folder: str, computed: tuple, names: list[str],
                  previous: Previous, preview: bool = False) -> None:
    """In each worker: a read-only database and site of its own (no object, connection or lock is shared with the
    parent), taking over the statistics the parent already computed."""
    from ombuds.site.app import site_data

    site = site_data(open_database(url, read_only=True), settings, preview)
    (site.statistics if isinstance(site, SiteData) else site).adopt(computed)
    _worker["site"] = site
    _worker["folder"] = Path(folder)
    by_name = {kind.name: kind for kind in all_page_kinds(settings.scheme)}
    _worker["kinds"] = [by_name[name] for name in names]  # the parent's kinds, in the parent's order
    _worker["previous"] = previous


def _build_chunk(items: list[tuple[int, dict]]) -> Result:
    return build_items(_worker["site"], _worker["kinds"], items, _worker["folder"], _worker["previous"])


@dataclass(frozen=True)
class Previous:
    """The build being replaced: its folder and the fingerprints of the files it made."""

    folder: Path
    fingerprints: dict[str, str]

    @classmethod
    def of(cls, out: Path) -> Previous:
        try:
            fingerprints = json.loads((out / MANIFEST).read_text(encoding="utf-8"))["fingerprints"]
        except (OSError, ValueError, KeyError, TypeError):
            fingerprints = {}
        return cls(out, fingerprints if isinstance(fingerprints, dict) else {})

    def reuse(self, path: str, fingerprint: str | None, folder: Path) -> bool:
        """Link the previous build's copy of `path` into `folder` when it was made from the same inputs."""
        if fingerprint is None or self.fingerprints.get(path) != fingerprint:
            return False
        target = folder / path
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(self.folder / path, target)
        except OSError:
            return False
        return True


@dataclass
class Result:
    pages: int = 0
    redirects: int = 0
    files: int = 0
    reused: int = 0
    skipped: list[str] = field(default_factory=list)
    fingerprints: dict[str, str] = field(default_factory=dict)


def build_items(site: SiteData, all_kinds: list, items: list[tuple[int, dict]], folder: Path,
                previous: Previous | None = None) -> Result:
    """Write the pages and files `items` name (kind position, params)."""
    result = Result()
    skipped = result.skipped
    for position, params in items:
        kind = all_kinds[position]
        path = kind.url(**params)
        try:
            if isinstance(kind, FileKind):
                made = kind.build(site, **params)
                if previous is not None and previous.reuse(path, made.fingerprint, folder):
                    result.reused += 1
                else:
                    _write(folder, path, made.body)
                if made.fingerprint is not None:
                    result.fingerprints[path] = made.fingerprint
                result.files += 1
                continue
            page, body = render_page(site, kind, params, urls.relative_root(path))
        except NotFound as error:
            skipped.append(f"{path}: {error}")
            continue
        _write(folder, page_path(path), body)
        if page.redirect is not None:
            result.redirects += 1
            continue
        result.pages += 1
        if kind.json_url is not None and page.json is not None:
            _write(folder, kind.json_url(**params), json_bytes(page.json))
            result.files += 1
    return result


def _write_api(site: SiteData, database: Database, settings: Settings, folder: Path) -> int:
    """Every file of the scheme's JSON API, built by the functions the live API answers with
    (`site.pages.api_files`), and its OpenAPI description (the live app's)."""
    from ombuds.site.app import api_of, create_app
    from ombuds.site.pages.api_files import file_kinds

    written = 0
    for kind in file_kinds(api_of(settings.scheme).kinds):
        for params in kind.every(site):
            _write(folder, kind.url(**params), kind.build(site, **params).body)
            written += 1
    _write(folder, urls.api("openapi.json"), json_bytes(create_app(database, settings).openapi()))
    return written + 1


def _write_assets(site: SiteData, folder: Path) -> int:
    shutil.copytree(assets.STATIC, folder / "static", ignore=shutil.ignore_patterns("__pycache__", ".*"))
    _write(folder, urls.static("profile.css"), assets.profile_css(site.profile).encode("utf-8"))
    logo = site.profile.logo_svg() or assets.DEFAULT_LOGO.read_text(encoding="utf-8")
    _write(folder, urls.static("logo.svg"), logo.encode("utf-8"))
    return sum(1 for p in (folder / "static").rglob("*") if p.is_file())


def _write_shards(folder: str) -> int:
    from ombuds.registry.postcodes import write_shards

    return write_shards(Path(folder) / "search" / "postcodes")[0]


def _chunks(items: list, size: int) -> list[list]:
    return [items[at:at + size] for at in range(0, len(items), size)]


def build_site(database: Database, out: Path, settings: Settings, workers: int = 2,
               preview: bool = False, on_progress: Callable[[int, int], None] | None = None) -> BuildReport:
    """Write the whole static site into `out` (replaced at the end, all at once); `preview` for staff. The site
    is in the words of the settings' scheme, speaks for its profile's organisation and its letters follow its
    editions folder. A generic ("measures") scheme builds its own page kinds and its own API's files (each
    scheme's API and OpenAPI document as the live app serves them); it has no postcode shards. The build shows one
    version of the data: if an import, release or revision commits while it runs (the data version moves), or the
    day turns (a year may become public), it starts again, at most ATTEMPTS times. `on_progress(done, total)` after
    each chunk of pages."""
    started = time.perf_counter()
    out = Path(out).resolve()
    for _ in range(ATTEMPTS):
        before = _snapshot(database)
        try:
            report = _build_once(database, out, settings, workers, preview,
                                 lambda seen=before: _snapshot(database) == seen, on_progress)
        except OSError as error:
            raise OmbudsError(f"{out}: cannot write the site: {error.strerror or error}") from None
        if report is not None:
            report.seconds = time.perf_counter() - started
            return report
    raise OmbudsError(f"the data changed during each of {ATTEMPTS} builds (imports or releases running): build "
                      "again once they are done")


def _snapshot(database: Database) -> tuple[int, date]:
    with database.read() as connection:
        return data_version(connection), date.today()


def _build_once(database: Database, out: Path, settings: Settings, workers: int, preview: bool,
                unchanged: Callable[[], bool],
                on_progress: Callable[[int, int], None] | None = None) -> BuildReport | None:
    """One build, swapped in only if `unchanged()` still holds when it is written; None otherwise."""
    from ombuds.site.app import site_data

    site = site_data(database, settings, preview)
    lgsco = isinstance(site, SiteData)
    report = BuildReport(out)
    temporary = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if temporary.exists():
        shutil.rmtree(temporary)
    temporary.mkdir(parents=True)
    clear_interrupted_builds(out)
    previous = Previous.of(out)
    fingerprints: dict[str, str] = {}
    try:
        all_kinds = kinds() if lgsco else kinds(settings.scheme)
        items = [(position, dict(params)) for position, kind in enumerate(all_kinds) for params in kind.every(site)]
        if workers > 1:
            context = multiprocessing.get_context("spawn")  # never fork: a parent thread (a server) may hold a lock
            computed = site.statistics.computed() if lgsco else site.computed()
            with context.Pool(workers, _start_worker,
                              (database.url, settings, str(temporary), computed,
                               [kind.name for kind in all_kinds], previous, preview)) as pool:
                shards = pool.apply_async(_write_shards, (str(temporary),)) if lgsco else None
                results = pool.imap_unordered(_build_chunk, _chunks(items, CHUNK))
                report.files += _write_assets(site, temporary)
                report.files += _write_api(site, database, settings, temporary)
                for done, result in enumerate(results, start=1):
                    _add(report, result, fingerprints)
                    if on_progress is not None:
                        on_progress(min(done * CHUNK, len(items)), len(items))
                report.files += shards.get() if shards else 0
        else:
            _add(report, build_items(site, all_kinds, items, temporary, previous), fingerprints)
            report.files += _write_shards(str(temporary)) if lgsco else 0
            report.files += _write_assets(site, temporary)
            report.files += _write_api(site, database, settings, temporary)
        _write(temporary, "404.html", not_found_html(site))
        _write(temporary, MANIFEST, json_bytes({"fingerprints": fingerprints}))
        report.files += 1
        if not unchanged():
            shutil.rmtree(temporary, ignore_errors=True)
            return None
        _swap(temporary, out)
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        raise
    return report


def clear_interrupted_builds(out: Path) -> None:
    """What a build killed part-way left beside `out`: its unfinished folder (`.NAME.tmp-PID`) is deleted, and the
    previous build it had renamed aside (`.NAME.old-PID`) is put back if `out` is missing, else deleted."""
    for path in sorted(out.parent.glob(f".{out.name}.*-*")):
        kind, _, pid = path.name.rpartition("-")
        if kind not in (f".{out.name}.tmp", f".{out.name}.old") or not pid.isdigit() or alive(int(pid)):
            continue
        if kind.endswith(".old") and not out.exists():
            path.rename(out)
        else:
            shutil.rmtree(path, ignore_errors=True)


def _add(report: BuildReport, result: Result, fingerprints: dict[str, str]) -> None:
    report.pages += result.pages
    report.redirects += result.redirects
    report.files += result.files
    report.reused += result.reused
    report.skipped += result.skipped
    fingerprints.update(result.fingerprints)


def _swap(new: Path, out: Path) -> None:
    """Put `new` where `out` is: the old build is renamed aside first, then deleted."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if out.exists():
        out.rename(old)
    new.rename(out)
    if old.exists():
        shutil.rmtree(old)
