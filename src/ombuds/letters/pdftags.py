"""Row headers in the PDF's structure tree, which Typst cannot tag yet.

Typst tags the cells of `table.header` as column headers (TH, Scope Column) and every other cell as a data cell
(TD). Marking a body cell as a row header needs `pdf.header-cell(scope: "row")`, which Typst 0.14-0.15 offer only
behind the `a11y-extras` feature flag; the Python binding (typst 0.15.2, embedding Typst 0.15.1) builds its library
with the `html` feature alone and has no way to turn another on. So the letter template shades its row-label cells
like the header cells, and this module retags every shaded body cell (a TD with a background colour: the letters
shade no other body cell) as TH with Scope Row, then moves the cross-reference offsets by the bytes it added.

Typst writes each structure element as a plain (uncompressed) object and one classic cross-reference table; a PDF
in any other shape is returned unchanged (and the tests, which read the structure tree, would say so).
"""

from __future__ import annotations

import re

# A shaded data cell: '/S/TD/P 125 0 R/A[<</O/Table/Headers[(U4x0y0)]>><</O/Layout/BackgroundColor[...'
_SHADED_DATA_CELL = re.compile(rb"/S/TD(/P \d+ 0 R/A\[<</O/Table)(/Headers\[[^\]]*\][^>]*>><</O/Layout/"
                               rb"BackgroundColor\[)")
_ROW_SCOPE = b"/Scope/Row"
_XREF_ENTRY = re.compile(rb"(\d{10}) (\d{5}) n")


def tag_row_headers(pdf: bytes) -> bytes:
    """The PDF with each shaded body cell a row header (TH, Scope Row); byte-for-byte the same otherwise."""
    starts = [m.start() for m in _SHADED_DATA_CELL.finditer(pdf)]
    if not starts:
        return pdf
    tail = pdf.rfind(b"startxref")
    xref = int(pdf[tail + len(b"startxref"):].split()[0])
    if not pdf.startswith(b"xref", xref) or starts[-1] > xref:
        return pdf
    body = _SHADED_DATA_CELL.sub(lambda m: b"/S/TH" + m[1] + _ROW_SCOPE + m[2], pdf[:xref])

    def moved(offset: int) -> int:
        return offset + len(_ROW_SCOPE) * sum(1 for s in starts if s < offset)

    table = _XREF_ENTRY.sub(lambda m: b"%010d %s n" % (moved(int(m[1])), m[2]), pdf[xref:tail])
    trailer = pdf[tail:].replace(b"%d" % xref, b"%d" % moved(xref), 1)
    return body + table + trailer
