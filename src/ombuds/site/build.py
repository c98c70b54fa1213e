"""The static build: every page and file of every page kind, written as files with relative links, plus the static
assets, the API's JSON files, the search index and postcode shards, and a 404 page.

The pages are exactly the live app's (`site.pages`), rendered with a root that leads from each page back to the site
root (`../../`), so the folder can be served by any web server or opened from disk. Pages are rendered by a pool of
forked workers, each with its own read-only connection to the database. A build from nothing (no previous build
in `out`, or one its manifest does not describe: other code, settings or kinds) is written beside `out` and swapped
in at the end, so a reader never sees half of it. A rebuild over a build its manifest describes updates `out` in
place: each file made again is written under a temporary name in its folder and renamed over the old one (a reader
sees the old file or the new, never part of one), files no item wrote any more are deleted, and the manifest is
written last. A rebuild killed part-way leaves a folder the next build repairs: a file replaced since the manifest
was written no longer has the size, modification time and inode the manifest trusts, so it is hashed and made
again unless its bytes are still the recorded ones, and every file the new manifest does not name is deleted.
"""

from __future__ import annotations

import fcntl
import gc
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path, PurePosixPath
from typing import NamedTuple

from ombuds import urls
from ombuds.errors import OmbudsError
from ombuds.letters.cache import LetterCache
from ombuds.processes import alive, pool_context
from ombuds.schemes import Scheme
from ombuds.settings import Settings
from ombuds.site import assets
from ombuds.site.compression import MINIMUM, compress
from ombuds.site.data import NotFound, SiteData
from ombuds.site.incremental import (
    Facts,
    Manifest,
    Moved,
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
INLINE = 200  # items left to check or make, at most, that the build makes itself, starting no worker
WHOLE_YEARS = 5000  # items left, at least, for which each year's decisions are read at once for every council (a
# build from nothing lists about 28,000 for the demo's 8 years; a rebuild after one council's change about 2,000)
ATTEMPTS = 3  # builds started before giving up on data that keeps changing
WORKER_COLLECTION = 10_000  # objects allocated in a worker between its garbage collector's youngest collections
# (Python's 700 collected 2,800 times in a worker's share of a build, a tenth of its pages' CPU, for nothing more freed)


@dataclass
class BuildReport:
    out: Path
    pages: int = 0
    redirects: int = 0
    files: int = 0  # JSON twins, file kinds, API files, assets, shards
    reused: int = 0  # pages and files whose inputs are unchanged since the previous build, kept, not made again
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
    context = {**page.context, **site.shared_context(),
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


def _write(folder: Path, path: str, body: bytes, previous: Manifest | None = None, old: list | None = None) -> list:
    """Write a file of the build; its record for the manifest (`file_record`). Updating a build in place, the file
    is written under a temporary name in its folder and renamed over the old one, and not written at all when the
    previous build's file (`old`, its record) is intact and already holds these bytes."""
    target = os.path.join(folder, path)
    sha256 = hashlib.sha256(body).hexdigest()
    if old is not None and old[0] == sha256 and previous is not None and previous.intact({path: old}):
        return old
    parent = os.path.dirname(target)
    if parent not in _made_folders:
        os.makedirs(parent, exist_ok=True)
        _made_folders.add(parent)
    if not _worker.get("in_place"):
        return file_record(target, sha256, _write_file(target, body))
    temporary = os.path.join(parent, f".{os.path.basename(target)}.tmp-{os.getpid()}")
    try:
        written = _write_file(temporary, body)
        os.replace(temporary, target)  # the same file (inode, size, modification time) under the target's name
    except BaseException:
        with suppress(OSError):
            os.unlink(temporary)
        raise
    return file_record(target, sha256, written)


def _write_file(path: str, body: bytes) -> os.stat_result:
    """Write `body` to a new file at `path`; the file's status as written (read from the open file)."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o666)
    try:
        view = memoryview(body)
        while view:
            view = view[os.write(descriptor, view):]
        return os.fstat(descriptor)
    finally:
        os.close(descriptor)


def _write_unless_same(folder: Path, path: str, body: bytes) -> None:
    """A file every build writes (assets, the OpenAPI document, the 404 page): in place, left alone when it already
    holds these bytes."""
    if _worker.get("in_place"):
        with suppress(OSError), open(os.path.join(folder, path), "rb") as file:
            if file.read() == body:
                return
    _write(folder, path, body)


TEXT_SUFFIXES = {".html": "text/html", ".json": "application/json", ".csv": "text/csv", ".atom": "application/atom+xml",
                 ".xml": "application/xml", ".txt": "text/plain", ".css": "text/css", ".js": "application/javascript",
                 ".svg": "image/svg+xml"}


def _written(folder: Path, path: str, body: bytes, previous: Manifest | None = None,
             old: dict[str, list] | None = None) -> dict[str, list]:
    """Write a file and, in a build with `--precompress`, its `.br` and `.gz` twins if it is text of MINIMUM bytes
    or more; the hash of each file written, by path. `old`: the previous build's records of the item's files, whose
    files are left as they are where they already hold the bytes (in place)."""
    old = old or {}
    outputs = {path: _write(folder, path, body, previous, old.get(path))}
    if _worker.get("precompress") and len(body) >= MINIMUM and PurePosixPath(path).suffix in TEXT_SUFFIXES:
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            outputs[path + suffix] = _write(folder, path + suffix, compress(body, encoding), previous,
                                            old.get(path + suffix))
    return outputs


# One worker's state, set by `_start_worker` in each worker process.
_worker: dict = {}


def _start_worker(url: str, settings: Settings, folder: str, names: list[str], previous: str, preview: bool = False,
                  precompress: bool = False, in_place: bool = False, computed: tuple | None = None) -> None:
    """In each worker: a read-only database and site of its own (no object, connection or lock is shared with the
    parent; the parent's statistics come with the first chunk, `_build_chunk`); the previous build's folder (its
    manifest's entries, and which of their questions can have moved, come with the items) and whether the build
    updates it in place. Started before the parent knows what is left to make, so it needs nothing the parent works
    out."""
    from ombuds.site.app import site_data

    gc.set_threshold(WORKER_COLLECTION, 10, 10)
    site = site_data(open_database(url, read_only=True), settings, preview)
    if computed is not None:  # a forked worker, given the parent's statistics as they are in its memory
        (site.statistics if isinstance(site, SiteData) else site).adopt(computed)
    _worker["site"] = site
    _worker["facts"] = Facts(site)
    _worker["folder"] = Path(folder)
    by_name = {kind.name: kind for kind in kinds(settings.scheme)}
    _worker["kinds"] = [by_name[name] for name in names]  # the parent's kinds, in the parent's order
    _worker["previous"] = Manifest(Path(previous))
    _worker["precompress"] = precompress
    _worker["in_place"] = in_place


def _whole_years(site, whole: bool) -> None:
    """Whether the site data reads each year's decisions and improvements at once, for every council (a build
    making many pages), or each council's as its pages ask (a rebuild making a few: WHOLE_YEARS)."""
    if isinstance(site, SiteData):
        site.whole_years = whole


class Chunk(NamedTuple):
    """Items for a worker to make (kind position, params, the previous build's entry), with the questions of their
    previous entries that the parent judged can have moved, whether to read whole years (`_whole_years`) and the
    file of the statistics the parent computed (for spawned workers: forked ones have them in their memory)."""

    items: list[tuple[int, dict, dict | None]]
    moved: frozenset[str]
    whole_years: bool
    statistics: str | None


def _build_chunk(chunk: Chunk) -> Result:
    """A chunk of items (`Chunk`); a spawned worker takes over the statistics the parent computed with its first
    (decoding them costs a quarter of computing them)."""
    items, moved, whole_years, statistics = chunk
    if statistics is not None and _worker.get("statistics") != statistics:
        with open(statistics, "rb") as file:
            computed = pickle.load(file)  # written by this build's parent process, beside the output folder
        site = _worker["site"]
        (site.statistics if isinstance(site, SiteData) else site).adopt(computed)
        _worker["statistics"] = statistics
    _whole_years(_worker["site"], whole_years)
    facts = _worker["facts"]
    facts.reach = Moved(moved)
    return build_items(facts, _worker["kinds"], items, _worker["folder"], _worker["previous"])


def _computed(site) -> tuple:
    """The statistics the parent computed, for its workers to take over."""
    return site.statistics.computed() if isinstance(site, SiteData) else site.computed()


def _statistics_file(out: Path, site) -> Path:
    """The statistics the parent computed, written once for spawned workers beside the output folder (deleted when
    the build ends; a killed build's by the next, `clear_interrupted_builds`)."""
    path = out.parent / f".{out.name}.statistics-{os.getpid()}"
    path.write_bytes(pickle.dumps(_computed(site), protocol=pickle.HIGHEST_PROTOCOL))
    return path


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
    """Write the pages and files `items` name (kind position, params, the previous build's entry): each kept from
    the previous build when its facts have the same answers and its files are intact, else made."""
    result = Result()
    for position, params, old in items:
        kind = all_kinds[position]
        key = item_key(kind.name, params)
        if old is not None and facts.unchanged(old["facts"]) and previous.intact(old["outputs"]):
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


def _keep_unchanged(facts: Facts, all_kinds: list, items: list[tuple[int, dict]],
                    previous: Manifest) -> tuple[Result, list[tuple[int, dict, dict | None]]]:
    """Keep from the previous build every item whose facts the data's changes cannot have moved (`Reach`) and
    whose files are intact, without asking any question; the others, each with its previous entry, are left to
    `build_items`."""
    result, pending = Result(), []
    for position, params in items:
        key = item_key(all_kinds[position].name, params)
        old = previous.items.get(key)
        if old is not None and facts.unmoved(old["facts"]) and previous.intact(old["outputs"]):
            result.reused += 1
            result.tally(old)
            result.items[key] = old
        else:
            pending.append((position, params, old))
    return result, pending


def _make(site: Recorder, kind: PageKind | FileKind, params: dict, folder: Path, previous: Manifest,
          old: dict | None) -> dict:
    """Make one page or file through `site`, which notes its facts; its manifest entry. The previous build's files
    of the item (`old`) that already hold the bytes made are kept as they are."""
    path = kind.url(**params)
    before = old["outputs"] if old is not None else None
    if isinstance(kind, FileKind):
        made = kind.build(site, **params)
        entry = {"facts": site.facts, "fingerprint": made.fingerprint, "tally": [0, 0, 1]}
        if (old is not None and made.fingerprint is not None and old.get("fingerprint") == made.fingerprint
                and previous.intact(old["outputs"])):
            return {**entry, "outputs": old["outputs"]}
        return {**entry, "outputs": _written(folder, path, made.body, previous, before)}
    page, body = render_page(site, kind, params, urls.relative_root(path))
    outputs = _written(folder, page_path(path), body, previous, before)
    if page.redirect is not None:
        return {"facts": site.facts, "outputs": outputs, "tally": [0, 1, 0]}
    twin = kind.json_url is not None and page.json is not None
    if twin:
        outputs.update(_written(folder, kind.json_url(**params), json_bytes(page.json), previous, before))
    return {"facts": site.facts, "outputs": outputs, "tally": [1, 0, int(twin)]}


OPENAPI = "openapi document"  # the manifest's entry for the API's OpenAPI document


def _write_openapi(database: Database, settings: Settings, folder: Path, previous: Manifest) -> dict:
    """The JSON API's OpenAPI description (its files are kinds: `site.pages.api_files`), kept from the previous
    build when its files are intact: the code and the settings alone make it (no data), and the build digest
    covers them; its manifest entry."""
    from ombuds.site.app import create_app

    old = previous.items.get(OPENAPI)
    if old is not None and previous.intact(old["outputs"]):
        return old
    body = json_bytes(create_app(database, settings).openapi())
    return {"facts": {}, "outputs": _written(folder, urls.api("openapi.json"), body, previous,
                                             old["outputs"] if old is not None else None), "tally": [0, 0, 1]}


def _written_extra(folder: Path, path: str, body: bytes) -> list[str]:
    """A file every build writes, and its precompressed twins (`_written`), each left alone in place when it holds
    the bytes already; the paths written."""
    paths = [path]
    _write_unless_same(folder, path, body)
    if _worker.get("precompress") and len(body) >= MINIMUM and PurePosixPath(path).suffix in TEXT_SUFFIXES:
        for encoding, suffix in (("br", ".br"), ("gzip", ".gz")):
            _write_unless_same(folder, path + suffix, compress(body, encoding))
            paths.append(path + suffix)
    return paths


def _write_assets(site: SiteData, folder: Path) -> list[str]:
    """The static assets, the profile's stylesheet and logo; the paths written."""
    files = {path.relative_to(assets.STATIC).as_posix(): path for path in sorted(assets.STATIC.rglob("*"))
             if path.is_file() and not any(part == "__pycache__" or part.startswith(".")
                                           for part in path.relative_to(assets.STATIC).parts)}
    bodies = {urls.static(name): path.read_bytes() for name, path in files.items()}
    logo = site.profile.logo_svg() or assets.DEFAULT_LOGO.read_text(encoding="utf-8")
    bodies[urls.static("profile.css")] = assets.profile_css(site.profile).encode("utf-8")
    bodies[urls.static("logo.svg")] = logo.encode("utf-8")
    return [written for path, body in bodies.items() for written in _written_extra(folder, path, body)]


SHARDS = "postcode shards"  # the manifest's entry for the search's postcode shards (the package and the scheme)


def _write_shards(folder: str, scheme: Scheme, previous: Manifest | None = None) -> tuple[int, dict]:
    """The search's postcode shards in the scheme's councils, kept from the previous build when its files are intact
    (they change only with the package and the scheme's folder, which the build digest covers); (files, the
    manifest entry). In place, written aside and each renamed into its place."""
    from ombuds.registry import registry_of
    from ombuds.registry.postcodes import write_shards

    previous = previous if previous is not None else _worker["previous"]
    old = previous.items.get(SHARDS)
    if old is not None and previous.intact(old["outputs"]):
        return len(old["outputs"]), old
    shards = Path(folder) / "search" / "postcodes"
    aside = shards.with_name(f".postcodes.tmp-{os.getpid()}") if _worker.get("in_place") else shards
    files = write_shards(aside, registry_of(scheme))[0]
    if aside != shards:
        shards.mkdir(parents=True, exist_ok=True)
        for path in sorted(aside.glob("*.json")):
            os.replace(path, shards / path.name)
        aside.rmdir()
    outputs = {path.relative_to(folder).as_posix(): file_record(path, file_hash(path))
               for path in sorted(shards.glob("*.json"))}
    return files, {"facts": {}, "outputs": outputs, "tally": [0, 0, files]}


def _costly_first(pending: list[tuple[int, dict, dict | None]]) -> list[tuple[int, dict, dict | None]]:
    """The items left, those of the kinds with fewest items first: a kind with a file or two (the all-years
    download, the data package, the sitemap) makes each from every year's figures, the costliest items of a
    build, and begun last one of them would keep a worker busy after the other is done."""
    counts: dict[int, int] = {}
    for position, _, _ in pending:
        counts[position] = counts.get(position, 0) + 1
    return sorted(pending, key=lambda item: counts[item[0]])


def _tasks(reach: Reach, pending: list[tuple[int, dict, dict | None]], workers: int,
           statistics: str | None) -> list[Chunk]:
    """The items left in chunks for the workers (at most CHUNK, smaller when few are left, so that the workers
    finish together), each with the questions of its items' previous entries that the data's changes can have
    moved (`Reach`, judged here once: a worker asks again exactly those), and the file of the parent's statistics
    (`_statistics_file`)."""
    size = max(1, min(CHUNK, -(-len(pending) // (workers * 16))))
    tasks = []
    for at in range(0, len(pending), size):
        chunk = pending[at:at + size]
        moved = frozenset(key for _, _, old in chunk if old is not None for key in old["facts"]
                          if not reach.still(key))
        tasks.append(Chunk(chunk, moved, len(pending) >= WHOLE_YEARS, statistics))
    return tasks


def build_site(database: Database, out: Path, settings: Settings, workers: int = 2, preview: bool = False,
               on_progress: Callable[[int, int], None] | None = None, precompress: bool = False) -> BuildReport:
    """Write the whole static site into `out`: from nothing, replaced at the end all at once; over a build its
    manifest describes, updated in place file by file (see the module's description); `preview` for staff. The site
    is in the words of the settings' scheme, speaks for its profile's organisation and its letters follow its
    editions folder. A generic ("measures") scheme builds its own page kinds and its own API's files (each
    scheme's API and OpenAPI document as the live app serves them); it has no postcode shards. The build shows one
    version of the data: if an import, release or revision commits while it runs (the data version moves), or the
    day turns (a year may become public), it starts again, at most ATTEMPTS times. `on_progress(done, total)` after
    each chunk of pages. `precompress` writes a `.br` and a `.gz` twin of every text file of MINIMUM bytes or more.
    Pages and files whose inputs did not change since the build in `out` are kept as they are (see
    `site.incremental`). Builds into folders of the same parent folder run one at a time."""
    started = time.perf_counter()
    out = Path(out).resolve()
    with _one_build_at_a_time(out):
        return _build(database, out, settings, workers, preview, precompress, on_progress, started)


@contextmanager
def _one_build_at_a_time(out: Path) -> Iterator[None]:
    """Hold a lock on `out`'s parent folder while building (released when the process ends, however it ends): two
    builds updating one folder in place must not interleave."""
    out.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(out.parent, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)


def _build(database: Database, out: Path, settings: Settings, workers: int, preview: bool, precompress: bool,
           on_progress: Callable[[int, int], None] | None, started: float) -> BuildReport:
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
    """One build, put in place only if `unchanged()` still holds when it is written; None otherwise (an update in
    place is then left for the next attempt to repair)."""
    from ombuds.site.app import site_data

    site = site_data(database, settings, preview)
    lgsco = isinstance(site, SiteData)
    report = BuildReport(out)
    _made_folders.clear()  # a folder made by an earlier build in this process may be gone
    clear_interrupted_builds(out)
    all_kinds = kinds(settings.scheme)
    build = build_digest(settings, preview, [kind.name for kind in all_kinds] + ["precompress"] * precompress)
    previous = Manifest.read(out, build)
    in_place = previous.state is not None
    folder = out if in_place else out.parent / f".{out.name}.tmp-{os.getpid()}"
    if not in_place:
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
    # this process's own writes (one worker, assets, the 404 page)
    _worker.update(precompress=precompress, in_place=in_place)
    entries: dict[str, dict] = {}
    inner: dict[str, list[str]] = {}
    manifest = listing = None
    try:
        held = (site.statistics.years(), site.statistics.case_years()) if lgsco else ([], [])
        state = data_state(database, *held)
        facts = Facts(site, reach_since_build(database, previous, state))
        context = pool_context()  # forked, unless a thread of this process (a server) may hold a lock
        forked = context.get_start_method() == "fork"
        with ExitStack() as stack:
            items = [(position, dict(params)) for position, kind in enumerate(all_kinds)
                     for params in kind.every(site)]
            kept, pending = _keep_unchanged(facts, all_kinds, items, previous)
            _whole_years(site, len(pending) >= WHOLE_YEARS)
            _add(report, kept, entries, inner)
            if on_progress is not None:
                on_progress(len(items) - len(pending), len(items))
            shards_here = not lgsco or (SHARDS in previous.items and
                                        previous.intact(previous.items[SHARDS]["outputs"]))
            extras: list[str] = []
            if workers > 1 and len(pending) > INLINE:
                # started once the pages are listed: forked, they have the parent's statistics in their memory
                with _collection_frozen():
                    pool = stack.enter_context(context.Pool(workers, _start_worker, (
                        database.url, settings, str(folder), [kind.name for kind in all_kinds], str(out), preview,
                        precompress, in_place, _computed(site) if forked else None)))
                listing = _Listing(out) if in_place else None  # once forked: a child never inherits its thread
                shards = None if shards_here else pool.apply_async(_write_shards, (str(folder), settings.scheme))
                statistics = None
                if not forked:  # spawned workers take over the parent's statistics from a file
                    statistics = _statistics_file(out, site)
                    stack.callback(statistics.unlink, missing_ok=True)
                tasks = _tasks(facts.reach, _costly_first(pending), workers, statistics and str(statistics))
                results = pool.imap_unordered(_build_chunk, tasks)
                extras += _write_assets(site, folder)
                entries[OPENAPI] = _write_openapi(database, settings, folder, previous)
                done = len(items) - len(pending)
                for result in results:
                    _add(report, result, entries, inner)
                    done += len(result.items) + len(result.skipped)
                    if on_progress is not None:
                        on_progress(done, len(items))
                if shards:
                    made, entries[SHARDS] = shards.get()
                    report.files += made
                    shards_here = False
                pool.close()  # the workers end as a process ends normally (removing their `letters.workspace`)
                pool.join()
            else:
                listing = _Listing(out) if in_place else None
                _add(report, build_items(facts, all_kinds, pending, folder, previous), entries, inner)
                extras += _write_assets(site, folder)
                entries[OPENAPI] = _write_openapi(database, settings, folder, previous)
                shards_here = lgsco
        if shards_here and lgsco:
            made, entries[SHARDS] = _write_shards(str(folder), settings.scheme, previous)
            report.files += made
        extras += _written_extra(folder, "404.html", not_found_html(site))
        report.files += len([path for path in extras if path.startswith("static/")]) + 2  # OpenAPI, 404 page
        if listing is not None:
            _delete_unnamed(out, {path for entry in entries.values() for path in entry["outputs"]} | set(extras),
                            *listing.result())
        manifest = write_manifest(out, build, entries, state, {**previous.inner, **inner})
        if not unchanged():
            if not in_place:
                shutil.rmtree(folder, ignore_errors=True)
            manifest.unlink()
            return None
        if not in_place:
            _swap(folder, out)
        manifest.replace(manifest_path(out))
        manifest_path(out).with_suffix(".json").unlink(missing_ok=True)  # what builds kept before as JSON
    except BaseException:
        if listing is not None:
            listing.thread.join()
        if not in_place:
            shutil.rmtree(folder, ignore_errors=True)
        if manifest is not None:
            manifest.unlink(missing_ok=True)
        raise
    return report


@contextmanager
def _collection_frozen() -> Iterator[None]:
    """The parent's objects set aside from the cyclic garbage collector while its workers are forked: a child's
    collections then never walk them (each walk would write to every page of the parent's memory it inherited,
    the previous build's manifest among it, copying them all)."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


class _Listing:
    """Every file and folder under the previous build's folder, listed by a thread of its own while the pages are
    made (the files this build writes are named in its manifest; those it does not name are deleted at the end)."""

    def __init__(self, out: Path):
        self.found: tuple[list[str], list[str]] = ([], [])
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._list, args=(str(out),), name="listing the build", daemon=True)
        self.thread.start()

    def _list(self, out: str) -> None:
        files, folders = self.found

        def walk(folder: str, prefix: str) -> None:
            with os.scandir(folder) as found:
                for entry in found:
                    path = prefix + entry.name
                    if entry.is_dir(follow_symlinks=False):
                        folders.append(path)
                        walk(entry.path, path + "/")
                    else:
                        files.append(path)
        try:
            walk(out, "")
        except BaseException as error:  # raised where the listing is read
            self.error = error

    def result(self) -> tuple[list[str], list[str]]:
        """(files, folders), relative paths with `/`, each folder before what it holds."""
        self.thread.join()
        if self.error is not None:
            raise self.error
        return self.found


def _delete_unnamed(out: Path, named: set[str], files: list[str], folders: list[str]) -> None:
    """Delete every file listed under `out` (`_Listing`: what was there when the build began, and what it wrote
    while the listing ran) that the build does not name (the files of a page no longer made, a temporary file a
    killed build left, anything put there by hand), and every folder that leaves empty, or was."""
    root = os.path.join(out, "")
    holding = {path.rpartition("/")[0] for path in files if path in named}  # folders a named file keeps
    for path in files:
        if path not in named:
            with suppress(FileNotFoundError):  # a temporary file of this build's, renamed since it was listed
                os.unlink(root + path)
    for folder in sorted((f for f in folders if f not in holding), key=lambda f: f.count("/"), reverse=True):
        with suppress(OSError):  # not empty: a subfolder holds a named file
            os.rmdir(root + folder)


def clear_interrupted_builds(out: Path) -> None:
    """What a build killed part-way left beside `out`: its unfinished folder (`.NAME.tmp-PID`) and its statistics
    for the workers (`.NAME.statistics-PID`) are deleted, and the previous build it had renamed aside
    (`.NAME.old-PID`) is put back if `out` is missing, else deleted."""
    left = (f".{out.name}.tmp", f".{out.name}.old", f".{out.name}.statistics")
    for path in sorted(out.parent.glob(f".{out.name}.*-*")):
        kind, _, pid = path.name.rpartition("-")
        if kind not in left or not pid.isdigit() or alive(int(pid)):
            continue
        if kind.endswith(".old") and not out.exists():
            path.rename(out)
        elif path.is_file():
            path.unlink(missing_ok=True)
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
