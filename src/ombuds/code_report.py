"""The Complaint Handling Code report of one organisation for one year: HTML, PDF/UA (the letters' Typst rendering
and the profile's letterhead) and JSON, from `stats.code_report`'s data. Every figure is worded by `stats.format`."""

from __future__ import annotations

import json
import shutil
from datetime import date
from pathlib import Path

import jinja2
from markupsafe import Markup

from ombuds import urls
from ombuds.charts import bar_chart
from ombuds.labels import FROM_CASE_RECORDS, OWN_OUTCOMES
from ombuds.letters.content import markdown_blocks, profile_letterhead
from ombuds.letters.render import TEMPLATES, shared_renderer, timestamp, typst_source
from ombuds.profile import Profile
from ombuds.stats import format as fmt
from ombuds.templating import Environment
from ombuds.years import Year

TITLE = "Complaints performance and service improvement report"
# The charts carry their own look, so that they draw the same in a browser, an email and Typst's SVG reader.
_CHART_STYLE = ('<style>.chart-bar{fill:#1d70b8}.chart-label{font-family:"DejaVu Sans",sans-serif;font-size:12px;'
                'fill:#0b0c0c}.chart-gridline{stroke:#b1b4b6;stroke-width:1}</style>')


class _Verbatim(dict):
    """Placeholder values for a governing body's response: none, so `{x}` stays as written."""

    def __missing__(self, name: str) -> str:
        return "{" + name + "}"


def _cell(text: str, row_header: bool = False) -> dict:
    return {"text": text, "row_header": row_header}


def _table(caption: str, columns: list[str], rows: list[list[str]]) -> dict:
    return {"caption": caption, "columns": columns,
            "rows": [[_cell(row[0], True), *(_cell(v) for v in row[1:])] for row in rows]}


def _chart(items: list[tuple[str, float | None, str]], title: str, description: str, chart_id: str) -> dict:
    svg = str(bar_chart(items, title, description, chart_id=chart_id))
    opening = svg.index(">") + 1
    return {"svg": Markup(svg[:opening] + _CHART_STYLE + svg[opening:]), "title": title,
            "alt": f"{title}. {description}"}


def _section(key: str, heading: str, *, paragraphs: list[str] | None = None, table: dict | None = None,
             chart: dict | None = None, items: list[str] | None = None, blocks: list[dict] | None = None) -> dict:
    return {"id": key, "heading": heading, "paragraphs": paragraphs or [], "table": table, "chart": chart,
            "items": items or [], "blocks": blocks or []}


def _volumes(r: dict) -> dict:
    one, two, measure = r["stage1"], r["stage2"], r["size"]["measure"]
    return _section("volumes", "Complaints received and answered", table=_table(
        "Complaints by stage", ["", "Stage 1", "Stage 2"],
        [["Received", fmt.number(one["received"]), fmt.number(two["received"])],
         [f"Received per 1,000 {measure}", fmt.per_thousand(one["per_1000"], measure),
          fmt.per_thousand(two["per_1000"], measure)],
         ["Answered", fmt.number(one["responded"]), fmt.number(two["responded"])]]))


def _timeliness(r: dict) -> dict:
    code, one, two = r["code"], r["stage1"], r["stage2"]
    rows = [[f"Acknowledged within {code['acknowledge']} working days", fmt.share(one["acknowledged_on_time"],
                                                                                  one["received"]),
             fmt.share(two["acknowledged_on_time"], two["received"])],
            ["Answered on time", fmt.share(one["on_time"], one["responded"], none="none answered"),
             fmt.share(two["on_time"], two["responded"], none="none answered")],
            ["Time limit (working days)", f"{code['stage1']['respond']}, or {code['stage1']['extended']} extended",
             f"{code['stage2']['respond']}, or {code['stage2']['extended']} extended"],
            ["Extended", fmt.number(one["extended"]), fmt.number(two["extended"])],
            ["Median time to answer", fmt.working_days(one["median_working_days"]),
             fmt.working_days(two["median_working_days"])]]
    chart = _chart([(f"Stage {n}", s["on_time_rate"], fmt.rate(s["on_time_rate"], zero=fmt.NOT_KNOWN))
                    for n, s in ((1, one), (2, two))], "Complaints answered on time, by stage",
                   "The share of answered complaints answered within the code's time limits at each stage; the "
                   "figures are in the table beside it.", "chart-on-time")
    return _section("timeliness", "Timeliness against the code", chart=chart, table=_table(
        "Timeliness by stage", ["", "Stage 1", "Stage 2"], rows),
        paragraphs=["Working days are Monday to Friday except bank holidays in England and Wales, counted from the "
                    "day after the start up to and including the end. Answers are timed from the acknowledgement "
                    "(from receipt where none is recorded)."])


def _areas(r: dict) -> dict:
    one, two = r["stage1"]["by_service_area"], r["stage2"]["by_service_area"]
    areas = sorted(set(one) | set(two))
    empty = {"received": 0, "on_time": 0, "responded": 0}
    rows = []
    for a in areas:
        first = one.get(a, empty)
        rows.append([a, fmt.number(first["received"]), fmt.share(first["on_time"], first["responded"],
                                                                 none="none answered"),
                     fmt.number(two.get(a, empty)["received"])])
    chart = _chart([(a, one[a]["received"], fmt.number(one[a]["received"])) for a in areas if a in one],
                   "Stage 1 complaints by service area", "The number of stage 1 complaints received about each "
                   "service area; the figures are in the table beside it.", "chart-areas")
    return _section("areas", "By service area", chart=chart, table=_table(
        "Complaints by service area", ["Service area", "Stage 1 received", "Stage 1 answered on time",
                                       "Stage 2 received"], rows))


def _outcomes(r: dict) -> dict:
    rows = [[o.capitalize(), fmt.number(r["stage1"]["outcomes"][o]), fmt.number(r["stage2"]["outcomes"][o])]
            for o in OWN_OUTCOMES]
    return _section("outcomes", "Outcomes", table=_table("Outcomes by stage", ["Outcome", "Stage 1", "Stage 2"], rows))


def _escalation(r: dict) -> dict:
    funnel, steps = r["escalation"], r["steps"]
    chart = _chart([(steps[k], funnel[k], fmt.known(funnel[k])) for k in steps], "From stage 1 to the ombudsman",
                   "Complaints at each step from stage 1 to the ombudsman's decisions; a step shown as not known has "
                   "no bar; the figures are in the table beside it.", "chart-escalation")
    source = {"case records": "the ombudsman's case records", "published letter": "the ombudsman's published figures"}
    note = (f"The ombudsman's figures are from {source[funnel['ombudsman_from']]}."
            if funnel["ombudsman_from"] else "The ombudsman's figures for this year are not known.")
    coverage = [r["coverage"]] if funnel["ombudsman_from"] and r["coverage"] else []
    return _section("escalation", "From stage 1 to the ombudsman", chart=chart, paragraphs=[note, *coverage],
                    table=_table("Escalation", ["Step", "Complaints"], [[steps[k], fmt.known(funnel[k])]
                                                                        for k in steps]))


def _learning(r: dict) -> list[dict]:
    improvements = [f"{i['improvement']} ({i['reference']}, agreed "
                    f"{fmt.long_date(date.fromisoformat(i['agreed_date']))})" for i in r["improvements"]]
    findings = [f"{d['reference']}, {fmt.long_date(date.fromisoformat(d['decision_date']))}: "
                f"{d['summary'] or 'no summary published'}" for d in r["non_compliance"]]
    return [
        _section("learning", "Learning and service improvements", items=improvements,
                 paragraphs=[] if improvements else ["No service improvements are recorded for this year."]),
        _section("findings", "Findings of fault by the ombudsman", items=findings,
                 paragraphs=[] if findings else [_no_findings(r["escalation"]["ombudsman_from"])]),
    ]


def _no_findings(source: str | None) -> str:
    if source == FROM_CASE_RECORDS:
        return "The ombudsman upheld no complaint about the organisation in this year's decisions."
    return "The ombudsman's decisions for this year are not held here, so its findings are not known."


def _self_assessment(r: dict) -> dict:
    rows = []
    for row in r["self_assessment"]:
        last = fmt.complies(row["last_year"]) if row["last_year"] else "Not assessed"
        due = f" (by {fmt.long_date(date.fromisoformat(row['due']))})" if row["due"] else ""
        rows.append([row["provision"], row["title"], fmt.complies(row["complies"]),
                     last + (" (changed)" if row["changed"] else ""), row["evidence"] or "",
                     (row["action"] or "") + due])
    return _section("self-assessment", "Self-assessment against the code", table=_table(
        f"Self-assessment against the {r['code']['name']}, {r['year']}",
        ["Provision", "What it asks (in short)", "Meets it", "Last year", "Evidence", "Action"], rows))


def _letter(r: dict, profile: Profile, letter_file: str | None) -> dict:
    """The ombudsman's annual letter: attached when given, linked on the public site where its case records (from
    which the site makes the letter) are held."""
    paragraphs, name = [], r["ombudsman_report"]["name"]
    if letter_file:
        paragraphs.append(f"The ombudsman's {name} for {r['year']} is attached to this report as {letter_file}.")
    if r["ombudsman_report"]["published"]:
        link = profile.base_url + urls.letter(r["body"]["slug"], Year.parse(r["year"]), "pdf")
        paragraphs.append(f"It is published at {link}.")
    if not paragraphs:
        paragraphs.append(f"The ombudsman's {name} for {r['year']} is not held here.")
    return _section("letter", f"The ombudsman's {name}", paragraphs=paragraphs)


def report_content(r: dict, profile: Profile, *, response: str | None = None, letter_file: str | None = None) -> dict:
    """Everything the report shows, as JSON-ready data (charts as SVG)."""
    response_section = _section(
        "response", "The governing body's response",
        blocks=markdown_blocks(response, _Verbatim()) if response else [],
        paragraphs=[] if response else ["No response from the governing body was given with this report."])
    return {
        "lang": "en-GB", "title": f"{TITLE} {r['year']}",
        "document_title": f"{TITLE} {r['year']}: {r['body']['name']}",
        "letterhead": profile_letterhead(profile, r["body"]["name"]),
        "period": fmt.period(Year.parse(r["year"])),
        "summary": fmt.code_summary(r),
        "sections": [_volumes(r), _timeliness(r), _areas(r), _outcomes(r), _escalation(r), *_learning(r),
                     _self_assessment(r), _letter(r, profile, letter_file), response_section],
    }


def _html(content: dict) -> bytes:
    environment = Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                                     loader=jinja2.FunctionLoader(lambda n: TEMPLATES.joinpath(n).read_text()))
    renderer = shared_renderer()
    head = content["letterhead"]
    page = environment.get_template("code-report.html.j2").render(
        report=content, css=renderer.stylesheet(head), logo=renderer.image_uri(head["logo"]))
    return page.encode("utf-8")


_DATA_FILES = ("report.json", "figures.json", "fonts.json")  # what the report's template reads beside it


def _pdf(content: dict, record: dict, letter: Path | None) -> bytes:
    shown = {**content, "sections": [{**s, "chart": s["chart"] and {**s["chart"], "svg": str(s["chart"]["svg"])}}
                                     for s in content["sections"]]}
    attached = {}  # the letter, by its own file name beside the report's data files
    if letter is not None:
        attached[f"letter-{letter.name}" if letter.name in _DATA_FILES else letter.name] = letter.read_bytes()
    shown["attached_letter"] = next(iter(attached), None)
    data = {"report.json": json.dumps(shown), "figures.json": json.dumps(record, indent=2), **attached}
    created = timestamp(Year.parse(record["year"]).end)
    return shared_renderer().compile_pdf(typst_source("code-report.typ"), data, created,
                                         (content["letterhead"]["logo"],))


def write_report(record: dict, profile: Profile, out: Path, *, response: str | None = None,
                 letter: Path | None = None) -> list[Path]:
    """The report as HTML, PDF and JSON in `out` (and the ombudsman's letter beside them, if given)."""
    out.mkdir(parents=True, exist_ok=True)
    stem = f"code-report-{record['body']['slug']}-{record['year']}"
    content = report_content(record, profile, response=response, letter_file=letter.name if letter else None)
    written = []
    for suffix, data in ((".html", _html(content)), (".pdf", _pdf(content, record, letter)),
                         (".json", (json.dumps(record, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))):
        path = out / f"{stem}{suffix}"
        partial = path.with_suffix(suffix + ".part")
        partial.write_bytes(data)
        partial.replace(path)
        written.append(path)
    if letter:
        shutil.copyfile(letter, out / letter.name)
        written.append(out / letter.name)
    return written
