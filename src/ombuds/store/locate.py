"""Which database `--db` names and which schema it should have. Light on purpose (no SQLAlchemy): the kept
statistics are read through the database's own driver, so that `ombuds stats` starts quickly."""

from __future__ import annotations

import os
from importlib import resources
from pathlib import Path

from ombuds.errors import OmbudsError

DEFAULT_URL = "sqlite:///ombuds.db"
MIGRATIONS = resources.files("ombuds.store").joinpath("migrations")


def database_url(url: str | None = None) -> str:
    """`--db`, else `OMBUDS_DB`, else `ombuds.db` here. A plain path is a SQLite file; `postgresql://` means the
    psycopg 3 driver."""
    if url is None:
        url = os.environ.get("OMBUDS_DB") or DEFAULT_URL
    if not url.strip():
        raise OmbudsError("--db is empty: give a SQLite file path, a sqlite:///path or a postgresql:// URL")
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    if "://" not in url:
        return f"sqlite:///{url}"
    scheme = url.split("://", 1)[0]
    if scheme not in ("sqlite", "postgresql+psycopg"):
        raise OmbudsError(f"unsupported database '{url}': use a SQLite file path, a sqlite:///path or a "
                          "postgresql:// URL")
    return url


def head_revision() -> str:
    """The newest migration: revisions are numbered like their files (`0010_releases.py` is "0010"), so this needs
    no Alembic, which is imported only when a schema must change (it is most of a command's start-up otherwise).
    A test checks it against Alembic's own head."""
    return max(p.name[:4] for p in MIGRATIONS.joinpath("versions").iterdir() if p.name[:4].isdigit())


def sqlite_read_uri(path: Path) -> str:
    """The URI that reads a SQLite file without writing anything: `mode=ro`, or, where its folder cannot be written
    (a read-only mount, where SQLite could not make the shared-memory file that `mode=ro` needs), `immutable=1`,
    which tells SQLite that nothing changes the file."""
    path = path.resolve()
    return path.as_uri() + ("?mode=ro" if writable(path.parent) else "?immutable=1")


def writable(path: Path) -> bool:
    return os.access(path, os.W_OK)
