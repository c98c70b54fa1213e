"""One `ombuds import`: every file checked, then everything loaded in one transaction, or nothing."""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path

from sqlalchemy import Connection

from ombuds.ingest.arrow_read import Preloaded, preload
from ombuds.ingest.columnar import Block, NotColumnar, csv_blocks
from ombuds.ingest.columns import BAD, ColumnCheck
from ombuds.ingest.fields import RowCheck
from ombuds.ingest.kinds import CODE_KINDS, Kind, kinds_of
from ombuds.ingest.problems import ImportFailed, Problem
from ombuds.ingest.read import Table, UnreadableFile, check_encoding, open_table, progress_bar
from ombuds.registry import registry_of
from ombuds.schemes import Scheme
from ombuds.store import Database
from ombuds.store.arrow_load import attached
from ombuds.store.arrow_load import available as arrow_available
from ombuds.store.kept import FigureInputs, figure_inputs
from ombuds.store.load import (
    POSITION,
    Changes,
    FirstLoad,
    NotFirstLoad,
    Staging,
    dates_in_order,
    decision_date_problems,
    journal_after_first_load,
    journal_for_first_load,
    stage_in_memory,
    stage_on_disk,
)
from ombuds.store.own import stage_order_problems
from ombuds.store.queries import log_import
from ombuds.store.releases import all_releases
from ombuds.years import Year

BATCH = 20_000


@dataclass
class FileRead:
    path: str
    kind: str
    rows: int
    ignored_columns: list[str] = field(default_factory=list)
    personal_columns: list[str] = field(default_factory=list)  # the kind's personal columns: dropped unread


@dataclass
class ImportReport:
    files: list[FileRead]
    changes: dict[str, Changes]
    checked_only: bool
    revised: list[str] = field(default_factory=list)  # revisions of published figures (ombuds.releases)
    computed: list[Year] = field(default_factory=list)  # years whose statistics the import computed and kept

    @property
    def warnings(self) -> list[str]:
        return [line for f in self.files for line in (
            f"{f.path}: warning: ignored unknown column(s) {', '.join(f.ignored_columns)} (not stored)"
            if f.ignored_columns else "",
            f"{f.path}: dropped personal column(s) {', '.join(f.personal_columns)} (never stored)"
            if f.personal_columns else "") if line]

    @property
    def unchanged(self) -> bool:
        return all(c.new == 0 and c.changed == 0 for c in self.changes.values())

    def lines(self) -> list[str]:
        out = [f"{f.path}: {f.rows:,} {f.kind} row{'s' if f.rows != 1 else ''}" for f in self.files]
        for kind, c in self.changes.items():
            line = f"{kind}: {c.new:,} new, {c.changed:,} changed, {c.unchanged:,} unchanged"
            if c.changed:
                more = f" and {c.changed - len(c.changed_keys):,} more" if c.changed > len(c.changed_keys) else ""
                line += f" (changed: {', '.join(c.changed_keys)}{more})"
            out.append(line)
        if self.unchanged:
            out.append("No changes: every row was already in the database.")
        elif self.checked_only:
            out.append("Check only: the files are valid; nothing was written.")
        return out + self.revised


class _Run:
    """The state of one import: where each file's rows went and what was wrong with them."""

    def __init__(self, connection: Connection, scheme: Scheme, progress, *, first_load: bool,
                 sheet: str | None = None, encoding: str | None = None):
        self.connection = connection
        self.first_load = first_load  # rows of a kind whose table is empty go straight into it (store.FirstLoad)
        self.sheet, self.encoding = sheet, encoding
        self.scheme = scheme
        self.kinds = kinds_of(scheme)
        self.check = RowCheck(registry_of(scheme), scheme.label_sets,
                              provisions=tuple(p.id for p in scheme.provisions))
        self.columns = ColumnCheck(self.check)
        self.progress = progress
        self.staged: dict[str, Staging | FirstLoad] = {}
        self.problems: list[Problem] = []
        self.files: list[FileRead] = []
        self.paths: list[str] = []
        self.preloaded: dict[int, Preloaded] = {}  # files already read into the attached database (ingest.arrow_read)

    def where(self, pos: int) -> tuple[str, int]:
        return self.paths[pos // POSITION - 1], pos % POSITION

    def read(self, path: Path) -> None:
        self.paths.append(str(path))
        file_no = len(self.paths)
        try:
            with open_table(path, self.kinds.rank, self.progress, sheet=self.sheet, encoding=self.encoding) as table:
                keys = self.kinds.keys(table.header)
                kind, why = self.kinds.recognise(keys)
                if kind is None or (self.scheme.engine != "lgsco" and kind.name not in CODE_KINDS):
                    self.problems.append(Problem(str(path), table.line, "header", why or _not_for(self.scheme, kind)))
                    return
                if self._header_problems(path, kind, table, keys):
                    return
                ignored = [name for name, key in zip(table.header, keys, strict=True)
                           if key and key not in kind.columns and key not in kind.personal]
                personal = [name for name, key in zip(table.header, keys, strict=True) if key in kind.personal]
                count = self._attached(file_no, kind)
                if count is None:
                    count = self._columnar(path, file_no, kind, keys, table)
                if count is None:
                    count = self._rows_again(path, file_no, kind, keys, table)
                if count == 0:
                    self.problems.append(Problem(str(path), table.line + 1, "file", "no data rows below the header"))
                self.files.append(FileRead(str(path), kind.name, count, ignored, personal))
        except UnreadableFile as error:
            self.problems.append(Problem(error.path, error.line, "file", error.reason))

    def _header_problems(self, path: Path, kind: Kind, table: Table, keys: list[str]) -> bool:
        repeated = [h for i, (h, k) in enumerate(zip(table.header, keys, strict=True))
                    if k in kind.columns and k in keys[:i]]
        for name in repeated:
            self.problems.append(Problem(str(path), table.line, name, "column appears more than once in the header"))
        return bool(repeated)

    def _stage(self, kind: Kind) -> Staging | FirstLoad:
        stage = self.staged.get(kind.name)
        if stage is None:
            first = self.first_load and kind.first_load and FirstLoad.can_take(self.connection, kind.name)
            stage = self.staged[kind.name] = (FirstLoad if first else Staging)(self.connection, kind.name)
        return stage

    def _attached(self, file_no: int, kind: Kind) -> int | None:
        """The file's rows copied in from the attached database if they were read into it, else None."""
        found = self.preloaded.get(file_no)
        stage = self._stage(kind) if found is not None and found.kind == kind.name else None
        if not isinstance(stage, FirstLoad):
            return None
        stage.add_attached(found.table, found.rows, found.counts, file_no * POSITION)
        return found.rows

    def _columnar(self, path: Path, file_no: int, kind: Kind, keys: list[str], table: Table) -> int | None:
        """The rows read and checked column by column (ingest.columnar), or None, with nothing of the file kept,
        when the file must be read row by row."""
        if kind.check_columns is None or table.csv is None or table.line != 1:
            return None
        where = {key: i for i, key in enumerate(keys) if key in kind.columns}
        named = max((i + 1 for i, key in enumerate(keys) if key), default=0)
        stage, noted, base = self._stage(kind), len(self.problems), file_no * POSITION
        line = count = 0
        blocks = csv_blocks(table.csv.handle, table.csv.delimiter, len(table.header), named)
        try:
            with contextlib.closing(blocks):  # its reader closed now, even if what follows fails, not at exit
                for block, flagged in blocks:
                    lines = list(range(line + 2, line + 2 + len(block[0])))
                    line += len(lines)
                    if flagged:
                        block, lines, too_many = self._plain_rows(path, block, flagged, lines, named)
                        count += too_many
                    count += len(lines)
                    if not lines:
                        continue
                    columns = {key: block[where[key]] if key in where else [""] * len(lines) for key in kind.columns}
                    stage.add(self._settled(path, kind, where, columns, [base + n for n in lines],
                                            lambda i, block=block: [column[i] for column in block]))
        except NotColumnar:
            del self.problems[noted:]
            stage.forget(base, base + POSITION)
            return None
        return count

    def _plain_rows(self, path: Path, block: Block, flagged: list[int],
                    lines: list[int], named: int) -> tuple[Block, list[int], int]:
        """The block without its flagged rows, and how many of those were not blank: rows with text beyond the
        header's columns, whose problems are noted here."""
        too_many = 0
        for i in flagged:
            values = [column[i] for column in block]
            if "".join(values).strip():
                too_many += 1
                self.problems.append(Problem(str(path), lines[i], "row", _too_many(values, named)))
        dropped = set(flagged)
        kept = [i for i in range(len(lines)) if i not in dropped]
        return [[column[i] for i in kept] for column in block], [lines[i] for i in kept], too_many

    def _rows_again(self, path: Path, file_no: int, kind: Kind, keys: list[str], table: Table) -> int:
        if table.csv is None or kind.check_columns is None or table.line != 1:
            return self._rows(path, file_no, kind, keys, table.rows)
        with open_table(path, self.kinds.rank, None, sheet=self.sheet, encoding=self.encoding) as again:
            return self._rows(path, file_no, kind, keys, again.rows)

    def _rows(self, path: Path, file_no: int, kind: Kind, keys: list[str], rows) -> int:
        where = {key: i for i, key in enumerate(keys) if key in kind.columns}
        columns = max((i + 1 for i, key in enumerate(keys) if key), default=0)  # up to the last named column
        stage = self._stage(kind)
        batch: list[tuple[int, list[str]]] = []
        count = 0
        for line, values in rows:
            if not "".join(values).strip():  # a blank row
                continue
            count += 1
            if len(values) > columns and any(v.strip() for v in values[columns:]):
                self.problems.append(Problem(str(path), line, "row", _too_many(values, columns)))
                continue
            batch.append((line, values))
            if len(batch) >= BATCH:
                stage.add(self._checked(path, file_no, kind, where, batch))
                batch = []
        stage.add(self._checked(path, file_no, kind, where, batch))
        return count

    def _checked(self, path: Path, file_no: int, kind: Kind, where: dict[str, int],
                 batch: list[tuple[int, list[str]]]) -> list[tuple]:
        """The batch's valid rows as stored, each followed by its position; the others' problems noted."""
        if not batch:
            return []
        base = file_no * POSITION
        positions = [base + line for line, _ in batch]
        columns = None
        if kind.check_columns is not None:
            last = max(where.values(), default=0)
            for _, values in batch:
                if len(values) <= last:
                    values.extend([""] * (last + 1 - len(values)))
            rows = [values for _, values in batch]
            columns = {key: list(map(itemgetter(where[key]), rows)) if key in where else [""] * len(batch)
                       for key in kind.columns}
        return self._settled(path, kind, where, columns, positions, lambda i: batch[i][1])

    def _settled(self, path: Path, kind: Kind, where: dict[str, int], columns: dict[str, list[str]] | None,
                 positions: list[int], values_of) -> list[tuple]:
        """The rows' valid ones as stored, each followed by its position; the others' problems noted. Column by
        column where the kind allows (`columns`), row by row (`values_of(i)`, the i-th row's cells) for the rows
        that fail and for the other kinds."""
        if columns is None:
            records = [None] * len(positions)
        else:
            self.columns.flagged = False
            records = kind.check_columns(columns, self.columns, positions)
            if not self.columns.flagged:
                return records
        stored = []
        for i, (record, pos) in enumerate(zip(records, positions, strict=True)):
            if record is None or BAD in record:
                record = self._row(path, kind, where, pos % POSITION, values_of(i))
                if record is not None:
                    stored.append((*record, pos))
            else:
                stored.append(record)
        return stored

    def _row(self, path: Path, kind: Kind, where: dict[str, int], line: int, values: list[str]) -> tuple | None:
        """One row checked on its own: the row as stored, or None with its problems noted in the file's order."""
        width, check = len(values), self.check
        row = {key: (values[i] if i < width else "") for key, i in where.items()}
        check.problems.clear()
        record = kind.check(row, check)
        if record is None:
            in_file_order = sorted(check.problems, key=lambda problem: where.get(problem[0], len(where)))
            self.problems.extend(Problem(str(path), line, column, reason) for column, reason in in_file_order)
        return record

    def cross_checks(self) -> None:
        """Keys repeated in the input and decisions dated before their receipts. A first load cannot say where
        these are (its rows are not staged), only that there are some: then the import is made again, staged."""
        loaded = {kind for kind, stage in self.staged.items() if isinstance(stage, FirstLoad)}
        if loaded & {"received", "decided"} and not dates_in_order(self.connection):
            raise NotFirstLoad("a decision is dated before its receipt")
        for stage in self.staged.values():
            if isinstance(stage, FirstLoad):
                continue
            stage.index()
            if not stage.has_repeats():
                continue
            column = "reference" if "reference" in stage.key else "authority"
            for conflict in stage.conflicts(self.key_words):
                file, line = self.where(conflict.pos)
                first_file, first_line = self.where(conflict.first_pos)
                first = f"line {first_line}" if first_file == file else f"{first_file}:{first_line}"
                reason = f"'{conflict.key}' appears again with different content (first at {first})"
                self.problems.append(Problem(file, line, column, reason))
            stage.drop_repeats()
        staged = {kind: stage for kind, stage in self.staged.items() if isinstance(stage, Staging)}
        if "own_complaints" in staged:
            for p in stage_order_problems(self.connection, staged["own_complaints"]):
                self.problems.append(Problem(*self.where(p.pos), p.column, p.reason))
        for p in decision_date_problems(self.connection, staged):
            file, line = self.where(p.pos)
            column = "decision_date" if p.staged == "decided" else "received_date"
            self.problems.append(Problem(
                file, line, column,
                f"decision date {p.decision_date.isoformat()} is before the complaint was received "
                f"({p.received_date.isoformat()}) for reference '{p.reference}'"))

    def drop_leftovers(self) -> None:
        """After the transaction: SQLite (through pysqlite) creates the staging tables outside it, so a rollback
        leaves them behind on the pooled connection, where the next import would find them."""
        staged = [stage for stage in self.staged.values() if isinstance(stage, Staging)]
        if self.connection.dialect.name != "sqlite" or not staged:
            return
        for stage in staged:
            self.connection.exec_driver_sql(f"DROP TABLE IF EXISTS temp.{stage.table.name}")
        self.connection.commit()

    @property
    def key_words(self) -> dict[str, dict[str, str]]:
        """Key columns holding label ids, in their words as the report names a key (a contact's role)."""
        roles = self.scheme.label_sets.get("contact_role")
        return {"role": {label.id: label.name for label in roles.labels}} if roles else {}

    def merge(self) -> dict[str, Changes]:
        changes = {}
        for kind, stage in self.staged.items():
            changes[kind] = stage.merge(self.key_words)
            stage.drop()
        return changes


def _revisions(connection: Connection, scheme: Scheme, revise: str | None) -> list[str]:
    """ombuds.releases' check before the commit. It brings in the statistics, so it is loaded only where a year has
    been released or a revision is asked for; otherwise there is nothing it could refuse or record."""
    if revise is None and not all_releases(connection):
        return []
    from ombuds.release_figures import before_commit

    return before_commit(connection, scheme, revise)


def _not_for(scheme: Scheme, kind: Kind) -> str:
    return (f"a {kind.name} file holds the LGSCO's case records; the {scheme.name} scheme takes "
            f"{', '.join(CODE_KINDS[:-1])} and {CODE_KINDS[-1]} files here, and its own records (kinds.toml)")


def _keep_statistics(connection: Connection, scheme: Scheme, before: FigureInputs) -> list[Year]:
    """Inside the transaction, after the merge: the kept statistics brought up to the data the import leaves, so
    that they are ready when it commits (ombuds.stats.ready computes them; ingest computes no figure)."""
    from ombuds.stats.ready import keep_after_import

    return keep_after_import(connection, scheme, before)


def _too_many(values: list[str], columns: int) -> str:
    fields = max(i + 1 for i, value in enumerate(values) if value.strip())
    return f"{fields} fields, but the header has {columns} column{'s' if columns != 1 else ''}"


def import_files(database: Database, paths: list[Path | str], *, check: bool = False, progress: bool = False,
                 sheet: str | None = None, encoding: str | None = None, revise: str | None = None,
                 scheme: Scheme, also: Callable[[Connection], None] | None = None) -> ImportReport:
    """Import the files in one transaction; raise ImportFailed listing every problem if any row is invalid.

    `sheet` names the worksheet to read in XLSX files (default: the first); `encoding` is that of CSV files
    (default: UTF-8, or UTF-16 with a byte-order mark). An unknown encoding raises OmbudsError before any file is read.
    A change to a published year's figures is refused unless `revise` gives the reason (`ombuds.releases`).
    Bodies resolve through the `scheme`'s registry and provisions through its code; a scheme of the generic engine
    takes only the code's kinds (CODE_KINDS) here. `also` writes more in the same transaction (a generic scheme's
    own records, ingest.scheme_files), unless `check`.
    """
    check_encoding(encoding)
    chosen = scheme
    with _no_cycle_collection():
        try:
            return _import(database, paths, check=check, progress=progress, sheet=sheet, encoding=encoding,
                           revise=revise, scheme=chosen, also=also, first_load=True)
        except NotFirstLoad:
            return _import(database, paths, check=check, progress=progress, sheet=sheet, encoding=encoding,
                           revise=revise, scheme=chosen, also=also, first_load=False)


@contextlib.contextmanager
def _no_cycle_collection():
    """Python's cycle collector paused for the import: the rows' millions of short-lived tuples and lists set it
    off some 2,000 times at 1M cases, and each full pass walks every object the process holds (0.6 s of CPU in all,
    a tenth of the import). What the import frees is freed as it goes by reference counting; the few cycles it
    leaves (SQLAlchemy's) are collected once it is over, when the collector is switched back on."""
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _import(database: Database, paths: list[Path | str], *, check: bool, progress: bool, sheet: str | None,
            encoding: str | None, revise: str | None, scheme: Scheme, also: Callable[[Connection], None] | None,
            first_load: bool) -> ImportReport:
    """One attempt: a first load (store.FirstLoad) into the tables that are empty, or, when that cannot word what
    it found, every kind staged."""
    bar = progress_bar(progress)
    with database.read() as connection:  # a database failure (connection lost, disk full) is a StoreError
        run = _Run(connection, scheme, bar, first_load=first_load, sheet=sheet, encoding=encoding)
        cache_size = stage_on_disk(connection)
        journal = first_load and not check and journal_for_first_load(connection)
        rows = None
        try:
            if journal and arrow_available():
                rows, run.preloaded = preload([Path(p) for p in paths], scheme, run.kinds, run.columns, sheet=sheet,
                                              encoding=encoding)
            with attached(connection, rows) if rows is not None and run.preloaded else contextlib.nullcontext(), \
                    connection.begin() as transaction:
                before = None if check else figure_inputs(connection)
                with bar or contextlib.nullcontext():
                    for path in paths:
                        run.read(Path(path))
                run.cross_checks()
                if run.problems:
                    raise ImportFailed(sorted(run.problems, key=lambda p: (run.paths.index(p.file), p.line)))
                changes = run.merge()
                report = ImportReport(run.files, changes, check)
                if check:
                    transaction.rollback()
                    return report
                if also is not None:
                    also(connection)
                if not report.unchanged:
                    report.revised = _revisions(connection, scheme, revise)
                    log_import(connection, run.paths, "\n".join(report.lines()))
                    report.computed = _keep_statistics(connection, scheme, before)
        finally:
            if rows is not None:
                rows.remove()
            run.drop_leftovers()
            stage_in_memory(connection, cache_size)
            if journal:
                journal_after_first_load(connection)
    return report
