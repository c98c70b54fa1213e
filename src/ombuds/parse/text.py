"""A published document as plain text: PDF (pypdfium2), HTML, or text, with formatting residue removed."""

from __future__ import annotations

import ctypes
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path
from types import ModuleType

from ombuds.errors import OmbudsError, not_a_file


class UnreadableDocument(OmbudsError):
    """A document that cannot be read, or says too little to be parsed; the message names the file."""


_BLOCKS = {"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "h5", "h6", "table", "section", "address",
           "header", "dt", "dd", "caption", "title"}


class _HTMLText(HTMLParser):
    """Visible text, a line per block element; scripts and styles are not read."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        elif tag in _BLOCKS:
            self.parts.append("\n")
        elif tag in ("td", "th"):
            self.parts.append("\t")

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        elif tag in _BLOCKS:
            self.parts.append("\n")

    def handle_data(self, data):
        if not self._skip:
            self.parts.append(data)


def read_text(path: Path) -> str:
    """The document's text, whatever its format."""
    problem = not_a_file(path, "documents", "folder/*.pdf")
    if problem is not None:
        raise UnreadableDocument(f"{path}: {problem}")
    data = path.read_bytes()
    if data.startswith(b"%PDF"):
        return _pdf_text(path, data)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableDocument(f"{path}: neither a PDF nor UTF-8 text") from None
    if re.match(r"\s*(<!DOCTYPE html|<html)", text, re.IGNORECASE):
        parser = _HTMLText()
        parser.feed(text)
        return "".join(parser.parts)
    return text


_ICC_FAMILY = b"/ICCBased"
_UNKNOWN_FAMILY = b"/NoColour"


def _without_icc_colour(data: bytes) -> bytes:
    """The PDF with its ICC colour spaces (`[/ICCBased 12 0 R]`) renamed to a family pdfium does not know, which it
    then skips. Colour does not change a document's text, but pdfium builds an lcms2 colour transform for every ICC
    profile of every document it loads: 70% of the time a letter took. The name keeps its length, so the
    cross-reference offsets stand."""
    found = data.find(_ICC_FAMILY)
    if found < 0:
        return data
    readable = bytearray(data)
    while found >= 0:
        if data[max(0, found - 8):found].rstrip().endswith(b"["):
            readable[found:found + len(_ICC_FAMILY)] = _UNKNOWN_FAMILY
        found = data.find(_ICC_FAMILY, found + 1)
    return bytes(readable)


def _pdf_text(path: Path, data: bytes) -> str:
    """Every page's text, through pdfium's C API directly: pypdfium2's page and text-page objects (finalizers,
    weak references) cost a tenth of a letter's time."""
    import pypdfium2  # noqa: F401  (initialises pdfium)
    import pypdfium2.raw as pdfium
    from pypdfium2.internal import ErrorToStr

    readable = _without_icc_colour(data)  # pdfium reads it in place: it must outlive the document
    document = pdfium.FPDF_LoadMemDocument64(readable, len(readable), None)
    try:
        pages = pdfium.FPDF_GetPageCount(document) if document else 0
        if pages < 1:
            reason = ErrorToStr.get(pdfium.FPDF_GetLastError())
            raise UnreadableDocument(f"{path}: not a readable PDF (Failed to load document (PDFium: {reason}).)")
        return "\n".join(_page_text(pdfium, document, index, path) for index in range(pages))
    finally:
        if document:
            pdfium.FPDF_CloseDocument(document)


def _page_text(pdfium: ModuleType, document: object, index: int, path: Path) -> str:
    """The text inside the page's bounding box (its media box within its crop box)."""
    page = pdfium.FPDF_LoadPage(document, index)
    if not page:
        raise UnreadableDocument(f"{path}: not a readable PDF (page {index + 1} cannot be loaded)")
    textpage = pdfium.FPDFText_LoadPage(page)
    try:
        box = pdfium.FS_RECTF()
        if not textpage or not pdfium.FPDF_GetPageBoundingBox(page, box):
            raise UnreadableDocument(f"{path}: not a readable PDF (the text of page {index + 1} cannot be read)")
        bounds = (box.left, box.top, box.right, box.bottom)
        length = pdfium.FPDFText_GetBoundedText(textpage, *bounds, None, 0)
        if length <= 0:
            return ""
        buffer = (ctypes.c_ushort * length)()
        pdfium.FPDFText_GetBoundedText(textpage, *bounds, buffer, length)
        return bytes(buffer).decode("utf-16-le", errors="ignore")
    finally:
        if textpage:
            pdfium.FPDFText_ClosePage(textpage)
        pdfium.FPDF_ClosePage(page)


_LINK = re.compile(r"\[([^\]]*)\]\([^)]*\)")
_UNDERLINE = re.compile(r"</?u>")
_EMPHASIS = re.compile(r"\*\*|__")
_HEADING = re.compile(r"^\s*#{1,6}\s*", re.MULTILINE)


def clean(text: str) -> str:
    """Markdown and HTML residue gone (`##`, `**`, `<u>…</u>`, `[text](#)`), lines trimmed, blank runs folded."""
    text = text.replace("\r\n", "\n").replace("\r", "\n").replace("\u00a0", " ").replace("’", "'")
    if "](" in text:  # each pass only where its residue can be: most documents have none
        text = _LINK.sub(r"\1", text)
    if "<u>" in text or "</u>" in text:
        text = _UNDERLINE.sub("", text)
    if "**" in text or "__" in text:
        text = _EMPHASIS.sub("", text)
    if "#" in text:
        text = _HEADING.sub("", text)
    lines = [" ".join(line.split()) for line in text.split("\n")]
    return "\n".join(line for line in lines if line)


def flat(text: str) -> str:
    """One line, single spaces: for sentences that PDFs and pages break anywhere."""
    return " ".join(text.split())


class Caseless:
    """A pattern searched without regard to case, fast: Python's re cannot skip ahead to a literal prefix when it
    ignores case, so in ASCII text (nearly every document) the lowercased pattern is searched in the lowercased
    text, where it can, and the match is then taken at the same place in the text itself. Found exactly where
    `re.search(pattern, text, re.IGNORECASE)` finds it."""

    def __init__(self, pattern: str):
        if re.search(r"\\[A-Z]", pattern):
            raise ValueError(f"an escape whose lowercase means something else: {pattern}")
        self.pattern = re.compile(pattern, re.IGNORECASE)
        self._lowered = re.compile(pattern.lower())

    def search(self, text: str, pos: int = 0) -> re.Match | None:
        lowered = _ascii_lowered(text)
        if lowered is None:
            return self.pattern.search(text, pos)
        found = self._lowered.search(lowered, pos)
        return self.pattern.match(text, found.start()) if found else None


@lru_cache(maxsize=8)
def _ascii_lowered(text: str) -> str | None:
    """The text lowercased, if lowercasing keeps every character in its place (ASCII), else None."""
    return text.lower() if text.isascii() else None
