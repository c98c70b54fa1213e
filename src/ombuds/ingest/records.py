"""Importing a measures scheme's record files: any kind its `kinds.toml` defines, read by the columns named there.

A file is a CSV (UTF-8, optionally gzip-compressed) whose header names a kind's columns (or their aliases); other
columns are ignored and never stored. Every value is checked by its column's type: a body's name resolves through the
scheme's bodies and aliases, a label through its label set (stored by id), a date must be ISO and not before the
scheme's earliest year. A problem is `FILE:LINE: column: reason`. By default any problem fails the whole import;
with a rejects file the valid rows are imported and every refused row is written to it with its reasons."""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from sqlalchemy import Connection

from ombuds.errors import OmbudsError
from ombuds.ingest.problems import ImportFailed, Problem, plural
from ombuds.ingest.read import FIELD_LIMIT, column_key
from ombuds.registry.lookup import strict_key
from ombuds.schemes.model import Column, Kind, Scheme
from ombuds.store import Database
from ombuds.store.queries import bump_data_version, log_import
from ombuds.store.records import Record, RecordChanges, replace_records
from ombuds.store.schema import RECORD_KEY

FLAGS = {"1": True, "yes": True, "y": True, "true": True, "0": False, "no": False, "n": False, "false": False}
GZIP_MAGIC = b"\x1f\x8b"


class Refused(ValueError):
    """A value its column cannot take; the message is the reason."""


@dataclass
class KindFile:
    path: str
    kind: str
    rows: int
    refused: int = 0


@dataclass
class RecordImport:
    files: list[KindFile]
    changes: dict[str, RecordChanges]
    refused: list[tuple[Problem, ...]] = field(default_factory=list)  # each refused row's problems
    checked_only: bool = False

    def lines(self) -> list[str]:
        out = [f"{f.path}: {f.rows:,} {f.kind} row{'s' if f.rows != 1 else ''}" for f in self.files]
        for kind, c in self.changes.items():
            line = f"{kind}: {c.new:,} new, {c.changed:,} changed, {c.unchanged:,} unchanged"
            out.append(line + (f" (changed: {', '.join(c.changed_keys)})" if c.changed_keys else ""))
        if self.refused:
            out.append(f"{plural(len(self.refused), 'row')} refused, not imported")
        if self.checked_only:
            out.append("Check only: nothing was written.")
        return out


def _header_names(column: Column) -> set[str]:
    return {column_key(column.name), column_key(column.field), *map(column_key, column.aliases)}


def recognise(scheme: Scheme, header: list[str]) -> tuple[Kind | None, dict[str, int], str]:
    """The kind whose columns the header names most of (every required one present), where each of its fields is,
    and why no kind fits when none does."""
    keys = [column_key(name) for name in header]
    best: tuple[int, Kind | None, dict[str, int], str] = (-1, None, {}, "")
    for kind in scheme.kinds.values():
        where = {}
        for column in kind.columns:
            names = _header_names(column)
            found = [i for i, key in enumerate(keys) if key in names]
            if found:
                where[column.field] = found[0]
        missing = [c.name for c in kind.columns if c.required and c.field not in where]
        if where and len(where) > best[0]:
            why = f"not a {kind.id} file: no column {', '.join(missing)}" if missing else ""
            best = (len(where), None if missing else kind, where, why)
    if best[1] is None and not best[3]:
        return None, {}, f"no kind of {scheme.name} record has these columns"
    return best[1], best[2], best[3]


class Checks:
    """Each column's check, with every distinct value judged once."""

    def __init__(self, scheme: Scheme):
        self.scheme = scheme
        self.bodies = {strict_key(b.name): b.code for b in scheme.bodies}
        for body in scheme.bodies:
            for name in (body.short_name, *body.aliases):
                self.bodies.setdefault(strict_key(name), body.code)
        for alias, code in scheme.aliases.items():
            self.bodies.setdefault(strict_key(alias), code)
        earliest = int(scheme.earliest_year[:4])
        self.earliest = date(earliest, *scheme.year_start)
        self._seen: dict[tuple[str, str], object] = {}

    def value(self, column: Column, text: str) -> object:
        """The stored value of `text` in `column`; Refused with the reason when it cannot be one."""
        key = (column.field, text)
        if key not in self._seen:
            try:
                self._seen[key] = self._judge(column, text.strip())
            except Refused as refused:
                self._seen[key] = refused
        found = self._seen[key]
        if isinstance(found, Refused):
            raise found
        return found

    def _judge(self, column: Column, text: str) -> object:
        if not text:
            if column.required:
                raise Refused(f"no {_words(column, self.scheme)} given")
            return None
        return getattr(self, f"_{column.type}")(column, text)

    def _body(self, _column: Column, text: str) -> str:
        code = self.bodies.get(strict_key(text))
        if code is None:
            raise Refused(f"unknown {self.scheme.words.body} '{text}': not in the scheme's bodies.csv or aliases.csv")
        return code

    def _date(self, _column: Column, text: str) -> str:
        try:
            day = date.fromisoformat(text)
        except ValueError:
            raise Refused(f"'{text}' is not a date: write it as YYYY-MM-DD") from None
        if day < self.earliest:
            raise Refused(f"{day.isoformat()} is before the scheme's earliest year, {self.scheme.earliest_year}")
        return day.isoformat()

    def _label(self, column: Column, text: str) -> str:
        labels = self.scheme.labels(column.set or "")
        found = labels.resolve(text)
        if found is None:
            raise Refused(f"'{text}' is not a {labels.name.lower()}: expected one of {', '.join(labels.names)}")
        return found

    def _flag(self, _column: Column, text: str) -> bool:
        try:
            return FLAGS[text.casefold()]
        except KeyError:
            raise Refused(f"'{text}' is not a flag: write 1 or 0 (yes or no)") from None

    def _int(self, _column: Column, text: str) -> int:
        try:
            return int(text.replace(",", ""))
        except ValueError:
            raise Refused(f"'{text}' is not a whole number") from None

    def _text(self, _column: Column, text: str) -> str:
        return text


def _words(column: Column, scheme: Scheme) -> str:
    return scheme.words.body if column.type == "body" else column.field.replace("_", " ")


@dataclass
class _Read:
    """What one import has read so far."""

    grouped: dict[str, dict[str, list[Record]]] = field(default_factory=dict)  # kind → key → rows
    problems: list[Problem] = field(default_factory=list)  # of files as a whole (headers, encodings)
    refused: list[tuple[Problem, ...]] = field(default_factory=list)
    refused_rows: list[tuple[Kind, dict[str, str]]] = field(default_factory=list)
    files: list[KindFile] = field(default_factory=list)


def _open_text(path: Path) -> io.TextIOBase:
    with open(path, "rb") as probe:
        packed = probe.read(2) == GZIP_MAGIC
    raw = gzip.open(path, "rb") if packed else open(path, "rb")  # noqa: SIM115 (closed with the text wrapper)
    return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")


def _lines(path: Path) -> Iterator[tuple[int, list[str]]]:
    """Each row with the line it starts on."""
    with _open_text(path) as handle:
        csv.field_size_limit(FIELD_LIMIT)  # process-wide: set here as the LGSCO reader does
        reader = csv.reader(handle)
        line = 1
        for values in reader:
            yield line, values
            line = reader.line_num + 1


def _read_file(scheme: Scheme, checks: Checks, path: Path, read: _Read) -> None:
    name = str(path)
    try:
        rows = _lines(path)
        _first, header = next(rows, (1, []))
        kind, where, why = recognise(scheme, header)
        if kind is None:
            read.problems.append(Problem(name, 1, "header", why))
            return
        repeated = _repeated(kind, header)
        read.problems += [Problem(name, 1, column, "column appears more than once in the header")
                          for column in repeated]
        if repeated:
            return
        done = KindFile(name, kind.id, 0)
        grouped = read.grouped.setdefault(kind.id, {})
        for line, values in rows:
            if not "".join(values).strip():
                continue
            done.rows += 1
            record, problems = _record(kind, checks, where, values, name, line, header)
            if problems:
                done.refused += 1
                read.refused.append(problems)
                read.refused_rows.append((kind, {header[i]: _cell(values, i) for i in where.values()}))
                continue
            grouped.setdefault(record[0], []).append(record[1])
        if done.rows == 0:
            read.problems.append(Problem(name, 2, "file", "no data rows below the header"))
        read.files.append(done)
    except (UnicodeDecodeError, gzip.BadGzipFile, EOFError, csv.Error) as error:
        read.problems.append(Problem(name, 1, "file", f"cannot be read as UTF-8 CSV: {error}"))
    except OSError as error:
        read.problems.append(Problem(name, 1, "file", error.strerror or str(error)))


def _repeated(kind: Kind, header: list[str]) -> list[str]:
    """The header's names that repeat a column of the kind (the second and later of each)."""
    keys = [column_key(name) for name in header]
    out = []
    for column in kind.columns:
        names = _header_names(column)
        out += [header[i] for i in [i for i, key in enumerate(keys) if key in names][1:]]
    return out


def _cell(values: list[str], i: int) -> str:
    return values[i] if i < len(values) else ""


def _record(kind: Kind, checks: Checks, where: dict[str, int], values: list[str], name: str, line: int,
            header: list[str]) -> tuple[tuple[str, Record] | None, tuple[Problem, ...]]:
    found: dict[str, object] = {}
    problems = []
    for column in kind.columns:
        at = where.get(column.field)
        try:
            found[column.field] = checks.value(column, "" if at is None else _cell(values, at))
        except Refused as refused:
            problems.append(Problem(name, line, header[at] if at is not None else column.name, str(refused)))
    if problems:
        return None, tuple(problems)
    body = next(c.field for c in kind.columns if c.type == "body")
    day = next(c.field for c in kind.columns if c.type == "date" and c.required)
    key = "|".join(str(found[f]) for f in kind.key)
    if len(key) > RECORD_KEY:
        at = where.get(kind.key[0])
        column = header[at] if at is not None else kind.key[0]
        return None, (Problem(name, line, column, f"longer than {RECORD_KEY} characters"),)
    fields = {f: v for f, v in found.items() if f not in (body, day)}
    return (key, Record(str(found[body]), date.fromisoformat(str(found[day])), fields)), ()


def check_kind(kind: Kind) -> None:
    """A kind the import can store: exactly one body column and one required date column."""
    bodies = [c for c in kind.columns if c.type == "body"]
    dates = [c for c in kind.columns if c.type == "date" and c.required]
    if len(bodies) != 1 or len(dates) != 1:
        raise OmbudsError(f"kinds.toml: kinds.{kind.id}: needs one body column and one required date column")


def import_records(database: Database, scheme: Scheme, paths: list[Path | str], *, check: bool = False,
                   rejects: Path | None = None) -> RecordImport:
    """Import the files in one transaction. Without `rejects`, any problem raises ImportFailed and nothing is
    written; with it, problems in single rows refuse those rows only, each written to `rejects` with its reasons."""
    read = read_records(scheme, paths, rejects=rejects)
    report = RecordImport(read.files, {}, read.refused, checked_only=check)
    if not check:
        with database.transaction() as connection:
            store_records(connection, read, report, paths)
    if rejects is not None:  # once the valid rows are in: a failed commit leaves no rejects file behind
        write_rejects(rejects, read.refused, read.refused_rows)
    return report


def read_records(scheme: Scheme, paths: list[Path | str], *, rejects: Path | None = None) -> _Read:
    """Every file read and checked, nothing written; ImportFailed when a problem refuses the import (any problem
    without `rejects`, a file's with it)."""
    for kind in scheme.kinds.values():
        check_kind(kind)
    checks, read = Checks(scheme), _Read()
    for path in paths:
        _read_file(scheme, checks, Path(path), read)
    if read.problems or (read.refused and rejects is None):
        raise ImportFailed(sorted([*read.problems, *(p for row in read.refused for p in row)],
                                  key=lambda p: ([str(x) for x in paths].index(p.file), p.line)))
    return read


def store_records(connection: Connection, read: _Read, report: RecordImport, paths: list[Path | str]) -> None:
    """The rows read, stored in the caller's transaction; the changes noted in `report`."""
    for kind_id, grouped in read.grouped.items():
        report.changes[kind_id] = replace_records(connection, kind_id, grouped)
    if any(c.new or c.changed for c in report.changes.values()):
        bump_data_version(connection, ())  # reaching nothing the merges did not record (store.changes)
        log_import(connection, [str(p) for p in paths], "\n".join(report.lines()))


def write_rejects(path: Path, refused: list[tuple[Problem, ...]], rows: list[tuple[Kind, dict[str, str]]]) -> None:
    """Every refused row: its file and line, the columns at fault and why, then the row's values in the kind's
    columns (never the columns the scheme does not name, such as free text)."""
    named = list(dict.fromkeys(name for _kind, values in rows for name in values))
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(["file", "line", "column", "reason", *named])
        for problems, (_kind, values) in zip(refused, rows, strict=True):
            first = problems[0]
            writer.writerow([first.file, first.line, "; ".join(p.column for p in problems),
                             "; ".join(p.reason for p in problems), *(values.get(n, "") for n in named)])
