"""`ombuds --scheme housing-ombudsman demo`: a generic scheme's shipped real data, imported (refused rows written to
a rejects file with their reasons, never dropped silently), the live site served as soon as the data is in, the
reports of every year the scheme has an edition for rendered, and the static site built."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable
from pathlib import Path

from rich.console import Console
from rich.table import Table

from ombuds.ingest.records import import_records
from ombuds.profile import Profile
from ombuds.settings import Settings
from ombuds.stats import format as fmt
from ombuds.stats import measure_views as views
from ombuds.stats.measures_service import measures_service
from ombuds.store import Database, open_database


def shipped_data(scheme) -> list[Path]:
    """The data files shipped in the scheme's `data/` folder (CSV, gzipped or not)."""
    folder = scheme.folder / "data"
    return sorted(p for p in folder.iterdir() if p.name.endswith((".csv", ".csv.gz"))) if folder.is_dir() else []


def summary_table(database: Database, scheme) -> Table:
    """Every year's national figures: the scheme's value measures pooled over all its bodies."""
    service = measures_service(database, scheme)
    table = Table(title=f"{scheme.name}: all {scheme.words.bodies} by year (published data)", title_justify="left")
    shown = [m for m in views.value_measures(scheme) if m.kind != "per_size"]
    for heading in ("Year", scheme.words.bodies.capitalize(), "Reports", *(m.name for m in shown)):
        table.add_column(heading, justify="left" if heading == "Year" else "right")
    for year in service.years():
        records = [r.as_json(scheme) for r in service.year(year).records]
        totals = views.totals(scheme, records)
        table.add_row(year.label, fmt.number(totals.bodies), fmt.number(sum(1 for r in records if r["report"])),
                      *(f.value for f in totals.figures))
    return table


def _serve(url: str, settings: Settings, port: int, echo: Callable[[str], None]):
    """The live site in a background thread, on the database opened read-only."""
    import uvicorn

    from ombuds.site.app import create_app

    app = create_app(open_database(url, read_only=True), settings)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    thread = threading.Thread(target=server.run, name="ombuds-demo-site", daemon=True)
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    echo(f"Serving the live site at http://127.0.0.1:{port}/ (Ctrl+C to stop)")
    return server, thread


def render_reports(database: Database, scheme, out_dir: Path, profile: Profile,
                   echo: Callable[[str], None]) -> int:
    """Every held year's reports that the scheme has an edition for, PDF and HTML."""
    from ombuds.letters.batch import render_letters
    from ombuds.letters.report import scheme_report_jobs

    held = {y.label: y for y in measures_service(database, scheme).years()}
    written = 0
    for label in sorted(set(scheme.editions) & set(held)):
        folder = out_dir / label
        for output_format in ("pdf", "html"):
            jobs = scheme_report_jobs(database, scheme, held[label], folder, output_format, profile)
            written += len(render_letters(jobs))
        echo(f"  {label}: {written // 2:,} {scheme.report.name}s as PDF and HTML in {folder}/")
    return written


def run_measures_demo(database: Database, settings: Settings, out_dir: Path, *,
                      echo: Callable[[str], None] = print, port: int | None = None) -> None:
    """Import, serve (when `port` is given, until Ctrl+C), render the reports and build the static site, for the
    settings' (measures) scheme and profile."""
    scheme, profile = settings.scheme, settings.profile
    from ombuds.site.build import build_site

    out_dir.mkdir(parents=True, exist_ok=True)
    files = shipped_data(scheme)
    rejects = out_dir / "rejects.csv"
    echo(f"Importing the {scheme.name}'s published data ({', '.join(p.name for p in files)}) …")
    report = import_records(database, scheme, files, rejects=rejects)
    for line in report.lines():
        echo(f"  {line}")
    echo(f"  every refused row and its reason: {rejects}")
    server = thread = None
    if port is not None:
        server, thread = _serve(database.url, settings, port, echo)
    Console(width=160).print(summary_table(database, scheme))
    echo(scheme.data.coverage)
    echo(f"Rendering the {scheme.report.name}s in {out_dir / 'reports'}/ …")
    render_reports(database, scheme, out_dir / "reports", profile, echo)
    echo(f"Building the static site in {out_dir / 'site'}/ …")
    echo(f"  {build_site(database, out_dir / 'site', settings).summary()}")
    if thread is not None:
        try:
            while thread.is_alive():
                thread.join(0.5)
        except KeyboardInterrupt:
            server.should_exit = True
            thread.join(5)
