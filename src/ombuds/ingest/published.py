"""Published aggregates: figures parsed from letters and statistics pages, for years with no case-level data.

They are kept in a table of their own, never mixed with case records, and always carry where they came from.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

from ombuds.labels import FROM_PUBLISHED, EngineLabels
from ombuds.store import Database
from ombuds.store.queries import has_case_records, replace_published
from ombuds.years import Year


@dataclass
class PublishedReport:
    imported: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def import_published(database: Database, documents: list[dict], words: EngineLabels) -> PublishedReport:
    """Store each parsed document's figures unless its year has case-level records (those are the truth), its
    counts keyed by label id (`words`: the labels whose words the documents use)."""
    report = PublishedReport()
    with database.transaction() as connection:
        for document in documents:
            year = Year.parse(document["year"])
            code = document["authority"]["code"]
            if has_case_records(connection, year):
                report.skipped.append(f"{document['source']}: {year} has case-level records; its published figures "
                                      "were not imported")
                continue
            figures = words.counts_by_id({**document, "from": FROM_PUBLISHED})  # labels stored by id
            replace_published(connection, code, year, document["source"], document["edition"],
                              json.dumps(figures, ensure_ascii=False))
            report.imported.append(f"{document['source']}: {document['authority']['name']} {year}")
    return report
