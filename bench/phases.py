"""Where an import's CPU time goes: one `import_files` into a new database, each phase's CPU seconds measured by
wrapping the function that does it (reading and checking is what is left). For the README's breakdown.

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


def _timed(owner: object, name: str, phase: str) -> None:
    function: Callable = getattr(owner, name)

    def timed(*args, **kwargs):
        started = time.process_time()
        try:
            return function(*args, **kwargs)
        finally:
            SPENT[phase] += time.process_time() - started

    setattr(owner, name, timed)


PHASES = [
    (load, "copy_rows", "staging or loading rows (the driver's executemany)"),
    (run, "preload", "first load: reading, checking and writing rows with pyarrow and ADBC (ingest.arrow_read)"),
    (load.FirstLoad, "add_attached", "first load: rows copied in from ADBC's temporary database"),
    (LoadCounts, "add", "counting the rows of a first load"),
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
    started = time.process_time()
    run.import_files(database, files, scheme=load_scheme(DEFAULT))
    database.close()
    total = time.process_time() - started
    for phase, seconds in SPENT.most_common():
        print(f"{seconds:6.2f} s  {phase}")
    print(f"{total - sum(SPENT.values()):6.2f} s  reading and checking (the rest)")
    print(f"{total:6.2f} s  CPU in all, in-process (process start and the commit's end not included)")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
