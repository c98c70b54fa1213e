"""Which processes are still running: a killed run's leftovers (temporary letters, build folders) are named by its
process id, and are cleared only once that process is gone; and how a pool of workers is started."""

from __future__ import annotations

import multiprocessing
import os
import threading
from pathlib import Path


def alive(pid: int) -> bool:
    """Whether a process with this id is running (one owned by another user counts). A zombie, killed but not yet
    reaped by its parent, is not: it will write nothing more."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    """From /proc where there is one (Linux): the state follows the command name in parentheses."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    return stat[stat.rfind(")") + 2:stat.rfind(")") + 3] == "Z"


def pool_context() -> multiprocessing.context.BaseContext:
    """Fork (quick: a worker starts with the parent's imports and memory), unless this process runs other threads:
    a Python thread (the demo's live site, a test's server) or Typst's own (a letter already rendered here, or an
    import's font check). A forked child would inherit the locks those threads hold without the threads, and wait for
    ever; a spawned one starts clean."""
    from ombuds.glyphs import compiler  # the one Typst compiler of the process: rendering and font checks

    threaded = threading.active_count() > 1 or compiler.cache_info().currsize
    return multiprocessing.get_context("spawn" if threaded else "fork")
