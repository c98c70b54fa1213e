"""A generic ("measures") scheme's report for a body and year (the Housing Ombudsman's landlord report): the letter
equivalent, assembled here only, from the scheme's data alone.

The edition (`editions/<year>.toml`: date, title, layout, narrative with placeholders) and the layout
(`layouts/<name>.toml`: sections, which measures, words) are the scheme's files, so a scheme defines its own report
with no Python change. The content has the letter's shape, so the letters' renderer draws it (`letters.render`: the
same Typst template, fonts, letterhead, PDF/UA tagging and attached statistics.json, the same HTML).
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from ombuds import urls
from ombuds.charts import bar_chart
from ombuds.errors import OmbudsError
from ombuds.letters import present
from ombuds.letters.content import letterhead, markdown_blocks
from ombuds.letters.editions import Checker, EditionError, Section, placeholders_in
from ombuds.profile import Profile
from ombuds.stats import format as fmt
from ombuds.stats import measure_views as views

SECTION_KINDS = ("figures", "labels", "breakdown", "comparison")
LAYOUT_KEYS = ("name", "heading", "sections")
SECTION_KEYS = ("kind", "heading", "caption", "note", "average_heading", "columns", "measures", "measure", "chart",
                "set")
BASE_PLACEHOLDERS = ("body", "year", "group", "size_band", "body_type", "peer_bodies", "method", "report_date")


@dataclass(frozen=True)
class ReportEdition:
    source: str
    year: str
    report_date: date
    publication_date: date | None
    title: str
    layout: Mapping  # the layout's TOML, checked
    organisation: str
    sections: tuple[Section, ...]


def placeholder_names(scheme) -> frozenset[str]:
    """What a report's words may name: the base placeholders, each value measure and its peer average."""
    measures = [m.id for m in views.value_measures(scheme)]
    return frozenset((*BASE_PLACEHOLDERS, *measures, *(f"average_{m}" for m in measures)))


def _words(c: Checker, text: object, key: str, known: frozenset[str], *, required: bool = True) -> str:
    if text is None and not required:
        return ""
    if not isinstance(text, str) or not text.strip():
        c.problem(key, "required text is missing" if text is None else "must be text")
        return ""
    for name in placeholders_in(text):
        if name not in known:
            c.problem(key, f"unknown placeholder {{{name}}}; known: {', '.join(sorted(known))}")
    return text


def check_layout(scheme, name: str) -> Mapping:
    """The scheme's layout `name`, every section checked against its measures; EditionError names each problem as
    `FILE: key: reason`."""
    source = str(scheme.folder / "layouts" / f"{name}.toml")
    data = scheme.layouts.get(name)
    if data is None:
        raise EditionError(f"{source}: no such layout; the scheme has {', '.join(sorted(scheme.layouts)) or 'none'}")
    c = Checker(source)
    known = placeholder_names(scheme)
    measures = {m.id: m for m in scheme.measures}
    _words(c, data.get("heading"), "heading", known)
    for key in data:
        if key not in LAYOUT_KEYS:
            c.problem(key, f"unknown key (expected one of: {', '.join(LAYOUT_KEYS)})")
    sections = data.get("sections")
    if not isinstance(sections, list) or not sections:
        c.problem("sections", "the layout has no sections")
        sections = []
    for i, section in enumerate(sections, start=1):
        where = f"sections[{i}]"
        kind = section.get("kind")
        for key in section:
            if key not in SECTION_KEYS:
                c.problem(f"{where}.{key}", f"unknown key (expected one of: {', '.join(SECTION_KEYS)})")
        if kind not in SECTION_KINDS:
            c.problem(f"{where}.kind", f"unknown section kind {kind!r}; one of {', '.join(SECTION_KINDS)}")
            continue
        for key in ("heading", "caption"):
            _words(c, section.get(key), f"{where}.{key}", known)
        for key in ("note", "average_heading"):
            _words(c, section.get(key), f"{where}.{key}", known, required=False)
        columns = section.get("columns")
        if columns is not None and (kind != "labels" or not isinstance(columns, list) or len(columns) != 3
                                    or not all(isinstance(t, str) and t for t in columns)):
            c.problem(f"{where}.columns", "only a 'labels' section has columns: three headings (label, count, share)")
        wanted = {"figures": "value", "labels": "by_label", "comparison": "fair"}.get(kind)
        for measure_id in section.get("measures", []) if kind == "figures" else [section.get("measure")] if wanted \
                else section.get("measures", []):
            m = measures.get(measure_id)
            if m is None:
                c.problem(f"{where}.measure", f"no measure {measure_id!r} in measures.toml")
            elif (wanted == "value" and m.kind not in views.VALUE_KINDS) or (wanted == "by_label" and m.kind !=
                                                                             "by_label") or (
                    wanted == "fair" and not m.fair):
                c.problem(f"{where}.measure", f"measure {measure_id!r} cannot be shown in a {kind!r} section")
        if kind == "breakdown" and section.get("set") not in views.breakdown_sets(scheme):
            c.problem(f"{where}.set", f"no measure is broken down by {section.get('set')!r}")
    if c.problems:
        raise EditionError("\n".join(c.problems))
    return data


def report_edition(scheme, year: str) -> ReportEdition:
    """The scheme's report edition for `year` (`editions/<year>.toml`), checked with its layout."""
    source = str(scheme.folder / "editions" / f"{year}.toml")
    data = scheme.editions.get(year)
    if data is None:
        raise OmbudsError(f"{source}: the {scheme.short_name} scheme has no {scheme.report.name} edition for "
                          f"{year}; it has {', '.join(sorted(scheme.editions)) or 'none'}")
    return load_report_edition(scheme, data, source)


def read_report_edition(scheme, path: Path) -> ReportEdition:
    """An edition file given on the command line (`--edition FILE`)."""
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except OSError as error:
        raise EditionError(f"{path}: cannot read the edition file: {error.strerror or error}") from None
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as error:
        raise EditionError(f"{path}: not valid TOML: {error}") from None
    return load_report_edition(scheme, data, str(path))


def load_report_edition(scheme, data: Mapping, source: str) -> ReportEdition:
    c = Checker(source)
    known = placeholder_names(scheme)
    sections = []
    for i, section in enumerate(data.get("section", []), start=1):
        paragraphs = section.get("paragraphs")
        if not isinstance(paragraphs, list) or not paragraphs:
            c.problem(f"section[{i}].paragraphs", "must be a list of Markdown text")
            continue
        texts = tuple(_words(c, p, f"section[{i}].paragraphs", known) for p in paragraphs)
        heading = section.get("heading")
        sections.append(Section(_words(c, heading, f"section[{i}].heading", known) if heading else None, texts))
    if not sections:
        c.problem("section", "the narrative has no sections")
    for key in sorted(set(data) - {"year", "report_date", "publication_date", "title", "layout", "organisation",
                                   "section"}):
        c.problem(key, "unknown key")
    layout_name = c.text(data, "layout")
    edition = ReportEdition(source, c.text(data, "year"), c.day(data, "report_date"),
                            c.day(data, "publication_date") if "publication_date" in data else None,
                            c.text(data, "title"), {}, c.text(data, "organisation"), tuple(sections))
    if c.problems:
        raise EditionError("\n".join(c.problems))
    return ReportEdition(**{**edition.__dict__, "layout": check_layout(scheme, layout_name)})


def _fill(text: str, values: Mapping[str, str]) -> str:
    for name in placeholders_in(text):
        text = text.replace("{" + name + "}", values[name])
    return text


def _cell(text: str, *, row_header: bool = False, label: str = "") -> dict:
    return {"text": present.typeset(text), "span": 1, "rows": 1, "row_header": row_header, "label": label}


def _table(caption: str, columns: list[str], rows: list[list[str]], notes: list[str], plain: list[str] = ()) -> dict:
    """A table as the letter template draws it: one header row, each body row led by its row header."""
    return {"kind": "table", "caption": present.typeset(caption), "header": [[_cell(c) for c in columns]],
            "columns": columns, "row_labels": [present.typeset(r[0]) for r in rows],
            "rows": [[_cell(r[0], row_header=True)] + [_cell(v, label=columns[j + 1]) for j, v in enumerate(r[1:])]
                     for r in rows],
            "plain": [present.typeset(p) for p in plain], "notes": [present.typeset(n) for n in notes]}


def _section(scheme, record: Mapping, section: Mapping, values: Mapping[str, str]) -> list[dict]:
    words = {k: _fill(v, values) for k, v in section.items() if isinstance(v, str)}
    notes = [words["note"]] if "note" in words else []
    kind = section["kind"]
    if kind == "figures":
        shown = views.figures(scheme, record, section["measures"])
        average = words.get("average_heading", "Average")
        return [_table(words["caption"], ["Measure", "This year", average],
                       [[f.name, f.value, f.average or fmt.NOT_AVAILABLE] for f in shown], notes)]
    if kind == "labels":
        counts = views.label_counts(scheme, record, section["measure"])
        found: list[dict] = []
        if section.get("chart"):
            svg = bar_chart([(c.label, c.count, c.shown) for c in counts], words["caption"],
                            f"{words['caption']}: a bar for each outcome, the same figures as the table below.",
                            chart_id=f"chart-{section['measure']}", standalone=True)
            found.append({"kind": "chart", "heading": present.typeset(words["heading"]), "svg": str(svg),
                          "alt": present.typeset(f"{words['caption']}: " + "; ".join(
                              f"{c.label} {c.shown}" for c in counts))})
        columns = section.get("columns") or [scheme.labels(scheme.measure(section["measure"]).set).name, "Number",
                                             "Share"]
        found.append(_table(words["caption"], list(columns), [[c.label, c.shown, c.share] for c in counts], notes))
        return found
    if kind == "breakdown":
        table = views.breakdown(scheme, record, section["set"], section.get("measures"))
        return [_table(words["caption"], [table.set_name, *table.columns],
                       [[label, *cells] for label, cells in table.rows], notes)]
    compared = views.compared(scheme, record, section["measure"])
    average = f"Average for {fmt.in_sentence(compared.group)}" if compared.group else "Average"
    rows = [[compared.measure, compared.value], [average, compared.average],
            ["95% interval", compared.interval or fmt.NOT_AVAILABLE]]
    return [_table(words["caption"], ["Measure", "Figure for the year"], rows, notes, [compared.sentence])]


def report_content(scheme, record: Mapping, edition: ReportEdition, profile: Profile) -> dict:
    """Everything a body's report shows, as JSON-ready data in the letter's shape."""
    who = views.body(scheme, record)
    values = {**views.placeholders(scheme, record, edition.year),
              "report_date": fmt.long_date(edition.report_date)}
    blocks: list[dict] = []
    for section in edition.sections:
        if section.heading:
            blocks.append({"kind": "heading", "runs": [{"text": present.typeset(_fill(section.heading, values)),
                                                        "strong": False, "emph": False, "link": None}]})
        for paragraph in section.paragraphs:
            blocks += markdown_blocks(paragraph, values)
    links = {"body": profile.base_url + urls.body(urls.segment(scheme.words.bodies), who["slug"], edition.year),
             "interpreting": profile.base_url + urls.methods()}
    blocks.append({"kind": "paragraph", "runs": [
        {"text": f"The figures for {who['name']} are on ", "strong": False, "emph": False, "link": None},
        {"text": "its page on our website", "strong": False, "emph": False,
         "link": links["body"]},
        {"text": ", with every year we hold. " + scheme.data.coverage, "strong": False, "emph": False, "link": None},
    ]})
    layout = edition.layout
    statistics = [section for s in layout["sections"] for section in _section(scheme, record, s, values)]
    return {
        "lang": "en-GB",
        "kind": "report",
        "notices": [],
        "title": edition.title,
        "subtitle": present.typeset(who["name"]),
        "document_title": f"{edition.title}: {who['name']}",
        "keywords": [scheme.report.name, edition.year],
        "organisation": edition.organisation,
        "date": present.typeset(fmt.long_date(edition.report_date)),
        "letterhead": letterhead(edition, profile),
        "links": links,
        "signature": None,
        "delivery": "",
        "recipient": [],
        "salutation": "",
        "blocks": blocks,
        "closing": "",
        "signatory": {"name": "", "titles": []},
        "statistics_heading": present.typeset(_fill(layout["heading"], values)),
        "statistics": statistics,
        "attribution": present.typeset(scheme.data.attribution),
        "authority": {"code": who["code"], "name": who["name"], "slug": who["slug"]},
        "year": edition.year,
        "statistics_json": dict(record),
    }


@dataclass(frozen=True)
class ReportBody:
    """Who a report file is about, as the letters' index names them."""

    code: str
    name: str
    slug: str


def report_jobs(scheme, records: list[Mapping], edition: ReportEdition, out_dir: Path, output_format: str,
                profile: Profile, *, body: str | None = None) -> list:
    """One job per body that reaches the scheme's minimum for a report (`report: true`), or the one asked for."""
    from ombuds.letters.batch import LetterJob
    from ombuds.letters.render import timestamp

    chosen = [r for r in records if r.get("report")]
    if body is not None:
        chosen = [r for r in chosen if body_matches(scheme, r, body)]
        if not chosen:
            raise OmbudsError(f"{body}: no {scheme.report.name} for {edition.year}: no such {scheme.words.body} "
                              f"has {scheme.report.min_records} or more {scheme.report.min_measure}")
    created = timestamp(edition.report_date)
    jobs = []
    for record in chosen:
        who = views.body(scheme, record)
        path = out_dir / f"{who['slug']}-{edition.year}.{output_format}"
        jobs.append(LetterJob(ReportBody(who["code"], who["name"], who["slug"]), path,
                              report_content(scheme, record, edition, profile), created, output_format))
    return jobs


def body_matches(scheme, record: Mapping, wanted: str) -> bool:
    """Whether `wanted` names the record's body: its code, slug or name (case and punctuation aside)."""
    from ombuds.registry.lookup import strict_key

    who = views.body(scheme, record)
    return wanted in (who["code"], who["slug"]) or strict_key(wanted) == strict_key(who["name"])


def scheme_report_jobs(database, scheme, year, out_dir: Path, output_format: str, profile: Profile, *,
                       edition_file: Path | None = None, body: str | None = None,
                       editions: Path | None = None) -> list:
    """The `letters` command's jobs for a generic scheme: the year's records from the measures service, and the
    edition file given, or the year's in the `editions` folder named (`--editions`), or the scheme's own."""
    from ombuds.stats.measures_service import measures_service

    if edition_file is None and editions is not None and Path(editions) != scheme.folder / "editions":
        edition_file = Path(editions) / f"{year.label}.toml"
    edition = read_report_edition(scheme, edition_file) if edition_file else report_edition(scheme, year.label)
    if edition.year != year.label:
        raise OmbudsError(f"{edition.source}: year: the edition is for {edition.year}, not {year}")
    records = [r.as_json(scheme) for r in measures_service(database, scheme).year(year).records]
    return report_jobs(scheme, records, edition, out_dir, output_format, profile, body=body)
