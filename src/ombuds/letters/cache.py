"""Rendered letters kept on disk by the fingerprint of exactly what makes their bytes, so that `ombuds letters`,
`ombuds demo` and `ombuds site build` compile each letter once.

A letter's fingerprint is a SHA-256 of its content (every figure, word, name and colour it shows, the edition's
texts, the letterhead), its format, its timestamp, the bytes of the images it names (logo and signature), and the
renderer: every file of the letters package (code, Typst and HTML templates, fonts), the module naming the fallback
fonts, and the Typst version. Two letters with the same fingerprint are compiled from the same inputs by the same
code, so the cached bytes are the bytes a fresh render gives; anything else that changes makes a new fingerprint.

The cache is a folder of `<first two hex digits>/<fingerprint>.<format>` files, each written beside its place and
renamed into it (concurrent writers of the same letter write the same bytes). It is bounded: `trim()` deletes the
least recently used letters (a hit refreshes the file's time) until the folder holds at most `limit` bytes; the
commands that fill it trim it when they finish.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from ombuds.fingerprints import source_digest

DEFAULT_LIMIT = 1 << 30  # bytes: the demo's 8 years of letters (PDF and HTML) take about 200 MB
FOLDER_SUFFIX = ".letters"  # the default cache of `ombuds.db` is `ombuds.db.letters/`, beside it


@cache
def renderer_fingerprint() -> str:
    """A hash of what turns a letter's content into bytes: every file of the letters package (code, templates,
    fonts), the fallback fonts' module and the Typst version."""
    import typst

    return source_digest(("letters/**/*", "glyphs.py"), getattr(typst, "__version__", ""))


@cache
def _file_digest(path: str) -> str:
    try:
        return hashlib.sha256(Path(path).read_bytes()).hexdigest()
    except OSError:
        return "missing"


def letter_fingerprint(content: dict, created: int, output_format: str) -> str:
    """The SHA-256 of everything a letter's bytes are made from (see the module's description): of the JSON text
    of [renderer, format, timestamp, content, image digests], keys sorted."""
    images = [content.get("letterhead", {}).get("logo"), content.get("signature")]
    parts = [_canonical(part) for part in (renderer_fingerprint(), output_format, created)]
    parts += [_content_json(content), _canonical([_file_digest(path) if path else None for path in images])]
    return hashlib.sha256(f"[{', '.join(parts)}]".encode()).hexdigest()


def _canonical(value: object) -> str:
    return json.dumps(value, sort_keys=True, default=str)


_last_content: list = [None, ""]  # the latest content and its JSON text: a letter's two formats ask one after another


def _content_json(content: dict) -> str:
    """The content's JSON text, written once for a letter's PDF and HTML (the same object, asked twice)."""
    if _last_content[0] is not content:
        _last_content[:] = [content, _canonical(content)]
    return _last_content[1]


def default_location(db_url: str | None) -> Path | None:
    """The cache beside a SQLite file (`ombuds.db` → `ombuds.db.letters/`); None for a database with no place on
    this disk (in memory, PostgreSQL): no cache unless one is configured."""
    from ombuds.store.locate import database_url

    url = database_url(db_url)
    if not url.startswith("sqlite:///"):
        return None
    path = url.removeprefix("sqlite:///").split("?", 1)[0]
    if path in ("", ":memory:") or path.startswith("file:"):
        return None
    return Path(path).with_name(Path(path).name + FOLDER_SUFFIX)


@dataclass(frozen=True)
class LetterCache:
    folder: Path
    limit: int = DEFAULT_LIMIT

    def path(self, fingerprint: str, output_format: str) -> Path:
        return self.folder / fingerprint[:2] / f"{fingerprint}.{output_format}"

    def get(self, fingerprint: str, output_format: str) -> bytes | None:
        """The cached letter, its use noted (for `trim`); None if it is not cached or cannot be read."""
        path = self.path(fingerprint, output_format)
        try:
            data = path.read_bytes()
            os.utime(path)
        except OSError:
            return None
        return data

    def put(self, fingerprint: str, output_format: str, data: bytes) -> None:
        """Keep a letter; a cache that cannot be written is passed over (the letter itself is already made)."""
        path = self.path(fingerprint, output_format)
        temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            temporary.write_bytes(data)
            os.replace(temporary, path)
        except OSError:
            temporary.unlink(missing_ok=True)

    def trim(self) -> int:
        """Delete the least recently used letters until the cache holds at most `limit` bytes; how many went."""
        try:
            kept = sorted(((entry.stat().st_mtime_ns, entry.stat().st_size, entry) for entry in
                           self.folder.glob("??/*") if not entry.name.startswith(".")), reverse=True)
        except OSError:
            return 0
        total, removed = 0, 0
        for _, size, entry in kept:
            total += size
            if total > self.limit:
                entry.unlink(missing_ok=True)
                removed += 1
        return removed


def cached_render(cache: LetterCache | None, fingerprint: str, output_format: str,
                  render: Callable[[], bytes]) -> bytes:
    """The letter's bytes from the cache, else rendered (and kept there)."""
    if cache is None:
        return render()
    found = cache.get(fingerprint, output_format)
    if found is None:
        found = render()
        cache.put(fingerprint, output_format, found)
    return found
