"""`ombuds demo`: the synthetic data set, imported, with a national summary."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ombuds.demo.code_year import run_code_year
from ombuds.demo.generate import DemoFiles, generate
from ombuds.ingest import import_files
from ombuds.schemes import Scheme
from ombuds.settings import Settings
from ombuds.stats import format as fmt
from ombuds.stats.service import statistics_service
from ombuds.stats.summary import by_type, totals
from ombuds.store import Database
from ombuds.store.scheme import mark_synthetic

__all__ = ["DemoFiles", "generate", "run_demo", "summary_table"]


def summary_table(database: Database, scheme: Scheme) -> Table:
    """National totals by year, and by type within each year, from the statistics of every authority."""
    table = Table(title="SYNTHETIC demo data: national summary by year and type", title_justify="left")
    for heading in ("Year", "Type", "Authorities", "Received", "Decided", "Investigated", "Upheld", "Uphold rate",
                    "Satisfactory remedy rate", "Compliance rate"):
        table.add_column(heading, justify="left" if heading in ("Year", "Type") else "right")
    statistics = statistics_service(database, scheme)
    for year in statistics.years():
        held = statistics.year(year)
        measures = held.labels.measures
        rows = [("All", totals(held.records, measures)), *by_type(held.records, measures, scheme.type_ids).items()]
        for i, (kind, t) in enumerate(rows):
            table.add_row(year.label if i == 0 else "", kind, fmt.number(t.authorities), fmt.number(t.received),
                          fmt.number(t.decided), fmt.number(t.detailed_investigations), fmt.number(t.upheld),
                          fmt.percent(t.uphold_rate, none="-"), fmt.percent(t.satisfactory_remedy_rate, none="-"),
                          fmt.percent(t.compliance_rate, none="-"), end_section=i == len(rows) - 1,
                          style="bold" if i == 0 else None)
    return table


def run_demo(database: Database, out_dir: Path, settings: Settings, *, seed: int = 2017,
             echo: Callable[[str], None] = print, years: int | None = None, documents: bool = True) -> DemoFiles:
    """The demo: synthetic files (every year, or the latest `years`), imported, summarised; then (unless
    `documents` is False: the caller makes them later, with `demo_documents`) letters and the code year."""
    echo(f"Making SYNTHETIC demo data (seed {seed}) in {out_dir}/ …")
    files = generate(out_dir, settings.scheme, seed=seed, years=years)
    for kind, path in files.paths.items():
        echo(f"  {path}: {files.rows[kind]:,} {kind} rows")
    echo("Importing …")
    mark_synthetic(database, settings.scheme.id)  # every letter made from it says so, the site's too
    report = import_files(database, list(files.paths.values()), scheme=settings.scheme)
    for line in report.lines()[len(files.paths):]:
        echo(f"  {line}")
    Console(width=160).print(summary_table(database, settings.scheme))
    echo(f"All figures above are synthetic: they describe no real {settings.scheme.words.body}.")
    if documents:
        demo_documents(database, out_dir, settings, seed=seed, echo=echo)
    return files


def demo_documents(database: Database, out_dir: Path, settings: Settings, *, seed: int = 2017,
                   echo: Callable[[str], None] = print) -> None:
    """What the demo makes from the imported data: every year's letters, then the code year (the settings' editions
    and profile)."""
    render_demo_letters(database, out_dir / "letters", settings, echo)
    run_code_year(database, out_dir / "code-year", settings.profile, settings.scheme, seed=seed, echo=echo)


def render_demo_letters(database: Database, out_dir: Path, settings: Settings,
                        echo: Callable[[str], None] = print) -> None:
    """Every year's letters, PDF and HTML, from the settings' editions (the scheme's shipped examples) and profile."""
    from ombuds.letters.batch import letter_jobs, render_letters
    from ombuds.letters.editions import edition_in

    echo(f"Rendering every year's letters in {out_dir}/ …")
    years = statistics_service(database, settings.scheme).case_years()
    for number, year in enumerate(years, start=1):
        edition = edition_in(settings.editions, year, settings.scheme)
        written = []
        for output_format in ("pdf", "html"):
            jobs = letter_jobs(database, year, edition, out_dir / year.label, output_format,
                               profile=settings.profile, scheme=settings.scheme, cache=settings.letter_cache)
            written += render_letters(jobs)
        echo(f"  {year} ({number} of {len(years)} years): {len(written) // 2:,} letters as PDF and HTML in "
             f"{out_dir / year.label}/")
