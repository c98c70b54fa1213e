"""`make bench-scale`: 10 million generated cases on SQLite and on a throwaway PostgreSQL server.

For each size (`python bench/scale.py [--databases=sqlite,postgresql] [--runs=5] 1000000 3000000`; default
10,000,000) and database it times, as separate `ombuds` processes (wall, CPU and peak RSS of that command alone;
the PostgreSQL server's own work is not in the CPU column): the import, every year's statistics and one year's
(median of several runs, process start included; and computed in-process, without start-up and without what was
kept), and one year's letters. The import keeps every year's figures in its own transaction (`stats.ready`), so
the first `stats` after it reads them, as the runs after it do, until the data or the statistics code changes. It checks
that the case counts the statistics read equal a fresh GROUP BY over the case tables, and runs the same GROUP BY
in DuckDB over the same cases, side by side.

Targets on the 2-core reference machine (issue 11): all years' statistics ≤ 0.3 s with process start at 1M and
10M cases, one year's ≤ 0.15 s, and no slower than DuckDB; on PostgreSQL at 10M the import ≤ 5 minutes, all
statistics ≤ 1 s, peak memory ≤ 1 GB.
"""

from __future__ import annotations

import os
import platform
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent / "tests")]

from pgserver import create_database, throwaway_server  # noqa: E402
from run import COUNTS_CHECK, DEMO_CASES, ROOT, Measure, generate_demo, measure  # noqa: E402

OMBUDS = str(Path(sys.executable).parent / "ombuds")
YEAR = "2024-25"
RUNS = 5
KINDS = ("received", "decided", "compliance")


def timed(args: list[str], env: dict[str, str] | None = None) -> Measure:
    return measure(args, env)


def median(runs: list[Measure]) -> Measure:
    return Measure(statistics.median(r.wall for r in runs), statistics.median(r.cpu for r in runs),
                   max(r.peak_mb for r in runs), runs[-1].out)


IN_PROCESS = """
import sys, time
from ombuds.stats.service import StatisticsService
from ombuds.store import open_database
from ombuds.years import Year
from ombuds.schemes import load_scheme

LGSCO = load_scheme("lgsco")
database = open_database(sys.argv[1], create=False)
StatisticsService._kept = lambda *_: None  # time the computing, not the reading of what `stats` kept
started, cpu = time.perf_counter(), time.process_time()
service = StatisticsService(database, LGSCO)
years = [Year.parse(sys.argv[2])] if len(sys.argv) > 2 else service.years()
records = [r.to_json() for y in years for r in service.year(y).records]
print(time.perf_counter() - started, time.process_time() - cpu, len(records))
"""

DUCKDB_LOAD = """
import sys, duckdb
con = duckdb.connect(sys.argv[1])
folder = sys.argv[2]
for kind in ("received", "decided", "compliance"):
    con.execute(f"CREATE TABLE {kind} AS SELECT * FROM read_csv('{folder}/synthetic-{kind}.csv', header=true)")
"""

DUCKDB_GROUP_BY = """
import sys, time
started = time.perf_counter()
import duckdb
con = duckdb.connect(sys.argv[1], read_only=True)
year = "(year({0}) - CAST(month({0}) < 4 AS INTEGER))"
query = f'''
SELECT {year.format("received_date")} AS y, authority, 'received', service_area, count(*), 0, 0
  FROM received GROUP BY ALL
UNION ALL
SELECT {year.format("decision_date")}, authority, 'decided', outcome, count(*),
       count(*) FILTER (WHERE satisfactory_remedy IN ('yes', 'true', 'True')),
       count(*) FILTER (WHERE remedied_by_ombudsman IN ('yes', 'true', 'True'))
  FROM decided GROUP BY ALL
UNION ALL
SELECT {year.format("recorded_date")}, authority, 'compliance', compliance, count(*), 0, 0
  FROM compliance GROUP BY ALL
'''
queried, cpu = time.perf_counter(), time.process_time()
rows = con.execute(query).fetchall()
print(time.perf_counter() - queried, time.process_time() - cpu, len(rows))
"""


def ombuds(args: list[str], db: str) -> Measure:
    return timed([OMBUDS, *args], {"OMBUDS_DB": db})


def python(code: str, *args: str) -> Measure:
    return timed([sys.executable, "-c", code, *args])


def in_process(db: str, *year: str) -> tuple[float, float]:
    """Median wall and CPU seconds of computing the statistics inside a process, its start-up left out."""
    runs = [python(IN_PROCESS, db, *year).out.split() for _ in range(RUNS)]
    return statistics.median(float(r[0]) for r in runs), statistics.median(float(r[1]) for r in runs)


def data_for(size: int) -> tuple[Path, int]:
    """The generated files for about `size` cases (generated once, kept in bench-data/, which git ignores)."""
    folder = ROOT / "bench-data" / f"scale-{size}"
    marker = folder / "complete"
    if not marker.exists():
        print(f"generating about {size:,} cases in {folder}/ …", flush=True)
        started = time.perf_counter()
        generate_demo(folder, scale=size / DEMO_CASES, seed=1)
        marker.write_text(f"{time.perf_counter() - started:.0f} s\n")
    cases = 0
    for kind in KINDS:
        with open(folder / f"synthetic-{kind}.csv", "rb") as f:
            cases += sum(chunk.count(b"\n") for chunk in iter(lambda f=f: f.read(1 << 20), b"")) - 1
    return folder, cases


Row = tuple[str, str, str, str, str]  # database, step, wall, CPU, peak


def show(rows: list[Row], row: Row) -> None:
    rows.append(row)
    print(f"  {row[0]:<11} {row[1]:<46} {row[2]:>9} {row[3]:>9} {row[4]:>9}", flush=True)


def seconds(value: float) -> str:
    return f"{value:.2f} s" if value < 100 else f"{value:.0f} s"


def bench_database(label: str, db: str, folder: Path, work: Path, rows: list[Row]) -> None:
    files = [str(folder / f"synthetic-{kind}.csv") for kind in (*KINDS, "contacts")]
    m = ombuds(["import", *files], db)
    show(rows, (label, "import", seconds(m.wall), seconds(m.cpu), f"{m.peak_mb} MB"))
    check = python(COUNTS_CHECK, db).out.split()
    if check[3] != "1":
        sys.exit(f"{label}: the case counts differ from a fresh count of the case tables")
    show(rows, (label, f"fresh GROUP BY of the cases (= {int(check[2]):,} counts)", seconds(float(check[0])),
                seconds(float(check[1])), ""))
    m = ombuds(["stats", "--format", "json"], db)
    records = m.out.count('"year"')
    show(rows, (label, f"stats, all years ({records:,} records), first after import", seconds(m.wall),
                seconds(m.cpu), f"{m.peak_mb} MB"))
    m = median([ombuds(["stats", "--format", "json"], db) for _ in range(RUNS)])
    show(rows, (label, "stats, all years, kept, process", seconds(m.wall), seconds(m.cpu), f"{m.peak_mb} MB"))
    wall, cpu = in_process(db)
    show(rows, (label, "stats, all years, computed in-process", seconds(wall), seconds(cpu), ""))
    m = median([ombuds(["stats", "--year", YEAR, "--format", "json"], db) for _ in range(RUNS)])
    show(rows, (label, f"stats, {YEAR}, kept, process", seconds(m.wall), seconds(m.cpu), f"{m.peak_mb} MB"))
    wall, cpu = in_process(db, YEAR)
    show(rows, (label, f"stats, {YEAR}, computed in-process", seconds(wall), seconds(cpu), ""))
    m = ombuds(["letters", "--year", YEAR, "--format", "pdf", "--out", str(work / f"letters-{label}")], db)
    letters = len(m.out.splitlines())
    show(rows, (label, f"letters, {YEAR} ({letters} PDF)", seconds(m.wall), seconds(m.cpu), f"{m.peak_mb} MB"))


def bench_duckdb(folder: Path, work: Path, rows: list[Row]) -> None:
    path = str(work / "cases.duckdb")
    m = python(DUCKDB_LOAD, path, str(folder))
    show(rows, ("DuckDB", "load the same CSV files", seconds(m.wall), seconds(m.cpu), f"{m.peak_mb} MB"))
    runs = [python(DUCKDB_GROUP_BY, path) for _ in range(RUNS)]
    m = median(runs)
    inside = statistics.median(float(r.out.split()[0]) for r in runs)
    inside_cpu = statistics.median(float(r.out.split()[1]) for r in runs)
    counts = int(runs[-1].out.split()[2])
    show(rows, ("DuckDB", f"one GROUP BY, all years ({counts:,} counts), process", seconds(m.wall), seconds(m.cpu),
                f"{m.peak_mb} MB"))
    show(rows, ("DuckDB", "one GROUP BY, all years, in-process", seconds(inside), seconds(inside_cpu), ""))


def main(sizes: list[int], databases: list[str]) -> None:
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    results: dict[int, list[Row]] = {}
    for size in sizes:
        folder, cases = data_for(size)
        print(f"\n{cases:,} cases ({machine}); medians of {RUNS} runs for statistics", flush=True)
        rows = results[cases] = []
        with tempfile.TemporaryDirectory(dir=ROOT / "bench-data", prefix="scale-work-") as scratch:
            work = Path(scratch)
            if "sqlite" in databases:
                bench_database("SQLite", f"sqlite:///{work / 'scale.db'}", folder, work, rows)
            if "postgresql" in databases:
                with throwaway_server() as server:
                    bench_database("PostgreSQL", create_database(server, "ombuds_scale"), folder, work, rows)
            bench_duckdb(folder, work, rows)
    print(f"\nombuds scale benchmark ({machine})")
    print(f"{'cases':>11} {'database':<11} {'step':<52} {'wall':>9} {'CPU':>9} {'peak RSS':>9}")
    for cases, rows in results.items():
        for row in rows:
            print(f"{cases:>11,} {row[0]:<11} {row[1]:<52} {row[2]:>9} {row[3]:>9} {row[4]:>9}")


if __name__ == "__main__":
    arguments = sys.argv[1:]
    chosen = ["sqlite", "postgresql"]
    while arguments and arguments[0].startswith("--"):
        name, _, value = arguments.pop(0).partition("=")
        if name == "--databases":
            chosen = value.split(",")
        elif name == "--runs":
            RUNS = int(value)
        else:
            sys.exit(f"unknown option {name}: use --databases=sqlite,postgresql and --runs=N, then case counts")
    main([int(a) for a in arguments] or [10_000_000], chosen)
