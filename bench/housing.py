"""`make bench`: the Housing Ombudsman's whole real findings file imported into a new SQLite database, side by side
with the LGSCO demo's import (the synthetic files `ombuds demo` imports), and the 2024-25 figures computed.

Each step runs as its own process (bench/run.py's `measure`: wall, CPU and peak memory of that command alone), the
two imports alternating so that a busy machine slows both alike. Target (issue 17): the whole real data set
imports in ≤ 5 s on the 2-core reference machine.

    bench/housing.py [--runs 5]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from ombuds.demo import generate  # noqa: E402
from ombuds.schemes import load_scheme  # noqa: E402
from run import OMBUDS, Measure, measure  # noqa: E402

LGSCO = load_scheme("lgsco")

FINDINGS = ROOT / "src" / "ombuds" / "schemes" / "housing-ombudsman" / "data" / "findings.csv.gz"
TARGET_SECONDS = 5.0


def housing_import(folder: Path, run: int) -> Measure:
    db = f"sqlite:///{folder / f'housing-{run}.db'}"
    return measure([OMBUDS, "--scheme", "housing-ombudsman", "--db", db, "import", "--rejects",
                    str(folder / f"rejects-{run}.csv"), str(FINDINGS)])


def housing_stats(folder: Path, run: int) -> Measure:
    db = f"sqlite:///{folder / f'housing-{run}.db'}"
    return measure([OMBUDS, "--scheme", "housing-ombudsman", "--db", db, "stats", "--year", "2024-25"])


def lgsco_import(folder: Path, files: list[str], run: int) -> Measure:
    return measure([OMBUDS, "--db", f"sqlite:///{folder / f'lgsco-{run}.db'}", "import", *files])


def median(found: list[Measure], attribute: str) -> float:
    return statistics.median(getattr(m, attribute) for m in found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    runs = parser.parse_args().runs
    with tempfile.TemporaryDirectory(prefix="ombuds-housing-bench-") as tmp:
        folder = Path(tmp)
        demo = generate(folder / "demo", LGSCO, seed=1)
        files = [str(p) for p in demo.paths.values()]
        housing, lgsco, figures = [], [], []
        for run in range(runs):
            housing.append(housing_import(folder, run))
            lgsco.append(lgsco_import(folder, files, run))
            figures.append(housing_stats(folder, run))
        print(housing[0].out.strip())
    print(f"\nmedians of {runs} runs (each command its own process; wall, CPU = user + system, peak memory)")
    for name, found in (("housing import, 33,096 real findings", housing),
                        ("LGSCO demo import (synthetic cases)", lgsco),
                        ("housing stats --year 2024-25", figures)):
        print(f"  {name:40} {median(found, 'wall'):6.2f} s wall {median(found, 'cpu'):6.2f} s CPU "
              f"{median(found, 'peak_mb'):5.0f} MB")
    ratio = median(housing, "wall") / median(lgsco, "wall")
    verdict = "met" if median(housing, "wall") <= TARGET_SECONDS else "NOT met"
    print(f"  housing / LGSCO demo import: {ratio:.2f}× wall; target ≤ {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
