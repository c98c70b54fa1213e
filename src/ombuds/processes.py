"""Which processes are still running: a killed run's leftovers (temporary letters, build folders) are named by its
process id, and are cleared only once that process is gone."""

from __future__ import annotations

import os
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
