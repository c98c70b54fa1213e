"""Reading the figures of a published letter or statistics page into the SPEC 2.3 shape.

Only what the document states is filled in; everything else stays None. Rates and averages are taken as shown
(`87%` → 0.87, `n/a` → None). Tables are read by their structure (a row of nine service areas and a total, six
outcomes, a rate and a total), not by their headings, which extracted text often loses or splits.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache
from pathlib import Path

from ombuds.errors import OmbudsError
from ombuds.labels import UPHELD_ID, engine_labels
from ombuds.parse.text import Caseless, UnreadableDocument, clean, flat, read_text
from ombuds.registry import Authority, Registry, registry_of
from ombuds.registry.lookup import pick_by_date
from ombuds.schemes import load_scheme
from ombuds.stats import layouts
from ombuds.stats.record import PublishedDocument
from ombuds.years import MONTHS, Year

# The LGSCO's documents as it published them: in its published words, whatever a scheme folder renames (a label
# renamed in a copy of schemes/lgsco changes what ombuds writes, not what the LGSCO wrote), and its layouts.
PUBLISHED_SCHEME = load_scheme("lgsco")
PUBLISHED = engine_labels(PUBLISHED_SCHEME)
NUMBER = r"\d[\d,]*"
RATE = r"(?:\d+(?:\.\d+)?%|n/a|-)"
_MONTH = "|".join(MONTHS)
_LONG_DATE = re.compile(rf"\b(\d{{1,2}}) ({_MONTH}) (\d{{4}})\b")


def _int(text: str | None) -> int | None:
    return None if text is None else int(text.replace(",", ""))


def _rate(text: str | None) -> float | None:
    """As shown: `87%` → 0.87, a bare `50` in a "(%)" column → 0.5, `n/a` (`N/A` in a headline) or `-` → None."""
    if text is None or text.lower() in ("n/a", "-"):
        return None
    return float(text.rstrip("%")) / 100


def _decimal(text: str | None) -> float | None:
    if text is None or text == "n/a":
        return None
    return float(text.replace(",", "").rstrip("%"))


def empty_figures() -> dict:
    """The SPEC 2.3 shape with nothing known."""
    return {
        "authority": None, "year": None,
        "received": {**dict.fromkeys(PUBLISHED.service_areas), "total": None},
        "decided": {**dict.fromkeys(PUBLISHED.outcomes), "total": None},
        "investigated": None, "upheld": None, "uphold_rate": None,
        "satisfactory_remedies": None, "satisfactory_remedy_rate": None, "remedied_by_ombudsman": None,
        "compliance": {"recorded": None, "on_time": None, "late": None, "not_complied": None},
        "compliance_rate": None, "population": None, "upheld_per_100k": None,
        "average": {"method": None, "uphold_rate": None, "compliance_rate": None, "satisfactory_remedy_rate": None,
                    "upheld_per_100k": None},
        "overview": None,
    }


def _after(text: str, heading: Caseless) -> str:
    """The text after the first match of `heading` ('' if absent)."""
    match = heading.search(text)
    return text[match.end():] if match else ""


_APPENDIX = Caseless(r"Local Authority Report")
_RECEIVED_HEADING = Caseless(r"Complaints and enquiries received")
_RECEIVED_ROW = re.compile(rf"((?:{NUMBER}\s+){{9}}{NUMBER})\b")
_DECISIONS_HEADING = Caseless(r"Decisions\s+made")
_DECISIONS_ROW = re.compile(rf"((?:{NUMBER}\s+){{6}})({RATE}|\d+)\s+({NUMBER})\b")
_COMPLIANCE_HEADING = Caseless(r"Compliance with Ombudsman recommendations")
_COMPLIANCE_TABLE = re.compile(r"Compliance with Ombudsman recommendations")
_REMEDIED_BEFORE = Caseless(r"Satisfactorily\s+by\s+(?:the\s+)?authority\s+before\s+(?:the\s+)?(?:LGO|Ombudsman's)\s+"
                            rf"involvement\s+({NUMBER})\s+({NUMBER})\b")
_REMEDY_ROW = re.compile(rf"% of upheld cases\s+({NUMBER})\s+({RATE}|\d+)")
_COMPLIANCE_ROW = re.compile(rf"(?<![\d*])((?:{NUMBER}\s+){{3}}{NUMBER})(?=\s|$)")
_COMPLIANCE_RATE = re.compile(rf"({RATE})\s+Compliance rate|Compliance rate(?:\*\*)?\s+({RATE})")


def read_tables(text: str, figures: dict) -> str | None:
    """The 2017-18 and 2018-19 appendix tables; returns the layout found, or None."""
    if not _APPENDIX.search(text):
        return None
    received = _RECEIVED_ROW.search(_after(text, _RECEIVED_HEADING))
    if received:
        values = [_int(v) for v in received[1].split()]
        figures["received"] = {**dict(zip(PUBLISHED.service_areas, values[:9], strict=True)), "total": values[9]}
    decisions = _DECISIONS_ROW.search(_after(text, _DECISIONS_HEADING))
    layout = layouts.APPENDIX_2018 if _COMPLIANCE_TABLE.search(text) else layouts.APPENDIX_2017
    if decisions:
        counts = [_int(v) for v in decisions[1].split()]
        figures["decided"] = {**dict(zip(PUBLISHED.outcomes, counts, strict=True)), "total": _int(decisions[3])}
        figures["investigated"] = counts[4] + counts[5]  # the table groups these two as detailed investigations
        figures["upheld"] = counts[5]
        figures["uphold_rate"] = _rate(decisions[2])
    remedied = _REMEDIED_BEFORE.search(text)
    if remedied:
        figures["remedied_by_ombudsman"], figures["satisfactory_remedies"] = _int(remedied[1]), _int(remedied[2])
    remedy = _REMEDY_ROW.search(text)
    if remedy:
        figures["satisfactory_remedies"], figures["satisfactory_remedy_rate"] = _int(remedy[1]), _rate(remedy[2])
    _compliance_table(_after(text, _COMPLIANCE_HEADING), figures)
    return layout


def _compliance_table(section: str, figures: dict) -> None:
    if not section:
        return
    counts = _COMPLIANCE_ROW.search(section)
    if counts:
        recorded, on_time, late, not_complied = (_int(v) for v in counts[1].split())
        figures["compliance"] = {"recorded": recorded, "on_time": on_time, "late": late,
                                 "not_complied": not_complied}
    rates = _COMPLIANCE_RATE.search(section)
    if rates:
        figures["compliance_rate"] = _rate(rates[1] or rates[2])


class _Headline:
    """A panel's headline sentence, `87% of complaints we investigated were upheld`, and the rate it gives.

    A pattern that opens with a rate is tried at every character of the text, so the search starts at the word
    before the first place the headline's wording appears (the rate is that word: it holds no space)."""

    def __init__(self, before_rate: str, wording: str):
        self.wording = Caseless(wording)
        self.pattern = re.compile(rf"{before_rate}({RATE}) {wording}", re.IGNORECASE)
        self.reach = len(before_rate)

    def search(self, line: str) -> re.Match | None:
        wording = self.wording.search(line)
        if not wording:
            return None
        rate = line.rfind(" ", 0, max(0, wording.start() - 1)) + 1
        return self.pattern.search(line, max(0, rate - self.reach))


_HEADLINES = {
    "upheld": _Headline("", "of complaints we investigated were upheld"),
    "compliance": _Headline("", "of cases we were satisfied the (?:authority|council) had successfully implemented"),
    "remedy": _Headline("In ", "of upheld cases we found the (?:authority|council) had provided a satisfactory remedy"),
}
# Where a panel's rate has nothing to divide by, the letter shows no rate: its plain words open the panel instead
# (letters.present), and the type average is a sentence of its own.
_NO_RATE = {
    "upheld": re.compile(r"We did not investigate any complaints about .{1,150}? this year\.(?! so)"),
    "compliance": re.compile(r"No compliance outcomes were recorded in this period\."),
    "remedy": re.compile(r"We upheld no complaints, so there was no remedy to count\."),
}
_AVERAGE = re.compile(rf"average of ({RATE}) in similar authorities|average for similar authorities was ({RATE})")
_BASE = rf"based on a total of ({NUMBER}) "
_INVESTIGATIONS = re.compile(_BASE + r"(?:detailed )?investigations?")
_UPHELD_DECISIONS = re.compile(rf"({NUMBER})\s*upheld decisions?\b(?!\s*per\s+100)")
_UPHELD_PER_100K = re.compile(r"this is\s+([\d.,]+)%?\s+upheld decisions? per 100,000")
_AVERAGE_PER_100K = re.compile(
    r"average for authorities of this type is\s+([\d.,]+|n/a)%?\s+upheld decisions? per 100,000")
_COMPLIANCE_OUTCOMES = re.compile(_BASE + r"compliance outcomes?")
_REMEDY_DECISIONS = re.compile(rf"({NUMBER})\s*satisfactory remedy decisions?")
_REMEDY_BASE = re.compile(_BASE + r"(?:upheld decisions?|detailed investigations?)")


def read_panels(line: str, figures: dict) -> str | None:
    """The three panels (2019-20 on), the per-100,000 lines (2022-23 on) and the overview (2024-25 on), from the
    document's text as one line."""
    found = {name: headline.search(line) or _NO_RATE[name].search(line) for name, headline in _HEADLINES.items()}
    starts = sorted((m.start(), name) for name, m in found.items() if m)
    if not starts:
        return None
    segments = {name: line[start:(starts[i + 1][0] if i + 1 < len(starts) else len(line))]
                for i, (start, name) in enumerate(starts)}
    if "upheld" in segments:
        s = segments["upheld"]
        figures["uphold_rate"] = _headline_rate(found["upheld"])
        figures["average"]["uphold_rate"] = _average(s)
        figures["upheld"] = _int(_group(_UPHELD_DECISIONS.search(s)))
        figures["investigated"] = _int(_group(_INVESTIGATIONS.search(s)))
        figures["upheld_per_100k"] = _decimal(_group(_UPHELD_PER_100K.search(s)))
        figures["average"]["upheld_per_100k"] = _decimal(_group(_AVERAGE_PER_100K.search(s)))
    if "compliance" in segments:
        s = segments["compliance"]
        figures["compliance_rate"] = _headline_rate(found["compliance"])
        figures["average"]["compliance_rate"] = _average(s)
        figures["compliance"]["recorded"] = _int(_group(_COMPLIANCE_OUTCOMES.search(s)))
    if "remedy" in segments:
        s = segments["remedy"]
        figures["satisfactory_remedy_rate"] = _headline_rate(found["remedy"])
        figures["average"]["satisfactory_remedy_rate"] = _average(s)
        figures["satisfactory_remedies"] = _int(_group(_REMEDY_DECISIONS.search(s)))
        upheld = _int(_group(_REMEDY_BASE.search(s)))
        if figures["upheld"] is None:
            figures["upheld"] = upheld
    if figures["upheld"] is not None:
        figures["decided"][PUBLISHED.outcome(UPHELD_ID)] = figures["upheld"]
    overview = _overview(line, figures)
    if overview:
        return layouts.OVERVIEW
    if figures["upheld_per_100k"] is not None or "per 100,000" in line:
        return layouts.PANELS_PER_100K
    return layouts.PANELS


# Each overview figure is stated as a count, or, where it is zero, in plain words (stats.layouts).
_DEALT_WITH = re.compile(rf"we (?:dealt with ({NUMBER}) complaints?|did not deal with any complaints)")
_NOT_FOR_US = re.compile(rf"Of these, ({NUMBER}) (?:were|was) not for us|None of these was turned away")
_ASSESSED_AND_CLOSED = re.compile(rf"We assessed and closed ({NUMBER}) complaints?|We did not close any at the "
                                  "assessment stage")
_INVESTIGATED = re.compile(rf"We investigated ({NUMBER}) complaints?|We did not investigate any")
_INVESTIGATED_AND_UPHELD = re.compile(rf"We investigated {NUMBER} complaints? and upheld ({NUMBER}|none)|We did "
                                      "not investigate any complaints, so none were upheld")


def _stated(match: re.Match | None, nothing: bool = False) -> int | None:
    """The count a match states: its number, or 0 where the words say there were none (or `nothing` says so)."""
    if match is None:
        return 0 if nothing else None
    return 0 if match[1] in (None, "none") else _int(match[1])


def _overview(line: str, figures: dict) -> bool:
    dealt = _DEALT_WITH.search(line)
    if not dealt:
        return False
    none_dealt_with = dealt[1] is None
    overview = {
        "dealt_with": _stated(dealt),
        "not_for_us": _stated(_NOT_FOR_US.search(line), none_dealt_with),
        "assessed_and_closed": _stated(_ASSESSED_AND_CLOSED.search(line), none_dealt_with),
        "investigated": _stated(_INVESTIGATED.search(line), none_dealt_with),
    }
    figures["overview"] = overview
    figures["decided"]["total"] = overview["dealt_with"]
    figures["decided"][PUBLISHED.outcome("closed-after-initial-enquiries")] = overview["assessed_and_closed"]
    if figures["investigated"] is None:
        figures["investigated"] = overview["investigated"]
    upheld = _INVESTIGATED_AND_UPHELD.search(line)
    if upheld and figures["upheld"] is None:
        figures["upheld"] = figures["decided"][PUBLISHED.outcome(UPHELD_ID)] = _stated(upheld)
    return True


def _headline_rate(found: re.Match) -> float | None:
    """The rate a panel's headline gives; None where the panel says in words that there is no rate."""
    return _rate(found[1]) if found.re.groups else None


def _average(segment: str) -> float | None:
    match = _AVERAGE.search(segment)
    return _rate(match[1] or match[2]) if match else None


def _group(match: re.Match | None) -> str | None:
    return match[1] if match else None


_PERIOD = re.compile(r"1 April (\d{4}) to 31 March \d{4}")
_PERIOD_ENDING = re.compile(r"Period Ending:?\s*31/03/(\d{4})")
_YEAR_ENDING = re.compile(r"year end(?:ing|ed) 31 March (\d{4})")
_TITLE = Caseless(r"Annual Review letter (\d{4})")


def find_year(line: str) -> Year | None:
    """From the period, the period-ending date, the year-ending sentence, or the title (the text as one line)."""
    match = _PERIOD.search(line)
    if match:
        return Year(int(match[1]))
    match = _PERIOD_ENDING.search(line) or _YEAR_ENDING.search(line) or _TITLE.search(line)
    return Year(int(match[1]) - 1) if match else None


_REPORT_HEADING = re.compile(r"Local Authority Report:\s*(.+?)\s*For the Period Ending")


def find_authority(lines: list[str], line: str, year: Year | None) -> Authority | None:
    """The authority the document is about: its report heading, a line that is its name, or the recipient block
    (`lines` the text's lines, `line` the text as one line)."""
    on = year.end if year else None
    report = _REPORT_HEADING.search(line)
    candidates = [report[1]] if report else []
    candidates += lines[:40]
    for candidate in candidates:
        found = _resolve(candidate.strip(), on)
        if found:
            return found
    for chunk in lines[:40]:  # "Mr Clegg Chief Executive Stafford Borough Council": try its endings
        words = chunk.split()
        for i in range(len(words) - 1):
            found = _resolve(" ".join(words[i:]), on)
            if found:
                return found
    return None


_LETTER = re.compile(r"[A-Za-z]")


def _resolve(name: str, on: date | None) -> Authority | None:
    """The one authority a line names, or None. Most lines name none, so this looks names up without building the
    closest-match suggestions of an error (which cost far more than the look-up)."""
    if not name or len(name) > 80 or not _LETTER.search(name):
        return None
    return _named(registry_of(PUBLISHED_SCHEME), name, on)


@lru_cache(maxsize=4096)
def _named(authorities: Registry, name: str, on: date | None) -> Authority | None:
    """Remembered: the lines tried first (the ombudsman's address, the date, "By email") open every letter."""
    found = authorities.candidates(name)
    if len(found) > 1 and on is not None:
        found = pick_by_date(found, on)
    return found[0] if len(found) == 1 else None


def read_letter(lines: list[str]) -> dict | None:
    """Date, recipient, salutation and signatory of a letter (None for a statistics page), from its lines."""
    salutation = next((i for i, line in enumerate(lines) if line.startswith("Dear ")), None)
    if salutation is None:
        return None
    head = lines[:salutation]
    dated = next((i for i, line in enumerate(head) if _LONG_DATE.fullmatch(line)), None)
    letter_date = None
    if dated is not None:
        day, month, year = _LONG_DATE.fullmatch(head[dated]).groups()
        letter_date = date(int(year), MONTHS.index(month) + 1, int(day)).isoformat()
    first = (dated + 1) if dated is not None else 0
    block = [line for line in head[first:] if line.lower() != "by email"]
    return {
        "date": letter_date,
        "recipient": ", ".join(block) or None,
        "salutation": lines[salutation].rstrip(",") or None,
        "signatory": _signatory(lines),
    }


_SIGNATORY_TITLE = re.compile(r"\s+(?=Local Government|Ombudsman|Chair\b)")


def _signatory(lines: list[str]) -> str | None:
    closing = next((i for i, line in enumerate(lines) if line.lower().startswith("yours sincerely")), None)
    if closing is None:
        return None
    for line in lines[closing + 1:closing + 6]:
        if line.lower().startswith(("a handwritten signature", "signature")):
            continue
        name = _SIGNATORY_TITLE.split(line)[0]
        return name or None
    return None


def parse_text(text: str, source: str) -> dict:
    """The figures one document states, in the SPEC 2.3 shape plus source, edition and letter."""
    text = clean(text)
    figures = empty_figures()
    lines, line = text.split("\n"), flat(text)
    layout = read_tables(text, figures) or read_panels(line, figures)
    letter = read_letter(lines)
    if layout is None and letter is None:
        raise UnreadableDocument(f"{source}: no statistics found (neither the appendix tables of 2017-18 and "
                                 "2018-19 nor the panels of 2019-20 on) and no letter (no 'Dear …' line)")
    year = find_year(line)
    if year is None:
        raise UnreadableDocument(f"{source}: no year found (no period, period-ending date or letter title)")
    authority = find_authority(lines, line, year)
    if authority is None:
        raise UnreadableDocument(f"{source}: no authority found: no line names a council in the registry")
    figures["authority"] = {"code": authority.code, "name": authority.name, "type": authority.type}
    figures["year"] = year.label
    if layout == layouts.PANELS and year.start_year >= 2022:  # a 2022-23 or 2023-24 page may lack per-100,000 lines
        layout = layouts.PANELS_PER_100K
    document = {**figures, "source": source, "edition": layout, "letter": letter}
    return PublishedDocument.model_validate(document).to_json()


def parse_document(path: Path | str) -> dict:
    path = Path(path)
    try:
        return parse_text(read_text(path), str(path))
    except UnreadableDocument:
        raise
    except OmbudsError as error:
        raise UnreadableDocument(f"{path}: {error}") from None
