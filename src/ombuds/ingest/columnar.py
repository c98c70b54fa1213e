"""Reading a large CSV file column by column with pyarrow: the fast path of an import.

pyarrow reads the rows below the header in blocks, every column as text (so that messages quote the file's own
text), and hands each block over as one list of strings per column. It is used only where it reads exactly what
the row-by-row reader (ingest.read) reads: a UTF-8 file whose header is its first line. Anything else it cannot
vouch for makes it decline with NotColumnar, and the file is read again row by row:

- a row with another number of fields than the header, a quoting error or bytes that are not UTF-8 (the row
  reader words these problems);
- values that span lines (found at the end, by counting the file's lines): then a row's position in the file is
  not its line number, which every message must give.

An empty line is read as a row of empty cells (pyarrow's `ignore_empty_lines` off), so that rows stay one a line; it
is then a blank row, skipped as the row reader skips it.
"""

from __future__ import annotations

import operator
from collections.abc import Iterator
from itertools import compress
from typing import BinaryIO

BLOCK = 1 << 20  # bytes of the file per block: a few thousand rows, whatever the file's size


class NotColumnar(Exception):
    """The file must be read row by row."""


Block = list[list[str]]  # one list of cell texts per column of the header


def csv_blocks(handle: BinaryIO, delimiter: str, width: int, named: int) -> Iterator[tuple[Block, list[int]]]:
    """The rows below a first-line header, block by block, as columns of text, each with the indexes of its rows
    that are not plain: blank rows (every cell empty or white space) and rows with text beyond the `named` first
    columns. The caller reads those few row by row. Raises NotColumnar as soon as pyarrow cannot read a row as the
    row reader would, or at the end if the rows were not one a line."""
    for batch in csv_batches(handle, delimiter, width):
        block = [column.to_pylist() for column in batch.columns]
        yield block, _odd_rows(block, named)


def csv_batches(handle: BinaryIO, delimiter: str, width: int) -> Iterator:
    """The rows below a first-line header as pyarrow record batches of text, their columns named "0", "1", …;
    NotColumnar as csv_blocks says."""
    import pyarrow as pa
    from pyarrow import csv

    lines = _lines(handle)
    names = [str(i) for i in range(width)]
    handle.seek(0)
    options = {"read_options": csv.ReadOptions(use_threads=False, block_size=BLOCK, skip_rows=1, column_names=names),
               "parse_options": csv.ParseOptions(delimiter=delimiter, newlines_in_values=True,
                                                 ignore_empty_lines=False),
               "convert_options": csv.ConvertOptions(column_types=dict.fromkeys(names, pa.string()),
                                                     strings_can_be_null=False, quoted_strings_can_be_null=False)}
    try:
        # Closed as soon as it is read or given up: a streaming reader's read-ahead thread left for the interpreter's
        # exit can abort the process ("terminate called without an active exception", apache/arrow#34314).
        with csv.open_csv(handle, **options, memory_pool=reading_pool()) as reader:
            rows = 0
            for batch in reader:
                rows += batch.num_rows
                yield batch
    except (pa.ArrowInvalid, UnicodeDecodeError) as error:
        raise NotColumnar(str(error)) from None
    if rows + 1 != lines:
        raise NotColumnar("values over several lines")


def _odd_rows(block: Block, named: int) -> list[int]:
    """The rows that are blank (every cell empty or white space) or have text beyond the `named` first columns.
    Only rows whose first cell is empty can be blank, so the other cells are looked at for those rows alone."""
    rows = range(len(block[0]))
    beyond: set[int] = set()
    for column in block[named:]:
        beyond.update(compress(rows, map(str.strip, column)))
    empty_first = compress(rows, map(operator.not_, map(str.strip, block[0])))
    blank = [i for i in empty_first if not any(column[i].strip() for column in block)]
    return sorted(beyond.union(blank))


def _lines(handle: BinaryIO) -> int:
    """The file's lines as the row reader numbers them (ended by \\n, \\r\\n or a lone \\r; a last line without an
    ending counts too)."""
    handle.seek(0)
    lines, before = 0, b""
    while block := handle.read(1 << 22):
        lines += block.count(b"\n")
        if b"\r" in block or before.endswith(b"\r"):  # most files have none
            lines += block.count(b"\r") - block.count(b"\r\n") - (before.endswith(b"\r") and block.startswith(b"\n"))
        before = block
    if before and not before.endswith((b"\n", b"\r")):
        lines += 1
    return lines


def reading_pool():
    """The memory pool the CSV reader allocates its blocks from: jemalloc's where pyarrow has it, else the C
    library's; never pyarrow's default, mimalloc, which kept some 60 MB of freed blocks resident in an import (the
    reader's read-ahead thread allocates each block, the importing thread frees it) and a varying amount more.
    jemalloc hands freed pages back at once (decay 0); its pool is pyarrow's, shared by the whole process."""
    import pyarrow as pa

    try:
        pool = pa.jemalloc_memory_pool()
    except NotImplementedError:  # a pyarrow built without jemalloc (Windows)
        return pa.system_memory_pool()
    pa.jemalloc_set_decay_ms(0)
    return pool
