"""Every authority's letter for a year: rendered in parallel, each file written atomically, with an index."""

from __future__ import annotations

import contextlib
import csv
import ctypes
import ctypes.util
import hashlib
import io
import os
import re
import signal
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from ombuds.errors import OmbudsError
from ombuds.labels import ADDRESSEE
from ombuds.letters.assemble import assemble_letter
from ombuds.letters.cache import LetterCache, cached_render, letter_fingerprint
from ombuds.letters.content import Contact, MissingContact
from ombuds.letters.editions import Edition
from ombuds.letters.render import Renderer
from ombuds.processes import alive, pool_context
from ombuds.profile import Profile
from ombuds.registry import Authority, registry_of
from ombuds.schemes import Scheme
from ombuds.stats import format as fmt
from ombuds.stats.service import statistics_service
from ombuds.store import Database
from ombuds.store.queries import all_contacts
from ombuds.store.scheme import holds_synthetic
from ombuds.years import Year


@dataclass(frozen=True)
class LetterJob:
    authority: Authority
    path: Path
    content: dict
    created: int
    output_format: str
    cache: Path | None = None  # the letter cache's folder (letters.cache); None: always rendered


@dataclass(frozen=True)
class Written:
    authority: Authority
    path: Path
    sha256: str


def letter_path(out_dir: Path, authority: Authority, year: Year, output_format: str) -> Path:
    """SPEC 2.2: DIR/<slug>-<year>.<ext>."""
    return out_dir / f"{authority.slug}-{year.label}.{output_format}"


def write_atomically(path: Path, data: bytes) -> None:
    """Write beside the target, then rename over it: an interrupted run never leaves half a file. A disk that is
    full or cannot be written is an OmbudsError naming the file (the half-written temporary is removed)."""
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        temporary.write_bytes(data)
        os.replace(temporary, path)
    except OSError as error:
        raise OmbudsError(f"cannot write {path}: {error.strerror or error}") from None
    finally:
        temporary.unlink(missing_ok=True)


def contacts_by_authority(database: Database) -> dict[str, list[Contact]]:
    with database.read() as connection:
        return contacts_from_rows(all_contacts(connection))


def contacts_from_rows(rows: list) -> dict[str, list[Contact]]:
    """The store's contact rows as each authority's contacts."""
    found: dict[str, list[Contact]] = {}
    for row in rows:
        found.setdefault(row["authority_code"], []).append(
            Contact(row["role"], row["name"], row["title"], row["salutation"], row["email"]))
    return found


def letter_jobs(database: Database, year: Year, edition: Edition, out_dir: Path, output_format: str, *,
                authority: Authority | None = None, allow_missing_contacts: bool = False,
                method: str = "pooled", profile: Profile, scheme: Scheme, include_abolished: bool = False,
                cache: Path | None = None) -> list[LetterJob]:
    """What to render: one job per authority (or the one asked for) that exists on the letter's date (every one
    with statistics if `include_abolished`), each with its content ready (saying so if the database holds synthetic
    data); from `scheme`'s statistics; `cache` the letter cache's folder."""
    held = statistics_service(database, scheme).year(year, method)
    if held.published:
        raise OmbudsError(f"{year} has no case records, only the figures of published documents: letters are "
                          "written from case records")
    records = [r for r in held.records if authority is None or r.authority.code == authority.code]
    authorities = registry_of(scheme)
    if not include_abolished:
        records = [r for r in records if authorities.get(r.authority.code).existed_on(edition.letter_date)]
    contacts = contacts_by_authority(database)
    if not allow_missing_contacts:
        missing = [r.authority for r in records
                   if not any(c.role == ADDRESSEE for c in contacts.get(r.authority.code, []))]
        if missing:
            raise MissingContact(missing_contacts_message(missing))
    jobs = []
    synthetic = holds_synthetic(database)
    for record in records:
        a = authorities.get(record.authority.code)
        letter = assemble_letter(record, edition, contacts.get(a.code, []), profile, synthetic=synthetic)
        jobs.append(LetterJob(a, letter_path(out_dir, a, year, output_format), letter.content, letter.created,
                              output_format, cache))
    return jobs


def gone_by_letter_date(database: Database, scheme: Scheme, year: Year, edition: Edition, method: str = "pooled",
                        authority: Authority | None = None) -> list[str]:
    """Each authority with statistics for the year that no longer existed on the letter's date, as a line saying
    so (a batch writes them no letter unless asked)."""
    authorities = registry_of(scheme)
    lines = []
    for record in statistics_service(database, scheme).year(year, method).records:
        a = authorities.get(record.authority.code)
        if (authority is None or a.code == authority.code) and not a.existed_on(edition.letter_date):
            names = " and ".join(authorities.get(code).name for code in a.successors)
            successor = f"; succeeded by {names}" if names else ""
            lines.append(f"no letter: {a.name} ({a.code}) was abolished on {fmt.long_date(a.abolished)}, before "
                         f"the letter's date, {fmt.long_date(edition.letter_date)}{successor}")
    return lines


def missing_contacts_message(missing: list) -> str:
    """Every authority with no chief executive on file, named at once."""
    names = "; ".join(f"{a.name} ({a.code})" for a in missing)
    return (f"no chief executive contact for {len(missing)} authorit{'y' if len(missing) == 1 else 'ies'}: {names}. "
            "Add them with a contacts file (columns authority, name, title, salutation, email, role) and "
            "'ombuds import', or pass --allow-missing-contacts; no letter was written")


_renderer: Renderer | None = None
PR_SET_PDEATHSIG = 1  # prctl option: the signal a process gets when its parent dies
_TEMPORARY = re.compile(r"^\..+\.(\d+)\.tmp$")


def _die_with_parent() -> None:
    """Run in each worker: the kernel ends it when the parent process dies, even by kill -9 (Linux)."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(ctypes.util.find_library("c") or "libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() == 1:  # the parent died before the line above ran
        os._exit(1)


def remove_stale_temporaries(folder: Path) -> list[Path]:
    """Half-written letters left by an interrupted run (`.name.PID.tmp` whose process is gone)."""
    removed = []
    for path in folder.glob(".*.tmp"):
        match = _TEMPORARY.match(path.name)
        if match and not alive(int(match[1])):
            path.unlink(missing_ok=True)
            removed.append(path)
    return removed


def _render_one(job: LetterJob) -> Written:
    global _renderer  # one renderer per worker process: fonts and templates are loaded once
    if _renderer is None:
        _renderer = Renderer()
    renderer = _renderer
    data = cached_render(None if job.cache is None else LetterCache(job.cache),
                         letter_fingerprint(job.content, job.created, job.output_format), job.output_format,
                         lambda: renderer.render(job.content, job.created, job.output_format))
    write_atomically(job.path, data)
    return Written(job.authority, job.path, hashlib.sha256(data).hexdigest())


def render_letters(jobs: list[LetterJob], *, workers: int | None = None,
                   on_written: Callable[[Written], None] = lambda w: None) -> list[Written]:
    """Render the jobs across the machine's cores, in order; then write DIR/index.csv."""
    if not jobs:
        return []
    for folder in {job.path.parent for job in jobs}:
        folder.mkdir(parents=True, exist_ok=True)
        remove_stale_temporaries(folder)
    workers = min(workers or os.cpu_count() or 1, len(jobs))
    written: list[Written] = []
    with contextlib.ExitStack() as stack:
        if workers == 1:
            results = map(_render_one, jobs)
        else:
            pool = stack.enter_context(ProcessPoolExecutor(max_workers=workers, initializer=_die_with_parent,
                                                           mp_context=pool_context()))
            # small chunks: the last one is all that keeps a core busy while the other waits
            results = pool.map(_render_one, jobs, chunksize=max(1, len(jobs) // (workers * 32)))
        for w in results:
            written.append(w)
            on_written(w)
    write_index(jobs[0].path.parent, written)
    for folder in {job.cache for job in jobs if job.cache is not None}:
        LetterCache(folder).trim()
    return written


def write_index(out_dir: Path, written: list[Written]) -> Path:
    """DIR/index.csv: authority, code, file, sha256 of every letter in the folder written by ombuds, this run's
    rows replacing earlier ones for the same file."""
    path = out_dir / "index.csv"
    rows = {}
    if path.exists():
        with open(path, encoding="utf-8", newline="") as f:
            rows = {r["file"]: r for r in csv.DictReader(f) if (out_dir / r["file"]).exists()}
    for w in written:
        rows[w.path.name] = {"authority": w.authority.name, "code": w.authority.code, "file": w.path.name,
                             "sha256": w.sha256}
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=["authority", "code", "file", "sha256"], lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows[name] for name in sorted(rows))
    write_atomically(path, buffer.getvalue().encode("utf-8"))
    return path
