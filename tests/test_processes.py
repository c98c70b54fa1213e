"""`processes.alive`, which decides whether a killed run's leftovers may be cleared."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from ombuds.processes import alive


def test_a_running_process_is_alive_and_a_killed_one_is_not_even_before_it_is_reaped():
    process = subprocess.Popen(["sleep", "30"])
    try:
        assert alive(process.pid)
        os.kill(process.pid, signal.SIGKILL)
        deadline = time.monotonic() + 10
        while alive(process.pid) and time.monotonic() < deadline:  # a zombie until waited for
            time.sleep(0.01)
        assert not alive(process.pid)
        assert process.poll() == -signal.SIGKILL  # reaped only now: it was a zombie while judged dead
    finally:
        process.kill()
        process.wait()
    assert not alive(process.pid)
    assert alive(os.getpid())
