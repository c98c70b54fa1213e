"""The folder each process typesets its documents in (letters and reports, through `letters.render`).

Typst keeps what it parsed of a file only for files it reads from disk: handed a document's files in memory
(typst-py's `input={name: bytes}`), it parses each of them again for every document, the data files as markup too,
and that was a tenth of a letter's compile. So each process has a folder of its own, the root of the documents it
typesets: the template is written there once (named by its digest, so a letter's and a report's stay side by side),
and each document's data files before it is typeset. Files that the data name by absolute path (a logo, a
signature) are linked into the folder at that same path, so a document reads them exactly as it would with "/" as
its root.

The folder goes when its process ends normally (a pool's workers included); one left by a killed process (its id is
in the name) is cleared by the next workspace made while that process is gone."""

from __future__ import annotations

import atexit
import hashlib
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable
from multiprocessing import util
from pathlib import Path

from ombuds.glyphs import typeset
from ombuds.processes import alive

PREFIX = "ombuds-typst-"


class Workspace:
    """This process's folder (`workspace()`): see the module's description."""

    def __init__(self) -> None:
        self.pid = os.getpid()
        _clear_abandoned()
        self.folder = Path(tempfile.mkdtemp(prefix=f"{PREFIX}{self.pid}-"))
        self._held: dict[str, bytes] = {}  # what the folder's files hold, by name
        self._lock = threading.Lock()  # one document at a time: each writes the same data files
        remove = util.Finalize(self, shutil.rmtree, (self.folder, True), exitpriority=0)  # a pool worker's normal end
        atexit.register(remove)  # the process's own normal end; each runs at most once, and only in this process

    def typeset(self, template: bytes, files: dict[str, bytes], named: Iterable[str | None], **options) -> bytes:
        """The document `template` (Typst source) reading `files` (by name, beside it) and the files `named` (by
        absolute path), typeset with `options` (`glyphs.typeset`'s)."""
        main = f"main-{hashlib.sha256(template).hexdigest()[:16]}.typ"
        with self._lock:
            for name, body in {main: template, **files}.items():
                if self._held.get(name) != body:
                    _overwrite(self.folder / name, body)
                    self._held[name] = body
            for path in named:
                if path is not None:
                    self._link(Path(path))
            return typeset(input=str(self.folder / main), root=str(self.folder), **options)

    def _link(self, target: Path) -> None:
        """The file at `target`, absolute, at the same path inside the folder (a link to it, made once). Not one
        of the folder's own files: a path that is not absolute, or one at the top whose name the folder uses, is
        left for the document to say it cannot find, as with root "/"."""
        if not target.is_absolute() or (len(target.parts) == 2 and (target.name in self._held)):
            return
        inside = self.folder / target.relative_to(target.anchor)
        if not os.path.lexists(inside):
            inside.parent.mkdir(parents=True, exist_ok=True)
            inside.symlink_to(target)


def _overwrite(path: Path, body: bytes) -> None:
    """The file holding `body`, written over in place: emptying it first (`write_bytes`) cost a disk's file system
    ten times as much, twice for each letter."""
    with os.fdopen(os.open(path, os.O_WRONLY | os.O_CREAT, 0o600), "wb") as file:
        file.write(body)
        file.truncate()


_current: Workspace | None = None


def workspace() -> Workspace:
    """This process's workspace, made when first asked (a forked child makes its own)."""
    global _current
    if _current is None or _current.pid != os.getpid():
        _current = Workspace()
    return _current


def _clear_abandoned() -> None:
    """Remove the workspaces of processes that are gone (killed before they could remove their own)."""
    for folder in Path(tempfile.gettempdir()).glob(f"{PREFIX}*"):
        pid = folder.name.removeprefix(PREFIX).partition("-")[0]
        if pid.isdigit() and not alive(int(pid)):
            shutil.rmtree(folder, ignore_errors=True)
