"""The self-assessment register: every organisation's answers against its scheme's code for a year, which
provisions are most often not met, and the register as a CSV download."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable

from ombuds.handling_code import HandlingCode
from ombuds.store.own import Assessment


def self_assessment(code: HandlingCode, this_year: list[Assessment], last_year: list[Assessment]) -> list[dict]:
    """Every provision of the code in its order: the answer (None: not assessed), and last year's."""
    now = {a.provision: a for a in this_year}
    before = {a.provision: a.complies for a in last_year}
    rows = []
    for p in code.provisions:
        a = now.get(p.id)
        rows.append({"provision": p.id, "section": p.section, "title": p.title,
                     "complies": a.complies if a else None,
                     "evidence": a.evidence if a else None, "action": a.action if a else None,
                     "due": a.due.isoformat() if a and a.due else None,
                     "last_year": before.get(p.id),
                     "changed": bool(a and p.id in before and before[p.id] != a.complies)})
    return rows


def provisions_not_met(code: HandlingCode, year_rows: list[Assessment]) -> list[dict]:
    """Per provision: how many organisations assessed it and answered yes, partly and no; most often not met
    (no, then partly) first, the code's order breaking ties. Provisions nobody assessed come last."""
    rows = []
    for order, p in enumerate(code.provisions):
        answers = [a.complies for a in year_rows if a.provision == p.id]
        rows.append({"provision": p.id, "section": p.section, "title": p.title, "assessed": len(answers),
                     "yes": answers.count("yes"), "partly": answers.count("partly"), "no": answers.count("no"),
                     "order": order})
    rows.sort(key=lambda r: (r["assessed"] == 0, -r["no"], -r["partly"], r["order"]))
    for r in rows:
        del r["order"]
    return rows


COLUMNS = ("code", "name", "year", "provision", "title", "complies", "evidence", "action", "due")


def register_csv(code: HandlingCode, year_rows: list[Assessment], name_of: Callable[[str], str]) -> bytes:
    """One row per organisation and provision it assessed, in code and provision order (UTF-8 with BOM, for
    spreadsheets)."""
    titles = {p.id: p.title for p in code.provisions}
    order = {p.id: i for i, p in enumerate(code.provisions)}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for a in sorted(year_rows, key=lambda a: (a.authority_code, order.get(a.provision, len(order)))):
        writer.writerow([a.authority_code, name_of(a.authority_code), a.year, a.provision, titles.get(a.provision, ""),
                         a.complies, a.evidence or "", a.action or "", a.due.isoformat() if a.due else ""])
    return ("\ufeff" + out.getvalue()).encode("utf-8")
