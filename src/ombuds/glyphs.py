"""Which characters the letters can show: the shipped fonts (DejaVu Sans, then its fallbacks) and the fonts Typst
holds itself. Asked of Typst, the renderer itself, so that an import refuses exactly what a letter could not show.
Here, not in `letters`, because imports ask it and an import never renders letters."""

from __future__ import annotations

import json
import threading
import unicodedata
from functools import cache, lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import typst

# typst and fontTools are imported when first asked: `ombuds --help` and light commands load neither

FONTS = Path(__file__).parent / "letters" / "fonts"  # shipped: the same bytes on every machine
NOTO_SCRIPTS = ("Thai", "Lao", "Khmer", "Myanmar", "Devanagari", "Bengali", "Gujarati", "Gurmukhi", "Oriya", "Tamil",
                "Telugu", "Kannada", "Malayalam", "Sinhala", "Thaana", "Ethiopic", "Georgian")
"""Noto Sans for the scripts of South and South-East Asia, Ethiopia and the Maldives (and the Georgian letters DejaVu
Sans lacks)."""
NOTO_LIMITED_USE = ("Adlam", "Balinese", "Bamum", "Batak", "Buginese", "Chakma", "Cham", "Cherokee", "Hanifi Rohingya",
                    "Javanese", "Kayah Li", "Lepcha", "Limbu", "Mandaic", "Meetei Mayek", "Miao", "Mongolian",
                    "New Tai Lue", "Newa", "Ol Chiki", "Osage", "Pahawh Hmong", "Saurashtra", "Sundanese",
                    "Syloti Nagri", "Syriac", "Tagalog", "Tai Le", "Tai Tham", "Tai Viet", "Vai", "Wancho", "Yi")
"""Noto Sans for the scripts in modern use by communities rather than nations (Unicode's "limited use" scripts, UAX
#31 table 7, with Mongolian, Buginese and Tagalog), whose letters no other shipped font has. N'Ko, Tifinagh, Canadian
Syllabics and Lisu are in DejaVu Sans; historic scripts (Linear A, Medefaidrin …) in none, so refused at import."""
FALLBACK_FAMILIES = (*(f"Noto Sans {script}" for script in (*NOTO_SCRIPTS, *NOTO_LIMITED_USE)), "Noto Serif Tibetan",
                     "Noto Serif Hmong Nyiakeng", "Droid Sans Fallback", "Symbola")
"""After the profile's typeface and DejaVu Sans (Latin, Greek, Cyrillic, Armenian, Georgian, Hebrew, Arabic …), in this
order: Noto Sans for the scripts above, Noto Serif Tibetan and Noto Serif Hmong Nyiakeng (Noto has no sans for
either), Droid Sans Fallback for Chinese, Japanese and Korean, Symbola for emoji and symbols. DejaVu Sans comes first,
so text it can show never falls back."""

_PROBE = b'#set document(title: "glyphs")\n#set text(font: json(bytes(sys.inputs.fonts)))\n#sys.inputs.text\n'


_ONE_AT_A_TIME = threading.Lock()
"""The compiler typesets one document at a time: typst-py refuses a second call while one runs ("Already borrowed"),
as when the live site renders two letters at once."""


@cache
def compiler() -> typst.Compiler:
    """One per process, with only the shipped fonts (and Typst's own) loaded; used through `typeset`."""
    import typst

    return typst.Compiler(None, root="/", font_paths=[str(FONTS)], ignore_system_fonts=True)


def typeset(*, root: str = "/", **options) -> bytes:
    """`compiler().compile(**options)` in the world whose root is `root` (root "/": a document names the files it
    reads, such as a logo, by absolute path), one call at a time."""
    with _ONE_AT_A_TIME:
        return compiler().compile(root=root, **options)


def measure(files: dict[str, bytes], label: str) -> str:
    """The JSON value of the document's metadata labelled `label` (one), from a compile of `files` ("main.typ" and
    the files it reads) in the same fonts as `compiler()`'s. A compiler of its own: a compiler given files in
    memory cannot be asked again after it compiled them."""
    import typst

    return typst.query(files, label, field="value", one=True, root="/", font_paths=[str(FONTS)],
                       ignore_system_fonts=True)


@lru_cache(maxsize=4096)  # bounded: most files repeat the same few names and titles
def _shown(text: str) -> bool:
    """Whether a tagged (PDF/UA-1) letter can show the text: Typst refuses a glyph no font has."""
    import typst

    try:
        typeset(input=_PROBE, format="pdf", pdf_standards=["ua-1"],
                sys_inputs={"fonts": json.dumps(("DejaVu Sans", *FALLBACK_FAMILIES)), "text": text})
    except typst.TypstError:
        return False
    return True


def unshowable(text: str) -> str | None:
    """The first character of the text that no font of the letters has, or None when all can be shown."""
    if text.isascii() or _shown(text):
        return None
    return next((c for c in text if not c.isascii() and not _shown(c)), None)


def describe(character: str) -> str:
    """'U+0E2A THAI CHARACTER SO SO, Thai script'."""
    from fontTools import unicodedata as scripts

    name = unicodedata.name(character, "unnamed character")
    return f"U+{ord(character):04X} {name}, {scripts.script_name(scripts.script(character))} script"
