"""`make bench`, round trip: every demo authority's letter in every edition, as PDF and HTML, parsed back and
compared with `ombuds stats`. Reports mismatches (there must be none) and parsing throughput (target on the 2-core
reference machine: at least 20 PDF letters parsed per second).
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ombuds.ingest import import_files
from ombuds.letters.batch import letter_jobs, render_letters
from ombuds.letters.editions import edition_in
from ombuds.parse import parse_document
from ombuds.parse.roundtrip import differences, shown
from ombuds.profile import load_profile
from ombuds.schemes import load_scheme
from ombuds.stats import year_statistics, years_held
from ombuds.store import open_database
from run import generate_demo

LGSCO = load_scheme("lgsco")


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        data = generate_demo(work / "data", scale=1.0, seed=2017)
        database = open_database(f"sqlite:///{work / 'roundtrip.db'}")
        import_files(database, [data / f"synthetic-{k}.csv" for k in ("received", "decided", "compliance",
                                                                       "contacts")], scheme=LGSCO)
        expected, files = {}, {"pdf": [], "html": []}
        for year in years_held(database, LGSCO):
            edition = edition_in(LGSCO.editions_dir, year, LGSCO)
            for s in year_statistics(database, LGSCO, year):
                expected[(s.authority.code, year.label)] = shown(s, edition.layout)
            for output_format in files:
                jobs = letter_jobs(database, year, edition, work / "letters" / year.label, output_format,
                                   profile=load_profile(), scheme=LGSCO)
                files[output_format] += [w.path for w in render_letters(jobs)]
        timings, mismatches = {}, []
        for output_format, paths in files.items():
            started = time.perf_counter()
            parsed = [parse_document(p) for p in paths]
            timings[output_format] = time.perf_counter() - started
            for path, document in zip(paths, parsed, strict=True):
                found = differences(document, expected[(document["authority"]["code"], document["year"])])
                mismatches += [f"{path.name}: {d}" for d in found]
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\nombuds round-trip benchmark ({machine}), every edition 2017-18 to 2024-25, one process")
    for output_format, paths in files.items():
        seconds = timings[output_format]
        print(f"  {output_format.upper():<4} {len(paths):>5} letters parsed in {seconds:5.1f} s: "
              f"{len(paths) / seconds:6.0f} letters/s")
    print(f"  figures that differ from ombuds stats: {len(mismatches)}")
    for line in mismatches[:20]:
        print(f"    {line}")
    if mismatches:
        sys.exit(1)


if __name__ == "__main__":
    main()
