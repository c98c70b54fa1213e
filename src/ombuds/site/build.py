"""The static build: every page and file of every page kind, written as files with relative links, plus the static
assets, the API's JSON files, the search index and postcode shards, and a 404 page.

The pages are exactly the live app's (`site.pages`), rendered with a root that leads from each page back to the site
root (`../../`), so the folder can be served by any web server or opened from disk. Pages are rendered by a pool of
forked workers, each with its own read-only connection to the database. The new site is written beside `out` and
swapped in at the end, so a reader never sees half a build.
"""

from __future__ import annotations

import hashlib
import multiprocessing
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath

from ombuds import urls
from ombuds.errors import OmbudsError
from ombuds.letters.cache import LetterCache
from ombuds.processes import alive
from ombuds.schemes import Scheme
from ombuds.settings import Settings
from ombuds.site import assets
from ombuds.site.compression import MINIMUM, compress
from ombuds.site.data import NotFound, SiteData
from ombuds.site.incremental import (
    Facts,
    Manifest,
    Reach,
    Recorder,
    build_digest,
    data_state,
    file_hash,
    file_record,
    item_key,
    manifest_path,
    reach_since_build,
    write_manifest,
)
from ombuds.site.pages import FileKind, Page, PageKind
from ombuds.site.pages import kinds as all_page_kinds
from ombuds.site.render import json_bytes, render
from ombuds.store import Database, open_database
from ombuds.store.queries import data_version

CHUNK = 40  # pages per task handed to a worker
INLINE = 200  # items left to check or make after linking at most which the build makes itself, starting no worker
ATTEMPTS = 3  # builds started before giving up on data that keeps changing


@dataclass
class BuildReport:
    out: Path
    pages: int = 0
    redirects: int = 0
    files: int = 0  # JSON twins, file kinds, API files, assets, shards
    reused: int = 0  # pages and files whose inputs are unchanged since the previous build, linked, not made again
    skipped: list[str] = field(default_factory=list)  # pages whose data vanished between listing and rendering
    seconds: float = 0.0

    def summary(self) -> str:
        skipped = f", {len(self.skipped)} skipped" if self.skipped else ""
        reused = f" ({self.reused:,} of them unchanged since the last build)" if self.reused else ""
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


_made_folders: set[str] = set()  # folders this process has made (each file's folder is made once, not asked again)


def _write(folder: Path, path: str, body: bytes) -> list:
    """Write a file of the build; its record for the manifest (`file_record`)."""
    target = os.path.join(folder, path)
    parent = os.path.dirname(target)
    if parent not in _made_folders:
        os.makedirs(parent, exist_ok=True)
        _made_folders.add(parent)
    with open(target, "wb") as file:
        file.write(body)
    return file_record(target, hashlib.sha256(body).hexdigest())


TEXT_SUFFIXES = {".html": "text/html", ".json": "application/json", ".csv": "text/csv", ".atom": "application/atom+xml",
                 ".xml": "application/xml", ".txt": "text/plain", ".css": "text/css", ".js": "application/javascript",
                 ".svg": "image/svg+xml"}


def _written(folder: Path, path: str, body: bytes) -> dict[str, list]:
    """Write a file and, in a build with `--precompress`, its `.br` and `.gz` twins if it is text of MINIMUM bytes
    or more; the hash of each file written, by path."""
    outputs = {path: _write(folder, path, body)}
    if _worker.get("precompress") and len(body) >= MINIMUM and PurePosixPath(path).suffix in TEXT_SUFFIXES:
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            outputs[path + suffix] = _write(folder, path + suffix, compress(body, encoding))
    return outputs


# One worker's state, set by `_start_worker` in each worker process.
_worker: dict = {}


def _start_worker(url: str, settings: Settings, folder: str, computed: tuple, names: list[str],
                  previous: str, reach: Reach, preview: bool = False, precompress: bool = False) -> None:
    """In each worker: a read-only database and site of its own (no object, connection or lock is shared with the
    parent), taking over the statistics the parent already computed; the previous build's folder (its manifest's
    entries come with the items) and what changed since it."""
    from ombuds.site.app import site_data

    site = _whole_years(site_data(open_database(url, read_only=True), settings, preview))
    (site.statistics if isinstance(site, SiteData) else site).adopt(computed)
    _worker["site"] = site
    _worker["facts"] = Facts(site, reach)
    _worker["folder"] = Path(folder)
    by_name = {kind.name: kind for kind in kinds(settings.scheme)}
    _worker["kinds"] = [by_name[name] for name in names]  # the parent's kinds, in the parent's order
    _worker["previous"] = Manifest(Path(previous))
    _worker["precompress"] = precompress


def _whole_years(site):
    """The site data as the build reads it: each year's decisions at once (every council's pages are made)."""
    if isinstance(site, SiteData):
        site.whole_years = True
    return site


def _build_chunk(items: list[tuple[int, dict, dict | None]]) -> Result:
    return build_items(_worker["facts"], _worker["kinds"], items, _worker["folder"], _worker["previous"])


def kinds(scheme: Scheme) -> list:
    """The kinds a build makes: the scheme's page kinds and its API's files."""
    from ombuds.site.app import api_of
    from ombuds.site.pages.api_files import file_kinds

    return [*all_page_kinds(scheme), *file_kinds(api_of(scheme).kinds)]


@dataclass
class Result:
    pages: int = 0
    redirects: int = 0
    files: int = 0
    reused: int = 0
    skipped: list[str] = field(default_factory=list)
    items: dict[str, dict] = field(default_factory=dict)  # the manifest's entries of the items built or reused
    inner: dict[str, list[str]] = field(default_factory=dict)  # the questions of the derived facts asked anew

    def tally(self, entry: dict) -> None:
        pages, redirects, files = entry["tally"]
        self.pages += pages
        self.redirects += redirects
        self.files += files


def build_items(facts: Facts, all_kinds: list, items: list[tuple[int, dict, dict | None]], folder: Path,
                previous: Manifest) -> Result:
    """Write the pages and files `items` name (kind position, params, the previous build's entry): each linked
    from the previous build when its facts have the same answers and its files are intact, else made."""
    result = Result()
    for position, params, old in items:
        kind = all_kinds[position]
        key = item_key(kind.name, params)
        if old is not None and facts.unchanged(old["facts"]) and _relink(previous, old["outputs"], folder):
            result.reused += 1
        else:
            try:
                old = _make(Recorder(facts, known=old and old["facts"]), kind, params, folder, previous, old)
            except NotFound as error:
                result.skipped.append(f"{kind.url(**params)}: {error}")
                continue
        result.tally(old)
        result.items[key] = old
    result.inner, facts.inner = facts.inner, {}
    return result


def _link_unchanged(facts: Facts, all_kinds: list, items: list[tuple[int, dict]], folder: Path,
                    previous: Manifest) -> tuple[Result, list[tuple[int, dict, dict | None]]]:
    """Link from the previous build every item whose facts the data's changes cannot have moved (`Reach`),
    without asking any question; the others, each with its previous entry, are left to `build_items`."""
    result, pending = Result(), []
    for position, params in items:
        key = item_key(all_kinds[position].name, params)
        old = previous.items.get(key)
        if old is not None and facts.unmoved(old["facts"]) and _relink(previous, old["outputs"], folder):
            result.reused += 1
            result.tally(old)
            result.items[key] = old
        else:
            pending.append((position, params, old))
    return result, pending


def _relink(previous: Manifest, outputs: dict[str, list], folder: Path) -> bool:
    if previous.intact(outputs) and previous.link(outputs, folder):
        return True
    for path in outputs:  # a link made before one failed is a file shared with the previous build: never write it
        (folder / path).unlink(missing_ok=True)
    return False


def _make(site: Recorder, kind: PageKind | FileKind, params: dict, folder: Path, previous: Manifest,
          old: dict | None) -> dict:
    """Make one page or file through `site`, which notes its facts; its manifest entry."""
    path = kind.url(**params)
    if isinstance(kind, FileKind):
        made = kind.build(site, **params)
        entry = {"facts": site.facts, "fingerprint": made.fingerprint, "tally": [0, 0, 1]}
        if (old is not None and made.fingerprint is not None and old.get("fingerprint") == made.fingerprint
                and _relink(previous, old["outputs"], folder)):
            return {**entry, "outputs": old["outputs"]}
        return {**entry, "outputs": _written(folder, path, made.body)}
    page, body = render_page(site, kind, params, urls.relative_root(path))
    outputs = _written(folder, page_path(path), body)
    if page.redirect is not None:
        return {"facts": site.facts, "outputs": outputs, "tally": [0, 1, 0]}
    twin = kind.json_url is not None and page.json is not None
    if twin:
        outputs.update(_written(folder, kind.json_url(**params), json_bytes(page.json)))
    return {"facts": site.facts, "outputs": outputs, "tally": [1, 0, int(twin)]}


def _write_openapi(database: Database, settings: Settings, folder: Path) -> int:
    """The JSON API's OpenAPI description (its files are kinds: `site.pages.api_files`)."""
    from ombuds.site.app import create_app

    _written(folder, urls.api("openapi.json"), json_bytes(create_app(database, settings).openapi()))
    return 1


def _write_assets(site: SiteData, folder: Path) -> int:
    shutil.copytree(assets.STATIC, folder / "static", ignore=shutil.ignore_patterns("__pycache__", ".*"))
    _write(folder, urls.static("profile.css"), assets.profile_css(site.profile).encode("utf-8"))
    logo = site.profile.logo_svg() or assets.DEFAULT_LOGO.read_text(encoding="utf-8")
    _write(folder, urls.static("logo.svg"), logo.encode("utf-8"))
    if _worker.get("precompress"):
        for path in sorted(p for p in (folder / "static").rglob("*") if p.is_file()):
            _written(folder, path.relative_to(folder).as_posix(), path.read_bytes())
    return sum(1 for p in (folder / "static").rglob("*") if p.is_file())


SHARDS = "postcode shards"  # the manifest's entry for the search's postcode shards (made from the package alone)


def _write_shards(folder: str, previous: Manifest | None = None) -> tuple[int, dict]:
    """The search's postcode shards, linked from the previous build when its files are intact (they change only
    with the package, which the build digest covers); (files, the manifest entry)."""
    from ombuds.registry.postcodes import write_shards

    previous = previous if previous is not None else _worker["previous"]
    old = previous.items.get(SHARDS)
    if old is not None and _relink(previous, old["outputs"], Path(folder)):
        return len(old["outputs"]), old
    shards = Path(folder) / "search" / "postcodes"
    files = write_shards(shards)[0]
    outputs = {path.relative_to(folder).as_posix(): file_record(path, file_hash(path))
               for path in sorted(shards.glob("*.json"))}
    return files, {"facts": {}, "outputs": outputs, "tally": [0, 0, files]}


def _chunks(items: list, size: int) -> list[list]:
    return [items[at:at + size] for at in range(0, len(items), size)]


def build_site(database: Database, out: Path, settings: Settings, workers: int = 2, preview: bool = False,
               on_progress: Callable[[int, int], None] | None = None, precompress: bool = False) -> BuildReport:
    """Write the whole static site into `out` (replaced at the end, all at once); `preview` for staff. The site
    is in the words of the settings' scheme, speaks for its profile's organisation and its letters follow its
    editions folder. A generic ("measures") scheme builds its own page kinds and its own API's files (each
    scheme's API and OpenAPI document as the live app serves them); it has no postcode shards. The build shows one
    version of the data: if an import, release or revision commits while it runs (the data version moves), or the
    day turns (a year may become public), it starts again, at most ATTEMPTS times. `on_progress(done, total)` after
    each chunk of pages. `precompress` writes a `.br` and a `.gz` twin of every text file of MINIMUM bytes or more.
    Pages and files whose inputs did not change since the build in `out` are linked from it (see
    `site.incremental`)."""
    started = time.perf_counter()
    out = Path(out).resolve()
    for _ in range(ATTEMPTS):
        before = _snapshot(database)
        try:
            report = _build_once(database, out, settings, workers, preview, precompress,
                                 lambda seen=before: _snapshot(database) == seen, on_progress)
        except OSError as error:
            raise OmbudsError(f"{out}: cannot write the site: {error.strerror or error}") from None
        if report is not None:
            if settings.letter_cache is not None:
                LetterCache(settings.letter_cache).trim()
            report.seconds = time.perf_counter() - started
            return report
    raise OmbudsError(f"the data changed during each of {ATTEMPTS} builds (imports or releases running): build "
                      "again once they are done")


def _snapshot(database: Database) -> tuple[int, date]:
    with database.read() as connection:
        return data_version(connection), date.today()


def _build_once(database: Database, out: Path, settings: Settings, workers: int, preview: bool, precompress: bool,
                unchanged: Callable[[], bool],
                on_progress: Callable[[int, int], None] | None = None) -> BuildReport | None:
    """One build, swapped in only if `unchanged()` still holds when it is written; None otherwise."""
    from ombuds.site.app import site_data

    site = _whole_years(site_data(database, settings, preview))
    lgsco = isinstance(site, SiteData)
    report = BuildReport(out)
    temporary = out.parent / f".{out.name}.tmp-{os.getpid()}"
    if temporary.exists():
        shutil.rmtree(temporary)
    temporary.mkdir(parents=True)
    _made_folders.clear()  # a folder made by an earlier build in this process may be gone
    clear_interrupted_builds(out)
    all_kinds = kinds(settings.scheme)
    build = build_digest(settings, preview, [kind.name for kind in all_kinds] + ["precompress"] * precompress)
    _worker["precompress"] = precompress  # this process's own writes (one worker, assets, the 404 page)
    entries: dict[str, dict] = {}
    inner: dict[str, list[str]] = {}
    manifest = None
    try:
        items = [(position, dict(params)) for position, kind in enumerate(all_kinds) for params in kind.every(site)]
        previous = Manifest.read(out, build)
        state = data_state(database, site.statistics.years() if lgsco else [])
        facts = Facts(site, reach_since_build(database, previous, state))
        linked, pending = _link_unchanged(facts, all_kinds, items, temporary, previous)
        _add(report, linked, entries, inner)
        if on_progress is not None:
            on_progress(len(items) - len(pending), len(items))
        shards_here = not lgsco or (SHARDS in previous.items and previous.intact(previous.items[SHARDS]["outputs"]))
        if workers > 1 and len(pending) > INLINE:
            context = multiprocessing.get_context("spawn")  # never fork: a parent thread (a server) may hold a lock
            computed = site.statistics.computed() if lgsco else site.computed()
            with context.Pool(workers, _start_worker,
                              (database.url, settings, str(temporary), computed, [kind.name for kind in all_kinds],
                               str(out), facts.reach, preview, precompress)) as pool:
                shards = None if shards_here else pool.apply_async(_write_shards, (str(temporary),))
                results = pool.imap_unordered(_build_chunk, _chunks(pending, CHUNK))
                report.files += _write_assets(site, temporary)
                report.files += _write_openapi(database, settings, temporary)
                for done, result in enumerate(results, start=1):
                    _add(report, result, entries, inner)
                    if on_progress is not None:
                        on_progress(len(items) - len(pending) + min(done * CHUNK, len(pending)), len(items))
                if shards:
                    made, entries[SHARDS] = shards.get()
                    report.files += made
                    shards_here = False
        else:
            _add(report, build_items(facts, all_kinds, pending, temporary, previous), entries, inner)
            report.files += _write_assets(site, temporary)
            report.files += _write_openapi(database, settings, temporary)
            shards_here = lgsco
        if shards_here and lgsco:
            made, entries[SHARDS] = _write_shards(str(temporary), previous)
            report.files += made
        _written(temporary, "404.html", not_found_html(site))
        report.files += 1
        manifest = write_manifest(out, build, entries, state, {**previous.inner, **inner})
        if not unchanged():
            shutil.rmtree(temporary, ignore_errors=True)
            manifest.unlink()
            return None
        _swap(temporary, out)
        manifest.replace(manifest_path(out))
    except BaseException:
        shutil.rmtree(temporary, ignore_errors=True)
        if manifest is not None:
            manifest.unlink(missing_ok=True)
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


def _add(report: BuildReport, result: Result, entries: dict[str, dict], inner: dict[str, list[str]]) -> None:
    report.pages += result.pages
    report.redirects += result.redirects
    report.files += result.files
    report.reused += result.reused
    report.skipped += result.skipped
    entries.update(result.items)
    inner.update(result.inner)


def _swap(new: Path, out: Path) -> None:
    """Put `new` where `out` is: the old build is renamed aside first, then deleted by a process of its own, so that
    the build returns without waiting for tens of thousands of files to go (a build killed before that process is
    done leaves the folder to `clear_interrupted_builds`)."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    if old.exists():  # this process's previous build, still being deleted: its deletion is let finish first
        finish_deleting()
        shutil.rmtree(old, ignore_errors=True)
    if out.exists():
        out.rename(old)
    new.rename(out)
    if old.exists():
        _deleting[:] = [process for process in _deleting if process.poll() is None]  # reap those done
        _deleting.append(subprocess.Popen(
            [sys.executable, "-I", "-S", "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)",
             str(old)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True))


_deleting: list[subprocess.Popen] = []  # the processes deleting replaced builds


def finish_deleting() -> None:
    """Wait until the replaced builds this process set aside are deleted."""
    for process in _deleting:
        process.wait()
    _deleting.clear()
