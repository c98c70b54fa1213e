"""`make bench`: import generated cases and compute every year's statistics, on SQLite and PostgreSQL, beside
SQLite's own bulk load of the same files, on two generators: the demo's (`ombuds.demo`) and `bench/skewed.py`
(skewed authorities, dates over every day, day-first dates, an XLSX file), each imported into a new database and
imported again: unchanged, and with 1% of the decisions changed.

Each measured step runs as its own process, so wall time, CPU time (user + system) and peak memory (max RSS) are
that command's alone. The baseline is the `sqlite3` command line's `.import` of the same rows (CSV; the workbook's
rows as CSV) into the same tables, plus the same indexes, timed in the same run, alternating with `ombuds import`
(A/B pairs, so that a busy machine slows both alike); the ratio is the median of the pairs' ratios. Sizes: 1M cases
(--runs pairs), then any other --sizes with one pair each (`make bench-scale`: 10M). Targets (issue 21): import
≤ 1.5× the baseline, peak memory ≤ 300 MB (imports and re-imports); the first `stats` after an import (all
years) ≤ 0.3 s, as later ones. The case counts that statistics read are checked against a fresh GROUP BY of the
case tables on both databases.

    bench/run.py [--sizes 1000000,10000000] [--runs 5] [--generators demo,skewed] [--no-postgresql]
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT / "tests"), str(ROOT / "bench")]

from sqlalchemy.dialects import sqlite  # noqa: E402
from sqlalchemy.schema import CreateIndex, CreateTable  # noqa: E402

import skewed  # noqa: E402
from ombuds.demo import generate  # noqa: E402
from ombuds.store.schema import TABLES  # noqa: E402
from pgserver import create_database, throwaway_server  # noqa: E402

DEMO_CASES = 281_000  # received + decided + compliance rows of the demo at scale 1
KINDS = ("received", "decided", "compliance")
OMBUDS = str(Path(sys.executable).parent / "ombuds")


@dataclass
class Measure:
    wall: float
    cpu: float
    peak_mb: int
    out: str = ""


def measure(command: list[str], env: dict | None = None, stdin: str | None = None) -> Measure:
    """Wall and CPU seconds of one process (its own usage, read by wait4) and its peak RSS. The command runs under
    GNU time, whose report gives the peak: Linux keeps a process's memory high-water mark across fork and exec, so
    a command started straight from this (larger) process would report this one's memory as its own floor."""
    with tempfile.NamedTemporaryFile(mode="r") as peak:
        started = time.perf_counter()
        process = subprocess.Popen(["/usr/bin/time", "-f", "%M", "-o", peak.name, *command],
                                   stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=subprocess.PIPE, env={**os.environ, **(env or {})})
        if stdin is not None:
            process.stdin.write(stdin.encode())
            process.stdin.close()
        out = process.stdout.read()
        err = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        if status != 0:
            sys.exit(f"{' '.join(command)} failed:\n{err.decode()}")
        peak_kb = int(peak.read().split()[-1])
    return Measure(elapsed, usage.ru_utime + usage.ru_stime, peak_kb // 1024, out.decode())


def ombuds(args: list[str], db: str) -> Measure:
    return measure([OMBUDS, *args], env={"OMBUDS_DB": db})


@dataclass
class DataSet:
    generator: str
    imported: list[str]  # what ombuds import reads
    baseline: list[tuple[str, str]]  # (CSV file, table) that sqlite3 .import reads: the same rows
    changed: list[str]  # a re-import's input: the same cases, 1% of the decisions changed


def sqlite_baseline(files: list[tuple[str, str]], folder: Path) -> Measure:
    """The sqlite3 command line: the same tables, `.import` of the same rows, then the same indexes."""
    dialect = sqlite.dialect()
    tables = [TABLES[kind] for kind in KINDS]
    script = ["PRAGMA journal_mode=WAL;", "PRAGMA synchronous=NORMAL;"]
    script += [f"{str(CreateTable(t).compile(dialect=dialect)).strip()};" for t in tables]
    script += [f".import --csv --skip 1 {name} {table}" for name, table in files]
    script += [f"{str(CreateIndex(i).compile(dialect=dialect)).strip()};"
               for t in tables for i in sorted(t.indexes, key=lambda i: i.name)]
    database = folder / "baseline.db"
    return measure(["sqlite3", str(database)], stdin="\n".join(script) + "\n")


def generate_demo(folder: Path, *, scale: float, seed: int) -> Path:
    """Generate the synthetic files in a process of its own: a child's peak RSS counts the parent's memory."""
    subprocess.run([sys.executable, __file__, "--generate", str(folder), str(scale), str(seed)], check=True)
    return folder


def case_files(cases: int) -> list[str]:
    data = ROOT / "bench-data" / f"scale-{cases}"  # shared with bench/scale.py
    marker = data / "complete"
    if not marker.exists():
        shutil.rmtree(data, ignore_errors=True)
        print(f"Generating about {cases:,} synthetic cases in {data}/ …", flush=True)
        generate_demo(data, scale=cases / DEMO_CASES, seed=1)
        marker.touch()
    return [str(data / f"synthetic-{kind}.csv") for kind in KINDS]


def data_set(generator: str, cases: int) -> DataSet:
    if generator == "demo":
        files = case_files(cases)
        changed = Path(files[1]).with_name("decided-changed.csv")
        if not changed.exists():
            skewed.one_percent_changed(Path(files[1]), changed.with_suffix(".part")).rename(changed)
        return DataSet("demo", files, list(zip(files, KINDS, strict=True)), [str(changed)])
    data = ROOT / "bench-data" / f"skewed-{cases}"
    marker = data / "complete"
    if not marker.exists():
        shutil.rmtree(data, ignore_errors=True)
        print(f"Generating about {cases:,} skewed cases in {data}/ …", flush=True)
        subprocess.run([sys.executable, str(ROOT / "bench" / "skewed.py"), str(data), str(cases)], check=True)
        marker.touch()
    files = skewed.files_in(data)
    return DataSet("skewed", files.imported(), files.baseline(), [str(files.decided_changed)])


def count_rows(files: list[str]) -> int:
    counted = 0
    for name in files:
        with open(name, "rb") as f:
            counted += sum(chunk.count(b"\n") for chunk in iter(lambda f=f: f.read(1 << 20), b"")) - 1
    return counted


def median(measures: list[Measure]) -> Measure:
    return Measure(statistics.median(m.wall for m in measures), statistics.median(m.cpu for m in measures),
                   max(m.peak_mb for m in measures))


def peak_range(measures: list[Measure]) -> str:
    """The peaks of several runs, lowest to highest: whether a peak holds from run to run."""
    low, high = min(m.peak_mb for m in measures), max(m.peak_mb for m in measures)
    return f" ({low}–{high} MB)" if len(measures) > 1 else ""


def row(label: str, step: str, m: Measure, note: str = "") -> tuple[str, ...]:
    return (label, step, f"{m.wall:.1f} s", f"{m.cpu:.1f} s", f"{m.peak_mb} MB", note)


def import_rows(data: DataSet, cases: int, runs: int) -> list[tuple[str, ...]]:
    """ombuds import into a new SQLite database and the sqlite3 baseline, in `runs` A/B pairs (which goes first
    alternates); after each pair, into the pair's database, a re-import of the same files (unchanged) and one with
    1% of the decisions changed; after the last import, the first `stats` and, after the re-imports, `stats` again.
    Wall and CPU are medians, peak memory the largest of the runs."""
    ours, theirs, unchanged, changed = [], [], [], []
    for n in range(runs):
        with tempfile.TemporaryDirectory() as folder:
            db = f"sqlite:///{folder}/bench.db"
            pair = [lambda: theirs.append(sqlite_baseline(data.baseline, Path(folder))),
                    lambda db=db: ours.append(ombuds(["import", *data.imported], db))]
            for step in pair if n % 2 == 0 else reversed(pair):
                step()
            if n == runs - 1:
                first = ombuds(["stats", "--format", "json"], db)
            unchanged.append(ombuds(["import", *data.imported], db))
            changed.append(ombuds(["import", *data.changed], db))
            if n == runs - 1:
                after = ombuds(["stats", "--format", "json"], db)
    a, b = median(ours), median(theirs)
    of = f"median of {runs} pairs" if runs > 1 else "one pair"
    peaks = f"median of {runs}, peak the largest" if runs > 1 else "one run"
    wall = statistics.median(x.wall / y.wall for x, y in zip(ours, theirs, strict=True))
    cpu = statistics.median(x.cpu / y.cpu for x, y in zip(ours, theirs, strict=True))
    label = f"SQLite, {data.generator}"
    return [row(label, f"sqlite3 .import + indexes, {cases:,} cases", b, of),
            row(label, f"ombuds import, {cases:,} cases", a,
                f"{of}, peak the largest{peak_range(ours)}; {wall:.2f}× baseline wall, {cpu:.2f}× CPU"),
            row(label, "stats, all years, first after the import", first, "kept by the import"),
            row(label, "re-import, unchanged", median(unchanged), f"staged; {peaks}{peak_range(unchanged)}"),
            row(label, "re-import, 1% of decisions changed", median(changed), f"staged; {peaks}{peak_range(changed)}"),
            row(label, "stats, all years, first after the re-imports", after, "kept by the import")]


COUNTS_CHECK = """
import sys, time
from ombuds.store import open_database
from ombuds.store.aggregate import fresh_counts, stored_counts
database = open_database(sys.argv[1], create=False)
with database.read() as connection:
    started, cpu = time.perf_counter(), time.process_time()
    fresh = fresh_counts(connection)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    stored = stored_counts(connection)
print(seconds, cpu, len(stored), int(stored == fresh))
"""


def counts_check(label: str, db: str) -> tuple[str, ...]:
    """The case counts the statistics read must equal a fresh GROUP BY of the case tables: the run stops if not."""
    checked = measure([sys.executable, "-c", COUNTS_CHECK, db])
    seconds, cpu, counts, equal = checked.out.split()
    if equal != "1":
        sys.exit(f"{label}: the case counts differ from a fresh count of the case tables")
    return (label, f"case counts = a fresh GROUP BY ({int(counts):,} counts)", f"{float(seconds):.1f} s",
            f"{float(cpu):.1f} s", "", "equal")


def other_steps(label: str, db: str, files: list[str], cases: int) -> list[tuple[str, ...]]:
    rows = []
    if label != "SQLite":
        rows.append(row(label, f"ombuds import, {cases:,} cases", ombuds(["import", *files], db)))
    rows.append(counts_check(label, db))
    if label != "SQLite":  # SQLite's re-imports are measured with each generator's imports (import_rows)
        rows.append(row(label, "re-import, unchanged", ombuds(["import", *files], db)))
    stats = ombuds(["stats", "--format", "json"], db)
    rows.append(row(label, f"stats, all years ({stats.out.count(chr(34) + 'year' + chr(34)):,} authority-years)",
                    stats, "first after the import: kept by it"))
    rows.append(row(label, "stats, all years, kept", median([ombuds(["stats", "--format", "json"], db)
                                                               for _ in range(3)]), "median of 3"))
    rows.append(row(label, "stats, one year, CSV, kept", ombuds(["stats", "--year", "2024-25", "--format", "csv"],
                                                                db)))
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000000", help="case counts, comma-separated")
    parser.add_argument("--runs", type=int, default=5, help="A/B pairs at the first size (medians)")
    parser.add_argument("--generators", default="demo,skewed", help="demo, skewed or both")
    parser.add_argument("--no-postgresql", action="store_true")
    options = parser.parse_args()
    sizes = [int(size) for size in options.sizes.split(",")]
    results = []
    for n, cases in enumerate(sizes):
        for generator in options.generators.split(","):
            data = data_set(generator, cases)
            counted = count_rows([name for name, _ in data.baseline])
            print(f"{generator}: {counted:,} cases in {len(data.imported)} files", flush=True)
            results += import_rows(data, counted, options.runs if n == 0 else 1)
        if n == 0 and "demo" in options.generators:
            files = case_files(cases)
            counted = count_rows(files)
            with tempfile.TemporaryDirectory() as folder:
                db = f"sqlite:///{folder}/bench.db"
                ombuds(["import", *files], db)
                results += other_steps("SQLite", db, files, counted)
            if not options.no_postgresql:
                with throwaway_server() as server:
                    results += other_steps("PostgreSQL", create_database(server, "ombuds_bench"), files, counted)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    load = os.getloadavg()[0]
    print(f"\nombuds benchmark ({machine}; load average {load:.1f} at the end)")
    print(f"{'database':<16} {'step':<46} {'wall':>8} {'CPU':>8} {'peak RSS':>9}  note")
    for r in results:
        print(f"{r[0]:<16} {r[1]:<46} {r[2]:>8} {r[3]:>8} {r[4]:>9}  {r[5]}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--generate"]:
        from ombuds.schemes import load_scheme

        generate(Path(sys.argv[2]), load_scheme("lgsco"), scale=float(sys.argv[3]), seed=int(sys.argv[4]))
    else:
        main()
