"""Reading fast without reading differently: ICC colour spaces skipped, pdfium's C API used directly, headlines
and headings searched where they can be."""

from __future__ import annotations

import re

import pypdfium2 as pdfium
import pytest
import typst
from hypothesis import given, settings
from hypothesis import strategies as st

from ombuds.parse import parse_document, parse_files, parse_text
from ombuds.parse.text import Caseless, _without_icc_colour, read_text

KENT = ("Kent County Council\n"
        "For the period between 1 April 2021 to 31 March 2022\n"
        "87% of complaints we investigated were upheld.\n"
        "This compares to an average of 81% in similar authorities.\n"
        "In 100% of upheld cases we found the council had provided a satisfactory remedy before the complaint "
        "reached the Ombudsman.\n")


def coloured_pdf(text: str) -> bytes:
    """The text typeset over two pages in colour and grey, as the letters are: Typst writes ICC colour spaces."""
    first, second = text.split("\n", 2)[:2], text.split("\n", 2)[2]
    source = (b'#set text(fill: rgb("#2b5797"))\n#text(fill: luma(40%))[#sys.inputs.first]\n'
              b'#pagebreak()\n#for line in sys.inputs.second.split("\\n") [#line \\ ]')
    return typst.compile(source, format="pdf", sys_inputs={"first": "\n".join(first), "second": second})


def pypdfium2_text(data: bytes) -> str:
    """What pypdfium2's own page objects read, colour spaces and all."""
    document = pdfium.PdfDocument(data)
    try:
        return "\n".join(page.get_textpage().get_text_bounded() for page in document)
    finally:
        document.close()


def test_skipping_colour_spaces_reads_the_same_text(tmp_path):
    data = coloured_pdf(KENT)
    assert data.count(b"/ICCBased") == 2
    path = tmp_path / "kent.pdf"
    path.write_bytes(data)
    text = read_text(path)
    assert text == pypdfium2_text(data)
    assert "87% of complaints we investigated were upheld." in text
    document = parse_document(path)
    assert (document["authority"]["code"], document["year"], document["uphold_rate"],
            document["average"]["uphold_rate"], document["satisfactory_remedy_rate"]) == (
        "E10000016", "2021-22", 0.87, 0.81, 1.0)


def test_only_colour_space_arrays_are_renamed_and_nothing_moves():
    data = b"1 0 obj [/ICCBased 5 0 R] endobj 2 0 obj [ \n/ICCBased 6 0 R] endobj BT (/ICCBased) Tj ET"
    assert _without_icc_colour(data) == (
        b"1 0 obj [/NoColour 5 0 R] endobj 2 0 obj [ \n/NoColour 6 0 R] endobj BT (/ICCBased) Tj ET")


def test_a_pdf_whose_page_cannot_be_loaded_is_named(tmp_path):
    pageless = tmp_path / "pageless.pdf"
    pageless.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
                         b"2 0 obj << /Type /Pages /Count 1 /Kids [3 0 R] >> endobj\n"
                         b"3 0 obj << /Type /Font >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
    garbage = tmp_path / "garbage.pdf"
    garbage.write_bytes(b"%PDF-1.7 this is not really a PDF")
    assert parse_files([pageless, garbage]).failures == [
        f"{pageless}: not a readable PDF (page 1 cannot be loaded)",
        f"{garbage}: not a readable PDF (Failed to load document (PDFium: Data format error).)",
    ]


@pytest.mark.parametrize("opening", ["Here is how many of complaints we investigated were upheld, and In short of "
                                     "upheld cases we found the council had provided a satisfactory remedy:\n",
                                     "of complaints we investigated were upheld: the figures are below.\n"])
def test_a_headline_is_found_after_its_wording_appears_without_a_rate(opening):
    text = (f"{opening}Kent County Council\nFor the period between 1 April 2021 to 31 March 2022\n"
            "12.5% of complaints we investigated were upheld.\n"
            "In 75% of upheld cases we found the council had provided a satisfactory remedy.\n")
    document = parse_text(text, "kent")
    assert (document["uphold_rate"], document["satisfactory_remedy_rate"]) == (0.125, 0.75)


def test_a_headline_rate_in_capitals_is_not_known():
    text = KENT.replace("87% of complaints", "N/A of complaints")
    assert parse_text(text, "kent")["uphold_rate"] is None


@pytest.mark.parametrize("text", ["Figures: 87% OF Complaints we investigated were UPHELD by Kent COUNCIL.",
                                  "Figures– 87% OF Complaints we investigated were UPHELD by Kent COUNCIL."])
def test_caseless_search_finds_what_re_ignorecase_finds_in_ascii_text_and_in_any_other(text):
    wording = Caseless(r"(\d+%) of complaints we investigated were (upheld) by \w+ (?:authority|council)")
    found = wording.search(text)
    assert (found.span(), found.groups()) == ((9, 70), ("87%", "UPHELD"))
    assert wording.search(text, 10).group(1) == "7%"
    assert wording.search(text, 11) is None
    assert Caseless("kent").search(text).start() == 58


PIECES = st.lists(st.sampled_from(["of", "OF", "Of", "cases", "CASES", "the", "council", "Council", "authority",
                                    "87%", "n/a", "N/A", "-", " ", "  ", "\n", "–", "ſ", "K", "İ", "k", "s",
                                    "87% of Cases the COUNCIL", "N/A OF cases THE authority"]),
                  max_size=40)


@settings(max_examples=200, deadline=None, database=None)
@given(pieces=PIECES, pos=st.integers(min_value=0, max_value=30))
def test_caseless_search_is_re_ignorecase(pieces, pos):
    text = " ".join(pieces)
    for pattern in (r"(\d+%|n/a|-) of cases the (?:authority|council)", "of cases", r"s\s+the"):
        found, expected = Caseless(pattern).search(text, pos), re.compile(pattern, re.IGNORECASE).search(text, pos)
        assert (found and (found.span(), found.groups())) == (expected and (expected.span(), expected.groups()))


def test_caseless_refuses_an_escape_whose_lowercase_means_something_else():
    with pytest.raises(ValueError, match=r"an escape whose lowercase means something else: \\S\+ made"):
        Caseless(r"\S+ made")


def test_headlines_and_headings_in_capitals_in_a_document_that_is_not_ascii():
    headline = "87% of complaints we investigated were upheld"
    text = KENT.replace(headline, headline.upper())
    document = parse_text(text + "Annual review – 2021-22\n", "kent")
    assert (document["authority"]["code"], document["uphold_rate"], document["satisfactory_remedy_rate"]) == (
        "E10000016", 0.87, 1.0)
