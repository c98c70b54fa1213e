"""`ombuds import` for a scheme of the generic engine: its own record kinds (kinds.toml, ingest.records) and the
Complaint Handling Code's kinds (a landlord's own complaints and self-assessments, ingest.run), each file read by the
import that knows its kind, everything written in one transaction or nothing."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from ombuds.ingest.kinds import CODE_KINDS, kinds_of
from ombuds.ingest.problems import ImportFailed
from ombuds.ingest.read import UnreadableFile, open_table
from ombuds.ingest.records import RecordImport, import_records, read_records, store_records, write_rejects
from ombuds.ingest.run import ImportReport, import_files
from ombuds.schemes import Scheme
from ombuds.store import Database


@dataclass
class SchemeImport:
    records: RecordImport | None
    code: ImportReport | None

    @property
    def warnings(self) -> list[str]:
        return self.code.warnings if self.code else []

    def lines(self) -> list[str]:
        return [*(self.code.lines() if self.code else []), *(self.records.lines() if self.records else [])]


def is_code_file(path: Path, scheme: Scheme) -> bool:
    """Whether the file's header is that of an own complaints or self-assessment file (CSV or XLSX)."""
    kinds = kinds_of(scheme)
    try:
        with open_table(path, kinds.rank) as table:
            kind, _why = kinds.recognise(kinds.keys(table.header))
    except UnreadableFile:
        return False  # the records import says what is wrong with it
    return kind is not None and kind.name in CODE_KINDS


def import_scheme_files(database: Database, scheme: Scheme, paths: list[Path], *, check: bool = False,
                        rejects: Path | None = None) -> SchemeImport:
    """Every file imported, or (any problem, or a refused row without `rejects`) none: the code's files are all or
    nothing even with `rejects`, which keeps the valid rows of the scheme's own record files only."""
    code = [p for p in paths if is_code_file(p, scheme)]
    records = [p for p in paths if p not in code]
    if not code:
        return SchemeImport(import_records(database, scheme, records, check=check, rejects=rejects), None)
    read, failed = None, []
    if records:
        try:
            read = read_records(scheme, records, rejects=rejects)
        except ImportFailed as error:
            failed = list(error.problems)
    report = RecordImport(read.files, {}, read.refused, checked_only=check) if read else None
    try:
        done = import_files(database, code, check=check or bool(failed), scheme=scheme,
                            also=(lambda c: store_records(c, read, report, records)) if read else None)
    except ImportFailed as error:
        failed += error.problems
    if failed:
        order = [str(p) for p in paths]
        raise ImportFailed(sorted(failed, key=lambda p: (order.index(p.file), p.line)))
    if read is not None and rejects is not None:
        write_rejects(rejects, read.refused, read.refused_rows)
    return SchemeImport(report, done)
