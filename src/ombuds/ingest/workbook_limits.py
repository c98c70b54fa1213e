"""What an XLSX workbook may hold before it is read, so that reading it stays within bounded memory (issue 18).

A workbook is XML inside a zip file: a few MB on disk may unpack to a gigabyte. openpyxl keeps a cleared element for
every row it has read (and a dict for each row with a height or other attributes), every shared string, and any text
run between two tags whole, and it reads every part other than a worksheet or the shared strings whole. So, before
openpyxl opens it, every XML part is unpacked once, as a stream, and measured: its size, its longest stretch
between two tags, its rows and shared strings, and whether it holds markup no spreadsheet program writes there
(comments, CDATA, processing instructions, a DTD). Measured on the 2-core machine with bench/workbooks.py: a
workbook just under every limit imports with a peak resident memory under 400 MB.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from typing import BinaryIO

MAX_UNPACKED_BYTES = 1 << 30
"""The most a workbook may unpack to, all parts together (1 GiB)."""
MAX_SHARED_STRINGS_BYTES = 64 << 20
"""The most its shared strings may unpack to (64 MiB): openpyxl holds them all in memory."""
MAX_SHARED_STRINGS = 1_048_576
"""The most distinct shared strings (each a Python string in memory while the workbook is read)."""
MAX_ROWS = 300_000
"""The most rows one part may hold (each costs up to about 600 bytes while it is read: a cleared element, and a dict
when the row has a height or other attributes, as Excel writes them); a larger data set is read from CSV."""
MAX_WHOLE_PART_BYTES = 16 << 20
"""The most any other XML part may unpack to (16 MiB): openpyxl reads those whole (styles, the workbook, charts)."""
MAX_STRETCH_BYTES = 1 << 20
"""The longest stretch of XML between two `<` (one tag and the text after it): a cell holds at most 32,767
characters, so a longer one is not a spreadsheet's."""

MAX_KEPT_ELEMENTS = MAX_SHARED_STRINGS + (256 << 10)
"""The most elements a streamed part may hold outside its rows and shared strings, each of these counted as one:
openpyxl keeps each (cleared) until the part is read."""
MAX_KEPT_TEXT_BYTES = 8 << 20
"""The most text a streamed part may hold between and around its rows (or shared strings), with its rows' attributes
other than `r` and `spans` (openpyxl keeps those in a dict per row): kept likewise."""
MAX_ROW_BYTES = 16 << 20
"""The longest one row (or shared string) may be."""

CHUNK = 1 << 20
_NAME = rb"<(?:[A-Za-z_][\w.-]*:)?"
_ROW = re.compile(_NAME + rb"row[\s/>]")
_STRING = re.compile(_NAME + rb"si[\s/>]")
_NOT_DATA = re.compile(rb"<[!?]")
_ITEM_START = re.compile(_NAME + rb"(?:row|si)\b[^>]*>")
_ITEM_END = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?(?:row|si)\s*>")
_ATTRIBUTE = re.compile(rb"""\s([\w.:-]+)\s*=\s*("[^"]*"|'[^']*')""")
_TAG = re.compile(rb"<(/?)[^>]*?(/?)>([^<]*)")


@dataclass
class PartMeasure:
    """One XML part, unpacked as a stream: what openpyxl would hold while reading it."""
    name: str
    size: int = 0
    rows: int = 0
    strings: int = 0
    longest: int = 0
    not_data: bool = False
    kept_elements: int = 0  # outside rows and shared strings, with each row and shared string as one
    kept_text: int = 0  # text whose owner is the root or its child: openpyxl's cleared rows keep their tails
    depth: int = 0
    inside: int = -1  # bytes read of the row (or shared string) being read, or -1 between them

    def add(self, text: bytes, first: bool) -> None:
        """Complete stretches, each from one `<` to just before the next."""
        self.rows += len(_ROW.findall(text))
        self.strings += len(_STRING.findall(text))
        body = text[text.index(b"?>") + 2:] if first and text.startswith(b"<?xml") and b"?>" in text else text
        self.not_data = self.not_data or _NOT_DATA.search(body) is not None
        self.longest = max(self.longest, max(map(len, text.split(b"<"))) + 1)
        self._structure(body)

    def _structure(self, text: bytes) -> None:
        """Rows and shared strings skipped whole (openpyxl clears what is in them); what is around them counted."""
        position = 0
        while position < len(text):
            if self.inside >= 0:
                end = _ITEM_END.search(text, position)
                if end is None:
                    self.inside += len(text) - position
                    return
                position, self.inside = end.end(), -1
                self._tail(text, position)
                continue
            start = _ITEM_START.search(text, position)
            self._outside(text, position, start.start() if start else len(text))
            if start is None:
                return
            self.kept_elements += 1
            self.kept_text += sum(len(a.group()) for a in _ATTRIBUTE.finditer(start.group())
                                  if a.group(1) not in (b"r", b"spans"))
            position = start.end()
            if start.group().endswith(b"/>"):
                self._tail(text, position)
            else:
                self.inside = 0

    def _tail(self, text: bytes, position: int) -> None:
        """The text after a row or shared string: its tail, kept with it."""
        following = text.find(b"<", position)
        self.kept_text += ((following if following >= 0 else len(text)) - position) if self.depth <= 2 else 0

    def _outside(self, text: bytes, start: int, stop: int) -> None:
        """Tags and text outside rows: every element kept, and text while its owner is the root or its child."""
        for tag in _TAG.finditer(text, start, stop):
            closing, empty, following = tag.groups()
            if closing:
                self.depth -= 1
            else:
                self.kept_elements += 1
                self.depth += 0 if empty else 1
            self.kept_text += len(following) if self.depth <= 2 else 0


def _measure(book: zipfile.ZipFile, item: zipfile.ZipInfo) -> PartMeasure:
    measure = PartMeasure(item.filename)
    pending, first = b"", True
    with book.open(item) as part:
        while chunk := part.read(CHUNK):
            measure.size += len(chunk)
            pending += chunk
            cut = pending.rfind(b"<")
            if cut > 0:
                measure.add(pending[:cut], first)
                pending, first = pending[cut:], False
            if len(pending) > MAX_STRETCH_BYTES or measure.size > MAX_UNPACKED_BYTES or _kept_too_much(measure):
                measure.longest = max(measure.longest, len(pending))
                return measure
    if pending:
        measure.add(pending, first)
    return measure


def _kept_too_much(measure: PartMeasure) -> bool:
    return _streamed(measure.name) and (measure.inside > MAX_ROW_BYTES or measure.kept_elements > MAX_KEPT_ELEMENTS
            or measure.kept_text > MAX_KEPT_TEXT_BYTES)


def _is_xml(name: str) -> bool:
    return name.lower().endswith((".xml", ".rels", ".vml"))


def _streamed(name: str) -> bool:
    """Parts openpyxl reads row by row or string by string; it reads every other part whole."""
    lowered = name.lower()
    return lowered.endswith("sharedstrings.xml") or "/worksheets/" in lowered


def workbook_problem(handle: BinaryIO) -> str | None:
    """Why the workbook may not be read (one sentence), or None when it may."""
    book = zipfile.ZipFile(handle)
    parts = book.infolist()
    total = sum(part.file_size for part in parts)  # as the zip states it; each XML part is measured as it unpacks
    strings = sum(part.file_size for part in parts if part.filename.lower().endswith("sharedstrings.xml"))
    if total > MAX_UNPACKED_BYTES or strings > MAX_SHARED_STRINGS_BYTES:
        return (f"the workbook unpacks to {total:,} bytes ({strings:,} of shared strings); at most "
                f"{MAX_UNPACKED_BYTES:,} ({MAX_SHARED_STRINGS_BYTES:,}) are read: split it or save it as CSV")
    unpacked = 0
    for item in (part for part in parts if _is_xml(part.filename)):
        measure = _measure(book, item)
        unpacked += measure.size
        problem = _part_problem(measure, unpacked)
        if problem:
            return problem
    return None


def _part_problem(measure: PartMeasure, unpacked: int) -> str | None:
    name = measure.name
    if unpacked > MAX_UNPACKED_BYTES:
        return f"the workbook unpacks to more than {MAX_UNPACKED_BYTES:,} bytes: split it or save it as CSV"
    if not _streamed(name) and measure.size > MAX_WHOLE_PART_BYTES:
        return f"its part {name} unpacks to {measure.size:,} bytes; at most {MAX_WHOLE_PART_BYTES:,} are read"
    if measure.longest > MAX_STRETCH_BYTES:
        return (f"its part {name} holds a stretch of more than {MAX_STRETCH_BYTES:,} bytes between two tags, longer "
                "than any cell")
    if measure.not_data:
        return (f"not a readable XLSX workbook (its part {name} declares entities or holds comments, CDATA or "
                "processing instructions, which are never read)")
    if not _streamed(name):
        return None
    if measure.inside > MAX_ROW_BYTES:
        return f"its part {name} has a row (or string) of more than {MAX_ROW_BYTES:,} bytes"
    if measure.kept_elements > MAX_KEPT_ELEMENTS or measure.kept_text > MAX_KEPT_TEXT_BYTES:
        return (f"its part {name} holds more than {MAX_KEPT_ELEMENTS:,} elements or {MAX_KEPT_TEXT_BYTES:,} bytes of "
                "text outside its rows: save it as CSV")
    if measure.rows > MAX_ROWS:
        return f"its part {name} has {measure.rows:,} rows; at most {MAX_ROWS:,} are read: save it as CSV"
    if measure.strings > MAX_SHARED_STRINGS:
        return (f"its shared strings number {measure.strings:,}; at most {MAX_SHARED_STRINGS:,} are read: split it or "
                "save it as CSV")
    return None
