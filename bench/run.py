"""`make bench`: import 1,000,000 generated cases and compute every year's statistics, on SQLite and PostgreSQL.

Each measured step runs as its own `ombuds` process, so wall time and peak memory (max RSS) are that command's
alone. Targets on the 2-core reference machine: import ≤ 30 s at ≤ 1 GB peak; all years' statistics ≤ 2 s.
"""

from __future__ import annotations

import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from ombuds.demo import generate  # noqa: E402
from pgserver import create_database, throwaway_server  # noqa: E402

CASES = 1_000_000
DEMO_CASES = 281_000  # received + decided + compliance rows of the demo at scale 1
OMBUDS = str(Path(sys.executable).parent / "ombuds")


def measure(args: list[str], db: str) -> tuple[float, int, str]:
    """(wall seconds, peak RSS in MB, stdout) of one ombuds command."""
    started = time.perf_counter()
    process = subprocess.Popen([OMBUDS, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                               env={**os.environ, "OMBUDS_DB": db})
    out = process.stdout.read()
    err = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    elapsed = time.perf_counter() - started
    if status != 0:
        sys.exit(f"ombuds {' '.join(args)} failed:\n{err.decode()}")
    return elapsed, usage.ru_maxrss // 1024, out.decode()


def generate_demo(folder: Path, *, scale: float, seed: int) -> Path:
    """Generate the synthetic files in a process of its own: a child's peak RSS counts the parent's memory."""
    subprocess.run([sys.executable, __file__, "--generate", str(folder), str(scale), str(seed)], check=True)
    return folder


def run(label: str, db: str, files: list[str]) -> list[tuple[str, str, str, str]]:
    rows = []
    seconds, peak, _ = measure(["import", *files], db)
    rows.append((label, "import 1,000,000 cases (3 files)", f"{seconds:.1f} s", f"{peak} MB"))
    seconds, peak, _ = measure(["import", *files], db)
    rows.append((label, "re-import, unchanged", f"{seconds:.1f} s", f"{peak} MB"))
    seconds, peak, out = measure(["stats", "--format", "json"], db)
    objects = out.count('"year"')
    rows.append((label, f"stats, all years ({objects:,} authority-years)", f"{seconds:.2f} s", f"{peak} MB"))
    seconds, peak, _ = measure(["stats", "--year", "2024-25", "--format", "csv"], db)
    rows.append((label, "stats, one year, CSV", f"{seconds:.2f} s", f"{peak} MB"))
    return rows


def main() -> None:
    data = ROOT / "bench-data"
    scale = CASES / DEMO_CASES
    marker = data / f"scale-{scale:.4f}"
    if not marker.exists():
        shutil.rmtree(data, ignore_errors=True)
        print(f"Generating about {CASES:,} synthetic cases in {data}/ …", flush=True)
        generate_demo(data, scale=scale, seed=1)
        marker.touch()
    files = [str(data / f"synthetic-{kind}.csv") for kind in ("received", "decided", "compliance")]
    counted = 0
    for name in files:
        with open(name, "rb") as f:
            counted += sum(chunk.count(b"\n") for chunk in iter(lambda f=f: f.read(1 << 20), b"")) - 1
    print(f"{counted:,} cases in {len(files)} files", flush=True)
    results = []
    with tempfile.TemporaryDirectory() as folder:
        results += run("SQLite", f"sqlite:///{folder}/bench.db", files)
    with throwaway_server() as server:
        results += run("PostgreSQL", create_database(server, "ombuds_bench"), files)
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\nombuds benchmark ({machine})")
    print(f"{'database':<11} {'step':<42} {'wall':>8} {'peak RSS':>9}")
    for row in results:
        print(f"{row[0]:<11} {row[1]:<42} {row[2]:>8} {row[3]:>9}")


if __name__ == "__main__":
    if sys.argv[1:2] == ["--generate"]:
        generate(Path(sys.argv[2]), scale=float(sys.argv[3]), seed=int(sys.argv[4]))
    else:
        main()
