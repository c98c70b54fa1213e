"""`make bench`, parse: letters/s of `ombuds parse` on one core (target: at least 250).

Renders every tenth demo authority's letter in every edition 2017-18 to 2024-25, as PDF and as HTML, then parses
them all in this one process (one core) and reports letters per second, wall and CPU time (medians), where the CPU
time goes (reading each file's text, then reading the figures in it), and a profile's top functions with `--profile`.
For PDFs it also times, in the same run, the plain way of reading their text (pypdfium2's page objects, every colour
space loaded): the baseline the fast path is measured against.
"""

from __future__ import annotations

import cProfile
import os
import platform
import pstats
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from ombuds.ingest import import_files
from ombuds.letters.batch import letter_jobs, render_letters
from ombuds.letters.editions import edition_in
from ombuds.parse import parse_files
from ombuds.parse.documents import parse_text
from ombuds.parse.text import read_text
from ombuds.profile import load_profile
from ombuds.schemes import load_scheme
from ombuds.stats import years_held
from ombuds.store import open_database
from run import generate_demo

EVERY = 10  # every tenth authority of each year
RUNS = 5
TARGET = 250  # letters/s on one core

LGSCO = load_scheme("lgsco")


def render(work: Path) -> dict[str, list[Path]]:
    data = generate_demo(work / "data", scale=0.2, seed=2017)
    database = open_database(f"sqlite:///{work / 'parse.db'}")
    import_files(database, [data / f"synthetic-{k}.csv" for k in ("received", "decided", "compliance", "contacts")],
                 scheme=LGSCO)
    files: dict[str, list[Path]] = {"pdf": [], "html": []}
    for year in years_held(database, LGSCO):
        edition = edition_in(LGSCO.editions_dir, year, LGSCO)
        for output_format in files:
            jobs = letter_jobs(database, year, edition, work / "letters" / year.label, output_format,
                               profile=load_profile(), scheme=LGSCO)[::EVERY]
            files[output_format] += [w.path for w in render_letters(jobs, workers=1)]
    return files


def timed(paths: list[Path]) -> tuple[float, float]:
    """(wall, CPU) seconds to parse the files once; every one must parse."""
    wall, cpu = time.perf_counter(), time.process_time()
    results = parse_files(paths)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if results.failures:
        sys.exit("\n".join(results.failures))
    return wall, cpu


def cpu_per_letter(step, items: list) -> float:
    """Median CPU milliseconds a letter that `step` takes over all the items."""
    runs = []
    for _ in range(RUNS):
        cpu = time.process_time()
        for item in items:
            step(item)
        runs.append(time.process_time() - cpu)
    return statistics.median(runs) * 1000 / len(items)


def plain_pdf_text(path: Path) -> str:
    """The baseline: pypdfium2's page and text-page objects on the file as it is."""
    import pypdfium2 as pdfium

    document = pdfium.PdfDocument(path)
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        files = render(Path(folder))
        machine = f"{platform.machine()}, {os.cpu_count()} cores (shared), Python {platform.python_version()}"
        print(f"\nombuds parse benchmark ({machine}), one process, median of {RUNS} runs; target {TARGET} letters/s")
        for output_format, paths in files.items():
            runs = [timed(paths) for _ in range(RUNS)]
            wall = statistics.median(w for w, _ in runs)
            cpu = statistics.median(c for _, c in runs)
            texts = [(read_text(path), str(path)) for path in paths]
            reading = cpu_per_letter(read_text, paths)
            figures = cpu_per_letter(lambda text: parse_text(*text), texts)
            verdict = "met" if len(paths) / cpu >= TARGET else "NOT met"
            print(f"  {output_format.upper():<4} {len(paths):>4} letters: {len(paths) / wall:6.0f} letters/s wall, "
                  f"{len(paths) / cpu:6.0f} letters/s CPU (target {verdict}); CPU a letter: "
                  f"{reading:.2f} ms reading the text, {figures:.2f} ms reading the figures")
            if output_format == "pdf":
                plain = cpu_per_letter(plain_pdf_text, paths)
                print(f"       baseline, the plain way (pypdfium2 page objects, colour spaces loaded): {plain:.2f} ms "
                      f"reading the text, {reading / plain:.2f}× that now")
        print(f"  load average {os.getloadavg()[0]:.1f} at the end: the machine was shared")
        if "--profile" in sys.argv:
            profile = cProfile.Profile()
            profile.runcall(parse_files, files["pdf"] + files["html"])
            pstats.Stats(profile).sort_stats("cumulative").print_stats(25)


if __name__ == "__main__":
    main()
