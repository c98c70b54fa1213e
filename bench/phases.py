"""Where an import's CPU time goes: one `import_files` into a new database, each phase's CPU seconds measured by
wrapping the function that does it (reading and checking is what is left). For the README's breakdown.

A phase's seconds are the importing thread's own (`time.thread_time`): the threads beside it (ADBC writing the
first load's blocks, the statistics' code imported while SQLite copies and indexes) would otherwise be counted in
whichever phase they overlap. Their CPU is printed apart, as the process's less the importing thread's.

    python bench/phases.py sqlite:///tmp/new.db FILE...
"""

from __future__ import annotations

import sys
import time
from collections import Counter
from collections.abc import Callable

from sqlalchemy.engine.base import RootTransaction

from ombuds.ingest import run
from ombuds.schemes import DEFAULT, load_scheme
from ombuds.store import load, open_database
from ombuds.store.aggregate import LoadCounts

SPENT: Counter[str] = Counter()
OUTERMOST: Counter[str] = Counter()  # the time of calls made outside any other phase: these add up to the whole
ACTIVE: list[str] = []


def _timed(owner: object, name: str, phase: str) -> None:
    function: Callable = getattr(owner, name)

    def timed(*args, **kwargs):
        outermost = not ACTIVE
        ACTIVE.append(phase)
        started = time.thread_time()
        try:
            return function(*args, **kwargs)
        finally:
            spent = time.thread_time() - started
            ACTIVE.pop()
            SPENT[phase] += spent
            if outermost:
                OUTERMOST[phase] += spent

    setattr(owner, name, timed)


PHASES = [
    (load, "copy_rows", "staging or loading rows (the driver's executemany)"),
    (run, "preload", "first load: reading, checking and writing rows with pyarrow and ADBC (ingest.arrow_read)"),
    (load.FirstLoad, "add_attached", "first load: rows copied in from ADBC's temporary database"),
    (LoadCounts, "add", "counting the rows of a first load"),
    (LoadCounts, "write", "writing the counts"),
    (load.FirstLoad, "merge", "first load: indexes built, counts written"),
    (load.Staging, "merge", "merging staged rows (counts, updates, inserts)"),
    (run._Run, "cross_checks", "cross-checks (decisions before receipts, repeated keys)"),
    (run, "figure_inputs", "statistics: what each year's figures come from, before"),
    (run, "_keep_statistics", "statistics computed and kept for the years touched"),
    (RootTransaction, "_do_commit", "the commit"),
]


def main(url: str, files: list[str]) -> None:
    for owner, name, phase in PHASES:
        _timed(owner, name, phase)
    database = open_database(url)
    started, own = time.process_time(), time.thread_time()
    run.import_files(database, files, scheme=load_scheme(DEFAULT))
    database.close()
    total, own = time.process_time() - started, time.thread_time() - own
    for phase, seconds in SPENT.most_common():
        within = "" if OUTERMOST[phase] >= seconds else " (within the phases above, in part or whole)"
        print(f"{seconds:6.2f} s  {phase}{within}")
    print(f"{own - sum(OUTERMOST.values()):6.2f} s  reading and checking (the rest)")
    print(f"{total - own:6.2f} s  the other threads (ADBC writing blocks, the statistics' code imported)")
    print(f"{total:6.2f} s  CPU in all, in-process (process start and the commit's end not included)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
