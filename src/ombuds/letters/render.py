"""Rendering a letter's content to standalone HTML or to tagged PDF (Typst, in-process, fonts loaded once)."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterable
from datetime import UTC, date, datetime
from functools import cache, cached_property
from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup

from ombuds.glyphs import FALLBACK_FAMILIES, measure, typeset
from ombuds.letters.pdftags import tag_row_headers
from ombuds.letters.workspace import workspace
from ombuds.templating import Environment

TEMPLATES = resources.files("ombuds.letters").joinpath("templates")
_FONTS_JSON = json.dumps(FALLBACK_FAMILIES).encode("utf-8")


def _script_json(data: dict) -> Markup:
    """JSON that is safe inside a <script> element: no '<', '>' or '&' can end it early."""
    text = json.dumps(data, ensure_ascii=False, sort_keys=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def timestamp(day: date) -> int:
    """The PDF creation date: the letter's own date, so that the same input gives the same bytes."""
    return int(datetime(day.year, day.month, day.day, tzinfo=UTC).timestamp())


def typst_source(template: str) -> bytes:
    """A Typst template with the shared letterhead before it."""
    return TEMPLATES.joinpath("letterhead.typ").read_bytes() + TEMPLATES.joinpath(template).read_bytes()


@cache
def shared_renderer() -> Renderer:
    """One renderer per process, for callers that render letters one at a time (the site)."""
    return Renderer()


class Renderer:
    """One per process: the Typst compiler keeps its fonts, the Jinja environment its compiled template."""

    def __init__(self) -> None:
        self._widths: dict[str, list] = {}  # the tables' column widths by typeface and tables (`_table_widths`)

    @cached_property
    def _typst_source(self) -> bytes:
        return typst_source("letter.typ")

    @cached_property
    def _html_template(self) -> jinja2.Template:
        environment = Environment(autoescape=True, undefined=jinja2.StrictUndefined,
                                         loader=jinja2.FunctionLoader(lambda n: TEMPLATES.joinpath(n).read_text()))
        return environment.get_template("letter.html.j2")

    @cached_property
    def _css_template(self) -> jinja2.Template:
        return jinja2.Template(TEMPLATES.joinpath("letter.css").read_text())

    @cache  # noqa: B019 - one renderer per process; a few profiles at most
    def _css(self, primary: str, accent: str, typeface: str) -> Markup:
        """The stylesheet with the profile's colours and typeface written in (email clients ignore CSS
        variables)."""
        return Markup(self._css_template.render(primary=primary, accent=accent, typeface=typeface.replace('"', ""),
                                                fallbacks=FALLBACK_FAMILIES))

    @cache  # noqa: B019 - one renderer per process; a logo and a signature per edition
    def _image(self, path: str | None) -> Markup | None:
        """An image for the HTML letter: SVG inline as a data URI, PNG likewise, loaded once."""
        if path is None:
            return None
        data = Path(path).read_bytes()
        kind = "image/svg+xml" if path.lower().endswith(".svg") else "image/png"
        return Markup(f"data:{kind};base64,{base64.b64encode(data).decode('ascii')}")

    def pdf(self, content: dict, created: int) -> bytes:
        """PDF/UA-1: tagged (row labels as row headers), with language and title; the statistics JSON attached as
        statistics.json."""
        shown = {key: value for key, value in content.items() if key != "statistics_json"}  # attached, not shown
        widths = iter(self._table_widths(shown))
        shown["statistics"] = [{**s, "widths": next(widths)} if s["kind"] == "table" else s
                               for s in shown["statistics"]]
        data = {"letter.json": json.dumps(shown), "statistics.json": json.dumps(content["statistics_json"], indent=2)}
        named = (shown["letterhead"]["logo"], shown.get("signature"))
        return self.compile_pdf(self._typst_source, data, created, named)

    def _table_widths(self, shown: dict) -> list:
        """The column widths of the letter's tables, as the template's `widths` measures them in the letter's type,
        measured once for each typeface and set of tables (their columns and row labels): most letters of a year
        share their tables' headings, and measuring them was a sixth of each letter's compile."""
        tables = [[s["columns"], s["row_labels"]] for s in shown["statistics"] if s["kind"] == "table"]
        key = json.dumps([shown["letterhead"]["typeface"], tables])
        if key not in self._widths:
            letter = json.dumps({**shown, "measure_tables": True}).encode()
            files = {"main.typ": self._typst_source, "letter.json": letter, "statistics.json": b"{}",
                     "fonts.json": _FONTS_JSON}
            self._widths[key] = json.loads(measure(files, "<table-widths>"))
        return self._widths[key]

    def compile_pdf(self, source: bytes, data: dict[str, str | bytes], created: int,
                    named: Iterable[str | None] = ()) -> bytes:
        """A Typst document (`typst_source`) as PDF/UA-1 in the shipped fonts, its row labels tagged as row headers.
        `data`: the files the document reads, by name, as text or bytes (fonts.json, the fallbacks after DejaVu Sans,
        added); `named`: those its data name by absolute path (`letters.workspace`). Data as files, not
        `sys.inputs`, so that the compiler keeps its standard library between documents instead of building it again
        around each one's inputs (5 to 10% less CPU)."""
        files = {**{name: body.encode("utf-8") if isinstance(body, str) else body for name, body in data.items()},
                 "fonts.json": _FONTS_JSON}
        pdf = workspace().typeset(source, files, named, format="pdf", pdf_standards=["ua-1"], timestamp=created)
        return tag_row_headers(pdf)

    def stylesheet(self, head: dict) -> Markup:
        """The HTML stylesheet in the letterhead's colours and typeface."""
        return self._css(head["primary"], head["accent"], head["typeface"])

    def image_uri(self, path: str | None) -> Markup | None:
        return self._image(path)

    def html(self, content: dict) -> bytes:
        head = content["letterhead"]
        css = self._css(head["primary"], head["accent"], head["typeface"])
        page = self._html_template.render(letter=content, css=css,
                                          logo=self._image(head["logo"]), signature=self._image(content["signature"]),
                                          statistics_json=_script_json(content["statistics_json"]))
        return page.encode("utf-8")

    def email_html(self, content: dict, cids: dict[str, str]) -> bytes:
        """The HTML letter as an email body: no script (mail filters and clients refuse them; the statistics are
        attached to the PDF), images by Content-ID (`cids`: "logo", "signature" → cid) instead of data: URIs."""
        head = content["letterhead"]
        css = self._css(head["primary"], head["accent"], head["typeface"])
        page = self._html_template.render(letter=content, css=css, statistics_json=None,
                                          logo=f"cid:{cids['logo']}" if "logo" in cids else None,
                                          signature=f"cid:{cids['signature']}" if "signature" in cids else None)
        return page.encode("utf-8")

    @cache  # noqa: B019 - one renderer per process; a logo and a signature per edition
    def png(self, path: str) -> bytes:
        """An image as PNG for email (clients that block SVG show PNG): an SVG drawn by Typst at 4x its 48 px."""
        if path.lower().endswith(".png"):
            return Path(path).read_bytes()
        source = (f'#set page(width: 48pt, height: auto, margin: 0pt, fill: none)\n'
                  f'#image({json.dumps(path)}, width: 48pt)\n').encode()
        return typeset(input=source, format="png", ppi=288.0)

    def render(self, content: dict, created: int, output_format: str) -> bytes:
        return self.pdf(content, created) if output_format == "pdf" else self.html(content)
