"""Hashes of the project's own files, so that anything kept from an earlier run (letters a build made, statistics a
command computed) is used again only when the code and data that made it are unchanged."""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

PACKAGE = Path(str(resources.files("ombuds")))


def source_digest(patterns: tuple[str, ...], salt: str = "") -> str:
    """SHA-256 over the names and bytes of the package's files matching any of `patterns` (globs relative to the
    package, e.g. "stats/*.py"), in a fixed order, after `salt` (e.g. a library's version)."""
    digest = hashlib.sha256(salt.encode("utf-8"))
    files = sorted({p for pattern in patterns for p in PACKAGE.glob(pattern) if p.is_file()
                    and "__pycache__" not in p.parts})
    for path in files:
        digest.update(path.relative_to(PACKAGE).as_posix().encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()


def folder_digest(folder: Path) -> str:
    """SHA-256 over the names and bytes of the files directly in `folder` (a scheme's), in a fixed order."""
    digest = hashlib.sha256()
    for path in sorted(p for p in folder.iterdir() if p.is_file()):
        digest.update(path.name.encode("utf-8") + b"\0")
        digest.update(path.read_bytes())
    return digest.hexdigest()
