"""The `ombuds` command: argument parsing and calls into the packages; no logic the tests cannot call directly."""

from __future__ import annotations

import csv
import json
import os
import sys
from contextlib import contextmanager
from pathlib import Path

import click

from ombuds.errors import OmbudsError
from ombuds.ingest.problems import ImportFailed
from ombuds.registry import registry_of
from ombuds.stats.methods import AVERAGE_METHODS
from ombuds.years import Year

# Each command imports what it needs when it runs (the store, statistics, letters, site), so that `ombuds --help`
# and the light commands start quickly; tests/test_cli_startup.py checks what `--help` loads.


class OmbudsGroup(click.Group):
    """Turns every OmbudsError into a message on stderr and a non-zero exit, never a traceback."""

    def invoke(self, ctx: click.Context):
        try:
            return super().invoke(ctx)
        except ImportFailed as error:
            click.echo(str(error), err=True)
            ctx.exit(1)
        except OmbudsError as error:
            click.echo(f"ombuds: error: {error}", err=True)
            ctx.exit(1)


@click.group(cls=OmbudsGroup)
@click.version_option(package_name="ombuds", prog_name="ombuds", message="%(prog)s %(version)s")
@click.option("--db", "db_url", envvar="OMBUDS_DB", default=None, metavar="URL",
              help="Database: a SQLite file path, sqlite:///path or postgresql://… (default: ombuds.db here).")
@click.option("--scheme", "scheme", envvar="OMBUDS_SCHEME", default="lgsco", show_default=True, metavar="NAME_OR_DIR",
              help="The ombudsman's scheme: a shipped one's name or a scheme folder (see docs/schemes.md).")
@click.option("--profile", "profile_path", envvar="OMBUDS_PROFILE", type=click.Path(path_type=Path, dir_okay=False),
              default=None, help="The organisation's profile (TOML); default: the neutral demo profile.")
@click.option("--editions", "editions_dir", envvar="OMBUDS_EDITIONS", type=click.Path(path_type=Path, file_okay=False),
              default=None, help="A folder of edition files, one YEAR.toml a year (default: the scheme's).")
@click.option("--letter-cache", "letter_cache", envvar="OMBUDS_LETTER_CACHE", default=None, metavar="DIR",
              help="Where rendered letters are kept by fingerprint, so each is compiled once (default: beside a "
                   "SQLite database, DB.letters/; none for PostgreSQL); 'none' keeps none.")
@click.pass_context
def cli(ctx: click.Context, db_url: str | None, scheme: str, profile_path: Path | None,
        editions_dir: Path | None, letter_cache: str | None) -> None:
    """ombuds: ombudsman complaint statistics, from case records to annual figures."""
    ctx.obj = {"db_url": db_url, "scheme": scheme, "profile": profile_path, "editions": editions_dir,
               "letter_cache": letter_cache}


def _measures_scheme(ctx: click.Context):
    """The chosen scheme when it uses the generic ("measures") engine, else None (the LGSCO's own engine)."""
    from ombuds.schemes import load_scheme

    scheme = load_scheme(ctx.find_root().obj["scheme"])
    return scheme if scheme.engine == "measures" else None


def _settings(ctx: click.Context, profile_path: Path | None = None):
    """The run's settings, built once from the top-level options; a command's own --profile takes precedence."""
    from dataclasses import replace

    from ombuds.profile import load_profile
    from ombuds.settings import make_settings

    obj = ctx.find_root().obj
    if "settings" not in obj:
        obj["settings"] = make_settings(obj["scheme"], obj["profile"], obj["editions"], obj["db_url"],
                                        _letter_cache(obj["letter_cache"], obj["db_url"]))
    settings = obj["settings"]
    return replace(settings, profile=load_profile(profile_path)) if profile_path is not None else settings


def _letter_cache(option: str | None, db_url: str | None) -> Path | None:
    """The letter cache's folder: `--letter-cache` ('none': no cache), else beside a SQLite database."""
    from ombuds.letters.cache import default_location

    if option is not None and option.strip():
        return None if option.strip().lower() == "none" else Path(option)
    return default_location(db_url)


def _database(ctx: click.Context, *, create: bool = True, read_only: bool = False):
    """The database `--db` names, holding the chosen scheme's data; read-only commands pass create=False so that
    they never make a new file."""
    from ombuds.store import open_database
    from ombuds.store.scheme import claim_scheme

    settings = _settings(ctx)
    database = open_database(settings.db_url, create=create, read_only=read_only)
    claim_scheme(database, settings.scheme.id)
    return database


def _import_help() -> str:
    from ombuds.ingest.kinds import kinds_of
    from ombuds.schemes import DEFAULT, load_scheme

    chosen = (click.get_current_context().find_root().obj or {}).get("scheme")  # none yet: `ombuds --help`
    every = kinds_of(load_scheme(chosen or DEFAULT)).kinds.values()
    kinds = "\n".join(f"  {k.name}: {', '.join(k.required)}" for k in every)
    return ("Import input files in one transaction: all of them, or nothing. Each file is CSV (comma, semicolon or "
            "tab; UTF-8 unless --encoding) or XLSX (first sheet unless --sheet); its kind is recognised from its "
            "header row, which may sit below title rows. The kinds and their required columns:\n\n\b\n"
            f"{kinds}\n\nEvery column, accepted value and date form: docs/input-files.md; an example of each "
            "kind: examples/.")


class _ImportCommand(click.Command):
    """The import command, whose help lists the input kinds: worded only when asked for, so that other commands
    need not load the input kinds."""

    @property
    def help(self) -> str:
        return _import_help()

    @help.setter
    def help(self, _value) -> None:
        pass


@cli.command("import", cls=_ImportCommand)
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--check", is_flag=True, help="Validate only; write nothing.")
@click.option("--sheet", default=None, metavar="NAME", help="The worksheet to read in XLSX files (default: the first).")
@click.option("--encoding", default=None, metavar="NAME",
              help="The text encoding of CSV files, e.g. cp1252 (default: UTF-8, with or without BOM).")
@click.option("--revise", default=None, metavar="REASON",
              help="Allow changes to a published year's figures, recording each as a revision with this reason.")
@click.option("--rejects", "rejects", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="A generic scheme's files: import the valid rows and write each refused row, with its reasons, "
                   "to this CSV file (default: any problem refuses the whole import).")
@click.pass_context
def import_command(ctx: click.Context, files: tuple[Path, ...], check: bool, sheet: str | None,
                   encoding: str | None, revise: str | None, rejects: Path | None) -> None:
    from ombuds.ingest.read import check_encoding
    from ombuds.ingest.run import import_files

    scheme = _measures_scheme(ctx)
    if scheme is not None:
        unused = [name for name, value in (("--sheet", sheet), ("--encoding", encoding), ("--revise", revise)) if value]
        if unused:
            raise OmbudsError(f"{', '.join(unused)}: a generic scheme's files are UTF-8 CSV (gzip or not), without "
                              "releases")
        _import_records(ctx, scheme, files, check, rejects)
        return
    if rejects is not None:
        raise OmbudsError("--rejects: only a generic scheme's import keeps the valid rows; the LGSCO's is all or "
                          "nothing")
    check_encoding(encoding)  # before the database is opened, so a bad name creates no database file
    database = _database(ctx)
    report = import_files(database, list(files), check=check, progress=sys.stderr.isatty(), sheet=sheet,
                          encoding=encoding, revise=revise, scheme=_settings(ctx).scheme)
    for warning in report.warnings:
        click.echo(warning, err=True)
    for line in report.lines():
        click.echo(line)
    if report.revised:  # the revised years' letters, checksummed again now that the import has committed
        from ombuds.releases import refresh_letter_checksums

        settings = _settings(ctx)
        refresh_letter_checksums(database, settings.profile, settings.editions, settings.scheme)


@cli.command("stats")
@click.option("--year", "year_label", default=None, help="The year, e.g. 2019-20 (default: every year held).")
@click.option("--authority", default=None, help="A GSS code or any known name.")
@click.option("--format", "output_format", type=click.Choice(["json", "csv"]), default="json", show_default=True)
@click.option("--average", "method", type=click.Choice(AVERAGE_METHODS), default="pooled", show_default=True,
              help="Type averages: pooled rate, or the unweighted mean of the authorities' rates.")
@click.pass_context
def stats_command(ctx: click.Context, year_label: str | None, authority: str | None, output_format: str,
                  method: str) -> None:
    """Every count and rate per authority per year, with type averages (SPEC 2.3); for a generic scheme, its
    measures per body and year with its peer-group averages."""
    from ombuds.stats.kept import kept_statistics

    year = Year.parse(year_label) if year_label is not None else None
    scheme = _measures_scheme(ctx)
    if scheme is not None:
        _measures_statistics(ctx, scheme, year, authority, output_format)
        return
    settings = _settings(ctx)
    kept = None if authority else kept_statistics(settings.db_url, settings.scheme.id, settings.scheme.folder,
                                                  year.label if year else None, method)
    if kept is None:
        kept = _computed_statistics(ctx, year, authority, method)
    for label, published, _ in kept:
        if published:
            click.echo(f"{label}: no case records; these are the figures of published documents", err=True)
    bodies = [body for _, _, body in kept]
    if output_format == "json":
        from ombuds.stats.kept import statistics_json

        click.echo(statistics_json(bodies))
        return
    from ombuds.stats.export import columns, flatten, neutralise

    objects = json.loads(f"[{','.join(b for b in bodies if b)}]")
    rows = [{k: neutralise(v) for k, v in flatten(o).items()} for o in objects]  # safe to open in a spreadsheet
    writer = csv.DictWriter(sys.stdout, fieldnames=columns(rows), lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)


def _import_records(ctx: click.Context, scheme, files: tuple[Path, ...], check: bool, rejects: Path | None) -> None:
    """`import` for a generic scheme: its record kinds (kinds.toml) and the code's own complaints and
    self-assessments, all or nothing unless --rejects (which keeps the valid rows of its record kinds)."""
    from ombuds.ingest.scheme_files import import_scheme_files

    report = import_scheme_files(_database(ctx), scheme, list(files), check=check, rejects=rejects)
    for warning in report.warnings:
        click.echo(warning, err=True)
    for line in report.lines():
        click.echo(line)
    if rejects is not None and report.records is not None:
        refused = len(report.records.refused)
        click.echo(f"{refused:,} refused row{'s' if refused != 1 else ''} written to {rejects}")


def _measures_statistics(ctx: click.Context, scheme, year: Year | None, body: str | None,
                         output_format: str) -> None:
    """`stats` for a generic scheme: the year records (JSON, one object a line), or their flattened CSV rows."""
    from ombuds.stats.kept import body as printed_body
    from ombuds.stats.kept import statistics_json
    from ombuds.stats.measures_export import csv_rows, printed_objects
    from ombuds.stats.measures_service import measures_service

    objects = printed_objects(measures_service(_database(ctx, create=False), scheme), year, body)
    if output_format == "json":
        click.echo(statistics_json([printed_body(objects)]))
        return
    from ombuds.stats.export import columns

    rows = csv_rows(objects)
    writer = csv.DictWriter(sys.stdout, fieldnames=columns(rows), lineterminator="\n", restval="")
    writer.writeheader()
    writer.writerows(rows)


def _computed_statistics(ctx: click.Context, year: Year | None, authority: str | None,
                         method: str) -> list[tuple[str, bool, str]]:
    """Compute (year, published, printed records) for `stats`, and keep them unless only one authority was asked
    for."""
    from ombuds.stats.kept import body, keep_statistics
    from ombuds.stats.service import statistics_service

    database, scheme = _database(ctx, create=False), _settings(ctx).scheme
    statistics = statistics_service(database, scheme)
    version = statistics.data_version()
    years = [year] if year is not None else statistics.years()
    if not years:
        raise OmbudsError("the database holds no case records yet: import some with 'ombuds import'")
    computed = []
    for each in years:
        held = statistics.year(each, method)
        records = held.records
        if authority:
            chosen = statistics.authorities.resolve(authority, on=each.end)
            records = [statistics.authority(each, chosen, method)] if year is not None else \
                [r for r in [held.get(chosen.code)] if r is not None]
        computed.append((each.label, held.published, body([r.to_json() for r in records])))
    if authority and not any(b for _, _, b in computed):
        raise OmbudsError(f"no statistics for '{authority}' in any year held ({years[0]} to {years[-1]})")
    if not authority:
        keep_statistics(database, scheme.folder, method, version,
                        {label: (published, b) for label, published, b in computed},
                        None if year is not None else [label for label, _, _ in computed])
    return computed


@cli.command("letters")
@click.option("--year", "year_label", required=True, help="The year, e.g. 2019-20.")
@click.option("--authority", default=None, help="Only this authority (GSS code or any known name).")
@click.option("--format", "output_format", type=click.Choice(["pdf", "html"]), default="pdf", show_default=True)
@click.option("--out", "out_dir", type=click.Path(path_type=Path), required=True, help="Folder for the letters.")
@click.option("--edition", "edition_file", type=click.Path(path_type=Path), default=None,
              help="An edition file (TOML) instead of the one shipped for the year.")
@click.option("--allow-missing-contacts", is_flag=True,
              help='Address a council with no chief executive on file as "Dear Chief Executive".')
@click.option("--profile", "profile_path", type=click.Path(path_type=Path), default=None,
              help="The organisation's profile (TOML); default: the neutral demo profile.")
@click.option("--include-abolished", is_flag=True,
              help="Also write to authorities abolished before the letter's date (listed and left out otherwise).")
@click.pass_context
def letters_command(ctx: click.Context, year_label: str, authority: str | None, output_format: str, out_dir: Path,
                    edition_file: Path | None, allow_missing_contacts: bool, profile_path: Path | None,
                    include_abolished: bool) -> None:
    """Write the annual review letter of every authority that exists on the letter's date for a year (SPEC 2.2
    file names), printing each path; those abolished before it are listed. For a generic scheme, its report (the
    landlord report) for each body that reaches the scheme's minimum."""
    from ombuds.letters.batch import gone_by_letter_date, letter_jobs, render_letters

    settings = _settings(ctx, profile_path)
    year = Year.parse(year_label)
    scheme = _measures_scheme(ctx)
    if scheme is not None:
        from ombuds.letters.report import scheme_report_jobs

        jobs = scheme_report_jobs(_database(ctx, create=False), scheme, year, out_dir, output_format,
                                  settings.profile, edition_file=edition_file, body=authority,
                                  editions=settings.editions)
        _output_folder(out_dir, "--out")
        with _progress(len(jobs)) as advance:
            render_letters(jobs, on_written=lambda w: (click.echo(str(w.path)), advance()))
        return
    edition = _edition(settings, year, edition_file)
    chosen = registry_of(settings.scheme).resolve(authority, on=year.end) if authority else None
    if out_dir.exists() and not out_dir.is_dir():
        _output_folder(out_dir, "--out")
    database = _database(ctx, create=False)
    jobs = letter_jobs(database, year, edition, out_dir, output_format, authority=chosen,
                       allow_missing_contacts=allow_missing_contacts, profile=settings.profile,
                       scheme=settings.scheme, include_abolished=include_abolished, cache=settings.letter_cache)
    gone = [] if include_abolished else gone_by_letter_date(database, settings.scheme, year, edition,
                                                            authority=chosen)
    if chosen is not None and not jobs:
        raise OmbudsError(f"{gone[0]}: pass --include-abolished to write it" if gone
                          else f"{chosen.name} ({chosen.code}) has no statistics for {year}")
    _output_folder(out_dir, "--out")
    for line in gone:
        click.echo(line, err=True)
    with _progress(len(jobs)) as advance:
        render_letters(jobs, on_written=lambda w: (click.echo(str(w.path)), advance()))


@cli.command("code-report")
@click.option("--year", "year_label", required=True, help="The year, e.g. 2025-26.")
@click.option("--body", "body_name", required=True, help="The council (GSS code or any known name).")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for the report (HTML, PDF and JSON).")
@click.option("--response", "response_file", type=click.Path(path_type=Path, dir_okay=False, exists=True),
              default=None, help="The governing body's response, in Markdown.")
@click.option("--letter", "letter_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="The ombudsman's annual letter for the year (PDF), attached to the report.")
@click.option("--areas", "areas_file", type=click.Path(path_type=Path, dir_okay=False, exists=True), default=None,
              help="CSV mapping own service area words (own_area) to the ombudsman's areas (service_area).")
@click.option("--profile", "profile_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The organisation's identity (TOML; default: the shipped demo profile).")
@click.pass_context
def code_report_command(ctx: click.Context, year_label: str, body_name: str, out_dir: Path,
                        response_file: Path | None, letter_file: Path | None, areas_file: Path | None,
                        profile_path: Path | None) -> None:
    """An organisation's Complaint Handling Code report for a year: its own stages, timeliness, the escalation to
    the ombudsman, its self-assessment and its governing body's response (docs/code-report.md)."""
    from ombuds.code_report import write_report
    from ombuds.ingest.areas import read_area_mapping
    from ombuds.stats.code_report import code_report, resolve_body

    settings = _settings(ctx, profile_path)
    year = Year.parse(year_label)
    areas = read_area_mapping(areas_file, settings.scheme.labels("service_area")) if areas_file else None
    response = response_file.read_text(encoding="utf-8") if response_file else None
    record = code_report(_database(ctx, create=False), year, resolve_body(body_name, settings.scheme),
                         scheme=settings.scheme, areas=areas)
    for path in write_report(record, settings.profile, out_dir, response=response, letter=letter_file):
        click.echo(path)


@cli.command("send")
@click.option("--year", "year_label", required=True, help="The year, e.g. 2019-20.")
@click.option("--authority", default=None, help="Only this authority (GSS code or any known name).")
@click.option("--edition", "edition_file", type=click.Path(path_type=Path), default=None,
              help="An edition file (TOML) instead of the one shipped for the year.")
@click.option("--dry-run", is_flag=True, help="Write each message as an .eml file instead of sending it.")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("outbox"), show_default=True,
              help="Where --dry-run writes the messages.")
@click.option("--smtp-host", default=None, help="SMTP server (else OMBUDS_SMTP_HOST, else localhost).")
@click.option("--smtp-port", type=int, default=None, help="SMTP port (else OMBUDS_SMTP_PORT, else 25).")
@click.option("--starttls/--no-starttls", default=None, help="Use STARTTLS (else OMBUDS_SMTP_STARTTLS).")
@click.option("--from", "sender", default=None,
              help="Sender address (else OMBUDS_SMTP_FROM, else the profile's email_from or letters@ its domain).")
@click.option("--profile", "profile_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The organisation's profile (TOML); default: the neutral demo profile.")
@click.pass_context
def send_command(ctx: click.Context, year_label: str, authority: str | None, edition_file: Path | None,
                 dry_run: bool, out_dir: Path, smtp_host: str | None, smtp_port: int | None,
                 starttls: bool | None, sender: str | None, profile_path: Path | None) -> None:
    """Email each authority's letter (PDF attached, HTML body) to its chief executive, copying the other contacts.
    Credentials come from OMBUDS_SMTP_USER and OMBUDS_SMTP_PASSWORD. Letters already sent are not sent again."""
    from ombuds.letters.send import SmtpSettings, send_letters

    settings = _settings(ctx, profile_path)
    year = Year.parse(year_label)
    edition = _edition(settings, year, edition_file)
    smtp = None
    if not dry_run or sender or os.environ.get("OMBUDS_SMTP_FROM"):
        smtp = SmtpSettings.from_environment(smtp_host, smtp_port, starttls, sender, settings.profile)
    chosen = registry_of(settings.scheme).resolve(authority, on=year.end) if authority else None
    if dry_run:
        _output_folder(out_dir, "--out")
    report = send_letters(_database(ctx, create=False), year, edition, smtp,
                          dry_run_dir=out_dir if dry_run else None, authority=chosen, on_sent=click.echo,
                          profile=settings.profile, scheme=settings.scheme)
    for line in report.lines(dry_run):
        click.echo(line, err=line.startswith(("not sent", "no letter")))
    if report.no_address:
        ctx.exit(1)


@cli.command("parse")
@click.argument("files", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--format", "output_format", type=click.Choice(["json"]), default="json", show_default=True)
@click.option("--import", "import_", is_flag=True,
              help="Also store the figures as published aggregates, for years with no case-level data.")
@click.pass_context
def parse_command(ctx: click.Context, files: tuple[Path, ...], output_format: str, import_: bool) -> None:
    """Read published letters or statistics pages (text, HTML or PDF) back into data (SPEC 2.3 shape)."""
    from ombuds.parse import parse_files

    results = parse_files(list(files))
    click.echo(json.dumps(results.documents, indent=2, ensure_ascii=False))
    for line in [*results.notes, *results.failures]:
        click.echo(line, err=True)
    if import_ and results.documents:
        from ombuds.ingest.published import import_published
        from ombuds.parse.documents import PUBLISHED

        report = import_published(_database(ctx), results.documents, PUBLISHED)
        for line in report.skipped:
            click.echo(line, err=True)
        click.echo(f"{len(report.imported)} published document(s) imported", err=True)
    if results.failures:
        ctx.exit(1)


@cli.command("status")
@click.pass_context
def status_command(ctx: click.Context) -> None:
    """What the database holds: schema, years, cases by year, other records, the last import."""
    from ombuds.stats.service import statistics_service
    from ombuds.store import queries

    database = _database(ctx, create=False)
    statistics = statistics_service(database, _settings(ctx).scheme)
    with database.read() as connection:
        counts = queries.table_counts(connection)
        case_years = statistics.case_years()
        by_year = queries.cases_by_year(connection, case_years)
        with_cases = queries.authorities_with_cases(connection)
        last = queries.last_import(connection)
        published = queries.published_years(connection)
    click.echo(f"Database: {database.url} (schema {database.revision()}, data version {statistics.data_version()})")
    click.echo(f"Years with case records: {_span(case_years)}")
    click.echo(f"Years with published figures only: {_span([y for y in published if y not in case_years])}")
    click.echo(f"Authorities with cases: {with_cases:,}")
    if by_year:
        click.echo(f"  {'year':8} {'received':>9} {'decided':>9} {'compliance':>11}")
        for year, n in by_year.items():
            click.echo(f"  {year.label:8} {n['received']:>9,} {n['decided']:>9,} {n['compliance']:>11,}")
    click.echo(f"Improvements: {counts['improvements']:,}; contacts: {counts['contacts']:,}; population figures: "
               f"{counts['population']:,}")
    if last is None:
        click.echo("Last import: none yet")
    else:
        files = ", ".join(last["files"].splitlines())
        when = last["imported_at"]
        stamp = when.strftime("%Y-%m-%d %H:%M UTC") if hasattr(when, "strftime") else str(when)[:16]
        click.echo(f"Last import: {stamp} by {last['user_name']} on {last['host']}: {files}")
        for line in last["summary"].splitlines():
            click.echo(f"  {line}")


def _span(years: list[Year]) -> str:
    if not years:
        return "none"
    return ", ".join(y.label for y in years) if len(years) < 3 else f"{years[0]} to {years[-1]} ({len(years)} years)"


@cli.command("authority")
@click.argument("name")
@click.pass_context
def authority_command(ctx: click.Context, name: str) -> None:
    """Look up an authority in the chosen scheme's registry by GSS code or name."""
    a = registry_of(_settings(ctx).scheme).resolve(name)
    click.echo(json.dumps({
        "code": a.code, "name": a.name, "short_name": a.short_name, "type": a.type, "slug": a.slug,
        "start_date": a.start_date and a.start_date.isoformat(), "end_date": a.end_date and a.end_date.isoformat(),
        "successors": list(a.successors), "predecessors": list(a.predecessors), "county": a.county,
        "region": a.region, "population_2020": a.population_2020, "centroid": [a.lat, a.long],
        "former_codes": list(a.former_codes), "aliases": list(a.aliases),
    }, indent=2, ensure_ascii=False))


@cli.command("serve")
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on (loopback by default).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535), help="Port to listen on.")
@click.option("--profile", "profile_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The organisation's profile (TOML); default: the neutral demo profile.")
@click.pass_context
def serve_command(ctx: click.Context, host: str, port: int, profile_path: Path | None) -> None:
    """Serve the public site live: every page, search and the API, with the database opened read-only."""
    from ombuds.site.app import create_app
    from ombuds.site.serve import run

    settings = _settings(ctx, profile_path)
    app = create_app(_database(ctx, create=False, read_only=True), settings)
    click.echo(f"Serving the site at http://{host}:{port}/ (Ctrl+C to stop)")
    run(app, host, port)


@cli.group("site")
def site_group() -> None:
    """The public site as static files."""


@site_group.command("build")
@click.option("--out", "out_dir", type=click.Path(path_type=Path, file_okay=False), required=True,
              help="Folder for the site (replaced whole when the build succeeds).")
@click.option("--profile", "profile_path", type=click.Path(path_type=Path, dir_okay=False), default=None,
              help="The organisation's profile (TOML); default: the neutral demo profile.")
@click.option("--workers", default=2, show_default=True, type=click.IntRange(1, 64), help="Rendering processes.")
@click.option("--preview", is_flag=True,
              help="A preview for staff: every year held, embargoed ones included and marked; not for publication.")
@click.option("--precompress", is_flag=True,
              help="Also write a brotli (.br) and a gzip (.gz) twin of every text file, for hosts that serve them.")
@click.pass_context
def site_build_command(ctx: click.Context, out_dir: Path, profile_path: Path | None, workers: int,
                       preview: bool, precompress: bool) -> None:
    """Write every page, file, API response and search index of the public site into a folder. A rebuild makes
    again only what changed (the manifest of what each file was made from is kept beside the folder)."""
    from ombuds.site.build import build_site

    settings = _settings(ctx, profile_path)
    report = build_site(_database(ctx, create=False, read_only=True), out_dir, settings, workers=workers,
                        preview=preview, precompress=precompress)
    click.echo(report.summary())


@cli.group("release")
def release_group() -> None:
    """Releases: freeze a year, publish it on a date, list every year's stage."""


@release_group.command("create")
@click.option("--year", "year_label", required=True, help="The year, e.g. 2019-20.")
@click.pass_context
def release_create_command(ctx: click.Context, year_label: str) -> None:
    """Freeze a year: its statistics, edition, every letter's sha256 and a checksum of its case data (the letters
    as the site publishes them, with --profile and --editions)."""
    from ombuds.releases import create_release

    settings = _settings(ctx)
    click.echo(create_release(_database(ctx, create=False), Year.parse(year_label), settings.profile,
                              settings.editions, settings.scheme))


@release_group.command("publish")
@click.option("--year", "year_label", required=True, help="The year, e.g. 2019-20.")
@click.option("--on", "on", type=click.DateTime(formats=["%Y-%m-%d"]), default=None,
              help="The day it becomes public, YYYY-MM-DD (default: today); until then it is embargoed.")
@click.pass_context
def release_publish_command(ctx: click.Context, year_label: str, on) -> None:
    """Publish a frozen year, now or from a later day."""
    from ombuds.releases import publish_release

    click.echo(publish_release(_database(ctx, create=False), _settings(ctx).scheme, Year.parse(year_label),
                                on.date() if on else None))


@release_group.command("status")
@click.pass_context
def release_status_command(ctx: click.Context) -> None:
    """Every year held or released: its stage, revisions and whether its case data is as frozen."""
    from ombuds.releases import release_status
    from ombuds.stats.service import statistics_service

    database = _database(ctx, create=False)
    scheme = _settings(ctx).scheme
    rows = release_status(database, scheme, statistics_service(database, scheme).years())
    if not rows:
        click.echo("No years held and no releases.")
    for row in rows:
        parts = [row.stage, row.detail, f"{row.revisions} revision{'' if row.revisions == 1 else 's'}"
                 if row.revisions else "", f"case data {row.case_data}" if row.case_data else ""]
        click.echo(f"{row.year.label}  " + "; ".join(p for p in parts if p))


@cli.group("scheme")
def scheme_group() -> None:
    """Schemes: the ombudsman's bodies, labels, measures and words as a folder of data (docs/schemes.md)."""


@scheme_group.command("check")
@click.argument("folder", type=click.Path(path_type=Path))
@click.pass_context
def scheme_check_command(ctx: click.Context, folder: Path) -> None:
    """Check a scheme folder: each problem as FILE: key: reason (exit 1), or one line saying it is sound."""
    from ombuds.schemes import check_scheme, load_scheme

    problems = check_scheme(folder)
    if not problems and load_scheme(folder).engine == "measures":
        problems = _report_layout_problems(load_scheme(folder))
    for problem in problems:
        click.echo(problem)
    if problems:
        ctx.exit(1)
    scheme = load_scheme(folder)
    click.echo(f"{folder}: OK: scheme '{scheme.id}' ({scheme.name}), {len(scheme.bodies):,} "
               f"{scheme.words.bodies}, engine {scheme.engine}")


def _report_layout_problems(scheme) -> list[str]:
    """A measures scheme's report layouts checked against its measures (`letters.report.check_layout`), each
    problem as `layouts/<name>.toml: key: reason`."""
    from ombuds.letters.editions import EditionError
    from ombuds.letters.report import check_layout

    problems = []
    for name in sorted(scheme.layouts):
        try:
            check_layout(scheme, name)
        except EditionError as error:
            problems += [line.removeprefix(f"{scheme.folder}/") for line in str(error).splitlines()]
    return problems


@cli.command("demo")
@click.option("--out", "out_dir", type=click.Path(path_type=Path), default=Path("demo-data"), show_default=True,
              help="Where the synthetic case files are written.")
@click.option("--seed", default=2017, show_default=True, help="Random seed: the same seed gives the same files.")
@click.option("--years", type=click.IntRange(1, 8), default=None,
              help="Only the latest N years (default: all eight, 2017-18 to 2024-25): a smaller demo, made faster.")
@click.option("--serve/--no-serve", default=True, show_default=True,
              help="Serve the site on 127.0.0.1 at the end (until Ctrl+C).")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535),
              help="Port to serve on; the next free one is used if it is taken.")
@click.pass_context
def demo_command(ctx: click.Context, out_dir: Path, seed: int, years: int | None, serve: bool, port: int) -> None:
    """Make the synthetic demo data set, import it and print a national summary; serve the site live on 127.0.0.1
    as soon as the data is in, while every year's letters are rendered and the public site is built as static
    files, with progress. With a generic scheme (--scheme housing-ombudsman): import its shipped real data, serve
    the live site at once, render the latest year's reports and build the static site."""
    from ombuds.demo import demo_documents, run_demo
    from ombuds.site.build import build_site

    settings = _settings(ctx)
    if settings.scheme.engine == "measures":
        from ombuds.demo.measures import run_measures_demo

        run_measures_demo(_database(ctx), settings, out_dir, echo=click.echo,
                          port=_free_port(port) if serve else None)
        return
    database = _database(ctx)
    run_demo(database, out_dir, settings, seed=seed, echo=click.echo, years=years, documents=False)
    server = _serve_in_background(database.url, _free_port(port), settings) if serve else None
    try:
        demo_documents(database, out_dir, settings, seed=seed, echo=click.echo)
        click.echo(f"Building the site in {out_dir / 'site'}/ …")
        report = build_site(database, out_dir / "site", settings, on_progress=_every_tenth(click.echo))
        click.echo(f"  {report.summary()}")
        if server is not None:
            click.echo(f"Letters and static site done; still serving at {server[1]} (Ctrl+C to stop)")
            server[0].join()
    finally:
        if server is not None and server[0].is_alive():
            server[2].should_exit = True
            server[0].join(timeout=10)


def _serve_in_background(url: str, port: int, settings):
    """The live site from a read-only connection, in a thread: (thread, address, uvicorn server)."""
    import threading
    import time

    from ombuds.site.app import create_app
    from ombuds.site.serve import configured
    from ombuds.store import open_database

    app = create_app(open_database(url, read_only=True), settings)
    server = configured(app, "127.0.0.1", port)
    thread = threading.Thread(target=server.run, name="demo-site", daemon=True)  # Ctrl+C reaches the command
    thread.start()
    while not server.started and thread.is_alive():
        time.sleep(0.05)
    address = f"http://127.0.0.1:{port}/"
    click.echo(f"Serving the demo site at {address} now; the letters and the static build follow (Ctrl+C to stop)")
    return thread, address, server


def _every_tenth(echo):
    """A progress callback that prints at each further tenth of the pages."""
    shown = [0]

    def progress(done: int, total: int) -> None:
        tenth = done * 10 // max(total, 1)
        if tenth > shown[0]:
            shown[0] = tenth
            echo(f"  {done:,} of {total:,} pages ({tenth * 10}%)")

    return progress


def _free_port(first: int) -> int:
    """`first`, or the next port up that nothing is listening on."""
    import socket

    for port in range(first, min(first + 100, 65536)):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise OmbudsError(f"no free port from {first} to {first + 99}: give --port")


def _output_folder(path: Path, option: str) -> Path:
    """A folder to write into, made if missing; a file in the way or a place that cannot be written is an error."""
    if path.exists() and not path.is_dir():
        raise OmbudsError(f"{option}: {path} is a file, not a folder: name a folder to write into")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise OmbudsError(f"{option}: cannot make the folder {path}: {error.strerror}") from None
    if not os.access(path, os.W_OK | os.X_OK):
        raise OmbudsError(f"{option}: cannot write into {path}: permission denied")
    return path


def _edition(settings, year: Year, edition_file: Path | None):
    from ombuds.letters.editions import edition_in, load_edition

    edition = load_edition(edition_file, settings.scheme) if edition_file else \
        edition_in(settings.editions, year, settings.scheme)
    if edition.year != year:
        raise OmbudsError(f"{edition.source}: year: the edition is for {edition.year}, not {year}")
    return edition


@contextmanager
def _progress(total: int):
    """A progress bar on stderr when it is a terminal; yields the function that advances it."""
    if not sys.stderr.isatty():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import Progress

    with Progress(console=Console(stderr=True), transient=True) as progress:
        task = progress.add_task("Rendering letters", total=total)
        yield lambda: progress.advance(task)


def main() -> None:
    try:
        cli.main(prog_name="ombuds")
    except KeyboardInterrupt:
        click.echo("ombuds: interrupted; nothing half-written was kept", err=True)
        sys.exit(130)
    except Exception as error:  # a bug, not bad input: still no traceback unless asked for
        if os.environ.get("OMBUDS_DEBUG"):
            raise
        click.echo(f"ombuds: internal error: {type(error).__name__}: {error} "
                   "(set OMBUDS_DEBUG=1 to see where)", err=True)
        sys.exit(70)
