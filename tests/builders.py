"""Building case-level input files row by row, as the ombudsman's systems would export them."""

from __future__ import annotations

from contextlib import contextmanager
from itertools import count
from pathlib import Path

from conftest import LGSCO, write_csv
from ombuds.labels import engine_labels
from ombuds.schemes import load_scheme

WORDS = engine_labels(load_scheme("lgsco"))  # the shipped LGSCO scheme's words, as input files give them
SERVICE_AREAS, OUTCOMES = WORDS.service_areas, WORDS.outcomes


class Cases:
    """Rows for the received, decided, compliance and population files; `files()` writes them."""

    def __init__(self, folder: Path, prefix: str = "T"):
        self.folder = folder
        self.prefix = prefix
        self.serial = count(1)
        self.received_rows: list[list] = []
        self.decided_rows: list[list] = []
        self.compliance_rows: list[list] = []
        self.population_rows: list[list] = []

    def _reference(self) -> str:
        return f"{self.prefix}{next(self.serial):06d}"

    def received(self, authority: str, day: str, areas: dict[str, int] | list[int]) -> None:
        """`areas`: counts by service area, or a list of nine counts in the published order."""
        if isinstance(areas, list):
            areas = dict(zip(SERVICE_AREAS, areas, strict=True))
        for area, n in areas.items():
            for _ in range(n):
                self.received_rows.append([self._reference(), authority, day, area])

    def decided(self, authority: str, day: str, outcomes: dict[str, int] | list[int], *,
                satisfactory_remedies: int = 0, remedied_by_ombudsman: int = 0) -> None:
        """`outcomes`: counts by outcome, or six counts in the published order. The first upheld decisions carry
        the satisfactory remedies, the next ones the ombudsman's remedies."""
        if isinstance(outcomes, list):
            outcomes = dict(zip(OUTCOMES, outcomes, strict=True))
        upheld_seen = 0
        for outcome, n in outcomes.items():
            for _ in range(n):
                remedy = remedied = "no"
                if outcome == "Upheld":
                    if upheld_seen < satisfactory_remedies:
                        remedy = "yes"
                    elif upheld_seen < satisfactory_remedies + remedied_by_ombudsman:
                        remedied = "yes"
                    upheld_seen += 1
                self.decided_rows.append([self._reference(), authority, day, outcome, remedy, remedied])

    def compliance(self, authority: str, day: str, on_time: int = 0, late: int = 0, not_complied: int = 0) -> None:
        for state, n in (("on time", on_time), ("late", late), ("not complied", not_complied)):
            for _ in range(n):
                self.compliance_rows.append([self._reference(), authority, day, state])

    def population(self, authority: str, year: str, people: int) -> None:
        self.population_rows.append([authority, year, people])

    def files(self) -> list[Path]:
        kinds = [
            ("received.csv", ["reference", "authority", "received_date", "service_area"], self.received_rows),
            ("decided.csv", ["reference", "authority", "decision_date", "outcome", "satisfactory_remedy",
                             "remedied_by_ombudsman"], self.decided_rows),
            ("compliance.csv", ["reference", "authority", "recorded_date", "compliance"], self.compliance_rows),
            ("population.csv", ["authority", "year", "population"], self.population_rows),
        ]
        return [write_csv(self.folder / name, header, rows) for name, header, rows in kinds if rows]


@contextmanager
def live_client(folder: Path, cases: Cases, settings):
    """The cases imported into a new SQLite database, served by the live app with `settings` (the demo's:
    conftest's `demo_settings`) through a test client (read-only)."""
    from fastapi.testclient import TestClient

    from ombuds.ingest import import_files
    from ombuds.site.app import create_app
    from ombuds.store import open_database

    url = f"sqlite:///{folder / 'site.db'}"
    database = open_database(url)
    import_files(database, cases.files(), scheme=LGSCO)
    database.close()
    readonly = open_database(url, read_only=True)
    try:
        yield TestClient(create_app(readonly, settings))
    finally:
        readonly.close()


def replace_once(path: Path, old: str, new: str) -> None:
    """Edit a copied scheme file: `old` must occur exactly once."""
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, old
    path.write_text(text.replace(old, new), encoding="utf-8")
