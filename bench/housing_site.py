"""`make bench`: the Housing Ombudsman's public site for every year of its real data, built as static files (every
landlord page and JSON twin, national, category and funnel pages, downloads, API files and the 2024-25 landlord
reports as PDF and HTML), side by side with the LGSCO demo's site build when asked (`--with-lgsco`).

Each build runs as its own process (bench/run.py's `measure`: wall, CPU and peak memory), the two builds alternating
so that a busy machine slows both alike. Target (issue 17): the housing site for all years builds in ≤ 30 s on the
2-core reference machine.

    bench/housing_site.py [--runs 3] [--with-lgsco]
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))

from run import OMBUDS, Measure, measure  # noqa: E402

FINDINGS = ROOT / "src" / "ombuds" / "schemes" / "housing-ombudsman" / "data" / "findings.csv.gz"
TARGET_SECONDS = 30.0


def housing_database(folder: Path) -> str:
    db = f"sqlite:///{folder / 'housing.db'}"
    subprocess.run([OMBUDS, "--scheme", "housing-ombudsman", "--db", db, "import", "--rejects",
                    str(folder / "rejects.csv"), str(FINDINGS)], check=True, stdout=subprocess.DEVNULL)
    return db


def lgsco_database(folder: Path) -> str:
    db = f"sqlite:///{folder / 'demo.db'}"
    subprocess.run([OMBUDS, "--db", db, "demo", "--no-serve", "--out", str(folder / "demo")], check=True,
                   stdout=subprocess.DEVNULL)
    return db


def build(db: str, out: Path, *scheme: str) -> Measure:
    return measure([OMBUDS, *scheme, "--db", db, "site", "build", "--out", str(out)])


def median(found: list[Measure], attribute: str) -> float:
    return statistics.median(getattr(m, attribute) for m in found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--with-lgsco", action="store_true", help="also build the LGSCO demo's site, alternately")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ombuds-housing-site-bench-") as tmp:
        folder = Path(tmp)
        housing_db = housing_database(folder)
        lgsco_db = lgsco_database(folder) if options.with_lgsco else None
        housing, lgsco = [], []
        for run in range(options.runs):
            housing.append(build(housing_db, folder / f"housing-site-{run}", "--scheme", "housing-ombudsman"))
            if lgsco_db:
                lgsco.append(build(lgsco_db, folder / f"lgsco-site-{run}"))
        print(housing[0].out.strip().splitlines()[-1])
    print(f"\nmedians of {options.runs} runs (each build its own process, from nothing; wall, CPU = user + system "
          "of the build and its workers, peak memory)")
    rows = [("housing site, all years (real data)", housing)]
    if lgsco:
        rows.append(("LGSCO demo site, all years", lgsco))
    for name, found in rows:
        print(f"  {name:38} {median(found, 'wall'):6.2f} s wall {median(found, 'cpu'):6.2f} s CPU "
              f"{median(found, 'peak_mb'):5.0f} MB")
    if lgsco:
        print(f"  housing / LGSCO site build: {median(housing, 'wall') / median(lgsco, 'wall'):.2f}× wall")
    verdict = "met" if median(housing, "wall") <= TARGET_SECONDS else "NOT met"
    print(f"  target ≤ {TARGET_SECONDS:.0f} s: {verdict}")


if __name__ == "__main__":
    main()
