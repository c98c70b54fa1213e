"""`make bench`: the public site. The static build of every page for 8 years of the demo data (from nothing, and over
the previous build with nothing changed; from nothing with every letter already in the letter cache, as after
`ombuds letters` or an earlier build; from nothing again after `ombuds stats` has kept the statistics,
alternating with a copy without them, so that a busy machine slows both alike; and over the previous build after
one council's data changed, two decisions added to Stevenage's 2024-25, on both copies), then `ombuds serve` on
loopback under wrk (a council page, 50 connections, 30 s) with the server's peak memory.

Targets on the 2-core reference machine (issue 19): static build ≤ 25 s; a rebuild after one council's change
≤ 5 s; live council page ≥ 1,000 requests/s with p99 ≤ 50 ms; server memory ≤ 500 MB. (Postcode look-ups:
bench/postcodes.py.) CPU is the build's and its workers'; a build over the previous one updates it in place, and a
build from nothing over a folder whose manifest is gone replaces it whole, the replaced build deleted after the
command returns by a process of its own whose CPU is not counted. The demo's database is marked synthetic, so its
letters and the site's are the same bytes and share the letter cache. Each build's line gives the load average: the
machine may be shared.
"""

from __future__ import annotations

import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from serving import free_port, wait_for

ROOT = Path(__file__).resolve().parent.parent
OMBUDS = str(Path(sys.executable).parent / "ombuds")
PAGE = "/councils/stevenage-borough-council/2024-25/"
RUNS = 3


def make_demo(folder: Path) -> str:
    db = f"sqlite:///{folder / 'demo.db'}"
    subprocess.run([OMBUDS, "--db", db, "demo", "--no-serve", "--out", str(folder / "data")], check=True,
                   stdout=subprocess.DEVNULL)
    return db


def timed_build(db: str, out: Path, letter_cache: Path | None = None) -> tuple[float, float, str]:
    """(wall seconds, CPU seconds of the build and its workers, the build's summary line): with no letter cache
    (every letter compiled), unless `letter_cache` names one."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    cache = str(letter_cache) if letter_cache is not None else "none"
    done = subprocess.run([OMBUDS, "--db", db, "--letter-cache", cache, "site", "build", "--out", str(out)],
                          check=True, capture_output=True, text=True)
    seconds = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime - before.ru_utime + after.ru_stime - before.ru_stime
    return seconds, cpu, f"{done.stdout.strip().splitlines()[-1]}; load {os.getloadavg()[0]:.1f}"


def kept_copy(folder: Path, db: str) -> str:
    """A copy of the demo database in which `ombuds stats` has kept every year's statistics."""
    copy = folder / "kept.db"
    shutil.copyfile(folder / "demo.db", copy)
    kept = f"sqlite:///{copy}"
    subprocess.run([OMBUDS, "--db", kept, "stats"], check=True, stdout=subprocess.DEVNULL)
    return kept


def fresh_and_kept(folder: Path, db: str, kept: str) -> dict[str, list[tuple[float, float]]]:
    """Builds from nothing, alternating the database without kept statistics and the one with them."""
    times: dict[str, list[tuple[float, float]]] = {"fresh import": [], "statistics kept": []}
    for run in range(RUNS):
        for name, url in (("fresh import", db), ("statistics kept", kept)):
            seconds, cpu, summary = timed_build(url, folder / f"alternating-{run}")
            shutil.rmtree(folder / f"alternating-{run}")
            times[name].append((seconds, cpu))
            print(f"  static build, {name}, {run + 1}: {seconds:.1f} s, CPU {cpu:.1f} s ({summary})")
    return times


CHANGE = ("reference,authority,decision_date,outcome,service_area,satisfactory_remedy,remedied_by_ombudsman,"
          "public_report,summary\n"
          "BENCH-0001,Stevenage Borough Council,2024-09-14,Upheld,Housing,no,yes,no,A synthetic decision.\n"
          "BENCH-0002,Stevenage Borough Council,2024-10-02,Not Upheld,Housing,no,no,no,A synthetic decision.\n")


def one_council_changed(folder: Path, databases: dict[str, str]) -> dict[str, list[tuple[float, float, str]]]:
    """Per database: build from nothing, add two decisions to Stevenage's 2024-25, build again over the first
    build (timed), alternating the databases run by run."""
    change = folder / "change" / "decided.csv"
    change.parent.mkdir(exist_ok=True)
    change.write_text(CHANGE, encoding="utf-8")
    times: dict[str, list[tuple[float, float, str]]] = {name: [] for name in databases}
    for run in range(RUNS):
        for name, url in databases.items():
            copy = folder / f"changed-{run}.db"
            shutil.copyfile(url.removeprefix("sqlite:///"), copy)
            db = f"sqlite:///{copy}"
            out = folder / f"changed-{run}"
            timed_build(db, out)
            subprocess.run([OMBUDS, "--db", db, "import", str(change)], check=True, stdout=subprocess.DEVNULL)
            seconds, cpu, summary = timed_build(db, out)
            times[name].append((seconds, cpu, summary))
            print(f"  rebuild after one council's change, {name}, {run + 1}: {seconds:.1f} s, CPU {cpu:.1f} s "
                  f"({summary})")
            shutil.rmtree(out)
            copy.unlink()
    return times


def peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def wrk(url: str, connections: int, seconds: int) -> tuple[float, float, int]:
    """(requests/s, p99 latency in ms, non-2xx/3xx plus socket errors) from one wrk run."""
    out = subprocess.run(["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "--timeout", "5s", url],
                         check=True, capture_output=True, text=True, timeout=seconds + 60).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", out)[1])
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", out)
    scale = {"us": 0.001, "ms": 1.0, "s": 1000.0}[p99[2]]
    errors = sum(int(n) for n in re.findall(r"(?:connect|read|write|timeout) (\d+)", out))
    bad = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return rate, float(p99[1]) * scale, errors + (int(bad[1]) if bad else 0)


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is not installed: 'make bench' installs it (scripts/ensure-system.sh wrk)")
    print(f"Machine: {platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    with tempfile.TemporaryDirectory(prefix="ombuds-bench-site-") as tmp:
        folder = Path(tmp)
        db = make_demo(folder)
        cold, rebuilds, warm = [], [], []
        for run in range(RUNS):
            seconds, cpu, summary = timed_build(db, folder / f"cold-{run}")
            cold.append((seconds, cpu))
            print(f"  static build from nothing, no letter cache {run + 1}: {seconds:.1f} s, CPU {cpu:.1f} s "
                  f"({summary})")
        timed_build(db, folder / "fill", folder / "letters")  # fills the letter cache
        shutil.rmtree(folder / "fill")
        for run in range(RUNS):
            seconds, cpu, summary = timed_build(db, folder / f"warm-{run}", folder / "letters")
            shutil.rmtree(folder / f"warm-{run}")
            warm.append((seconds, cpu))
            print(f"  static build from nothing, letters cached {run + 1}: {seconds:.1f} s, CPU {cpu:.1f} s "
                  f"({summary})")
        for run in range(RUNS):
            seconds, cpu, summary = timed_build(db, folder / "cold-0")
            rebuilds.append((seconds, cpu))
            print(f"  rebuild over the last build, nothing changed {run + 1}: {seconds:.1f} s, CPU {cpu:.1f} s "
                  f"({summary})")
        kept = kept_copy(folder, db)
        alternating = fresh_and_kept(folder, db, kept)
        changed = one_council_changed(folder, {"fresh import": db, "statistics kept": kept})
        port = free_port()
        server = subprocess.Popen([OMBUDS, "--db", db, "serve", "--port", str(port)], stdout=subprocess.DEVNULL)
        try:
            url = f"http://127.0.0.1:{port}{PAGE}"
            wait_for(url)
            wrk(url, 50, 5)  # warm-up
            runs = [wrk(url, 50, 30) for _ in range(RUNS)]
            memory = peak_rss_mb(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=30)
    rate = statistics.median(r[0] for r in runs)
    p99 = statistics.median(r[1] for r in runs)
    errors = sum(r[2] for r in runs)
    print(f"\n| measure (median of {RUNS}) | result | target |")
    print("|---|---|---|")
    for name, runs_of in (("no letter cache", cold), ("its letters in the letter cache", warm)):
        print(f"| static build, every page of 8 years, from nothing, {name} | "
              f"{statistics.median(r[0] for r in runs_of):.1f} s wall, {statistics.median(r[1] for r in runs_of):.1f} "
              "s CPU | ≤ 25 s |")
    print(f"| the same over the last build, nothing changed | {_wall_cpu(rebuilds)} | |")
    for name, runs_of in alternating.items():
        print(f"| static build from nothing, {name} (alternating) | {statistics.median(r[0] for r in runs_of):.1f} s "
              f"wall, {statistics.median(r[1] for r in runs_of):.1f} s CPU | ≤ 25 s |")
    for name, runs_of in changed.items():
        print(f"| rebuild after one council's change, {name} (alternating) | {_wall_cpu(runs_of)} | ≤ 5 s |")
    print(f"| live council page, 50 connections, 30 s | {rate:,.0f} requests/s | ≥ 1,000 |")
    print(f"| live council page p99 latency | {p99:.1f} ms | ≤ 50 ms |")
    print(f"| errors during the load | {errors} | 0 |")
    print(f"| server peak memory | {memory:.0f} MB | ≤ 500 MB |")


def _wall_cpu(runs: list[tuple]) -> str:
    return (f"{statistics.median(r[0] for r in runs):.1f} s wall, {statistics.median(r[1] for r in runs):.1f} s "
            "CPU")


if __name__ == "__main__":
    main()
