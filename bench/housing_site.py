"""`make bench`: the Housing Ombudsman's public site for every year of its real data, built as static files (every
landlord page and JSON twin, national, category and funnel pages, downloads, API files and the 2024-25 landlord
reports as PDF and HTML), with and without `--precompress` (a `.br` and a `.gz` twin of every text file), side by
side with the LGSCO demo's site build, with and without it too, when asked (`--with-lgsco`).

Each build runs as its own process (bench/run.py's `measure`: wall, CPU and peak memory), from nothing, the builds
alternating so that a busy machine slows all alike. Target (issue 17): the housing site for all years builds in
≤ 30 s on the 2-core reference machine.

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


def build(db: str, out: Path, *options: str) -> Measure:
    """One static build from nothing; `options` go before `site build` (`--scheme`) or after it (`--precompress`)."""
    before = [o for o in options if o != "--precompress"]
    after = [o for o in options if o == "--precompress"]
    return measure([OMBUDS, *before, "--db", db, "site", "build", "--out", str(out), *after])


def twins(out: Path) -> tuple[int, int]:
    """The `.br` and `.gz` files a `--precompress` build wrote, and their bytes."""
    found = [f for f in out.rglob("*") if f.suffix in (".br", ".gz") and f.is_file()]
    return len(found), sum(f.stat().st_size for f in found)


def median(found: list[Measure], attribute: str) -> float:
    return statistics.median(getattr(m, attribute) for m in found)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--with-lgsco", action="store_true", help="also build the LGSCO demo's site, alternately")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="ombuds-housing-site-bench-") as tmp:
        folder = Path(tmp)
        databases = {"housing": housing_database(folder)}
        if options.with_lgsco:
            databases["LGSCO"] = lgsco_database(folder)
        schemes = {"housing": ("--scheme", "housing-ombudsman"), "LGSCO": ()}
        builds: dict[tuple[str, bool], list[Measure]] = {}
        written: dict[str, tuple[int, int]] = {}
        for run in range(options.runs):
            for name, db in databases.items():
                for precompress in (False, True):
                    out = folder / f"{name}-{'precompressed' if precompress else 'plain'}-{run}"
                    extra = ("--precompress",) if precompress else ()
                    builds.setdefault((name, precompress), []).append(build(db, out, *schemes[name], *extra))
                    if precompress:
                        written[name] = twins(out)
        print(builds["housing", False][0].out.strip().splitlines()[-1])
        report(builds, written, options.runs)  # before the builds are deleted: that takes minutes on a busy machine


def report(builds: dict[tuple[str, bool], list[Measure]], written: dict[str, tuple[int, int]], runs: int) -> None:
    print(f"\nmedians of {runs} runs (each build its own process, from nothing, alternating; wall, CPU = user + "
          "system of the build and its workers, peak memory)")
    names = {"housing": "housing site, all years (real data)", "LGSCO": "LGSCO demo site, all years"}
    for (name, precompress), found in builds.items():
        label = names[name] + (", --precompress" if precompress else "")
        print(f"  {label:52} {median(found, 'wall'):6.2f} s wall {median(found, 'cpu'):6.2f} s CPU "
              f"{median(found, 'peak_mb'):5.0f} MB")
    for name, (count, size) in written.items():
        plain, compressed = builds[name, False], builds[name, True]
        print(f"  {name} --precompress: {median(compressed, 'wall') / median(plain, 'wall'):.2f}× wall, "
              f"{median(compressed, 'cpu') / median(plain, 'cpu'):.2f}× CPU of the plain build; "
              f"{count:,} .br and .gz files, {size / 1e6:.1f} MB")
    if ("LGSCO", False) in builds:
        ratio = median(builds["housing", False], "wall") / median(builds["LGSCO", False], "wall")
        print(f"  housing / LGSCO site build: {ratio:.2f}× wall")
    verdict = "met" if median(builds["housing", False], "wall") <= TARGET_SECONDS else "NOT met"
    print(f"  target ≤ {TARGET_SECONDS:.0f} s: {verdict}", flush=True)


if __name__ == "__main__":
    main()
