"""`make bench`, letters: every authority's 2024-25 letter as PDF, and the same HTML letters through WeasyPrint.

Both run on all cores (ombuds' own process pool; a pool of the same size for WeasyPrint), side by side in one run.
Targets on the 2-core reference machine: ≤ 10 s wall, ≤ 1 GB peak, at least 10× faster than WeasyPrint.
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from run import generate_demo, measure

YEAR = "2024-25"


def _weasyprint(path: str) -> int:
    from weasyprint import HTML

    return len(HTML(filename=path).write_pdf())


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        work = Path(folder)
        data = generate_demo(work / "data", scale=1.0, seed=2017)
        db = f"sqlite:///{work / 'letters.db'}"
        files = [str(data / f"synthetic-{kind}.csv") for kind in ("received", "decided", "compliance", "contacts")]
        measure(["import", *files], db)
        seconds, peak, out = measure(["letters", "--year", YEAR, "--format", "pdf", "--out", str(work / "pdf")], db)
        count = len(out.splitlines())
        measure(["letters", "--year", YEAR, "--format", "html", "--out", str(work / "html")], db)
        pages = sorted(str(p) for p in (work / "html").glob("*.html"))
        started = time.perf_counter()
        with ProcessPoolExecutor(max_workers=os.cpu_count()) as pool:
            sizes = list(pool.map(_weasyprint, pages))
        weasy = time.perf_counter() - started
    machine = f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}"
    print(f"\nombuds letters benchmark ({machine}): {count} letters for {YEAR}")
    print(f"{'renderer':<34} {'wall':>8} {'peak RSS':>9} {'per letter':>11}")
    print(f"{'ombuds letters (Typst, PDF/UA-1)':<34} {seconds:>6.1f} s {peak:>6} MB {seconds / count * 1000:>8.1f} ms")
    print(f"{'WeasyPrint, same HTML letters':<34} {weasy:>6.1f} s {'':>9} {weasy / len(sizes) * 1000:>8.1f} ms")
    print(f"ombuds is {weasy / seconds:.1f}× faster")


if __name__ == "__main__":
    main()
