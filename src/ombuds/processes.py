"""Which processes are still running: a killed run's leftovers (temporary letters, build folders) are named by its
process id, and are cleared only once that process is gone."""

from __future__ import annotations

import os


def alive(pid: int) -> bool:
    """Whether a process with this id exists (one owned by another user counts)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True
