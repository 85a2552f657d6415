"""Reading user files strictly: UTF-8 with the byte offset of the first bad byte, rows with line numbers.

Everything the harness reads from a user (task data, candidate files, plain-text articles) goes through
here, so every bad-input message has the same shape: ``FILE:LINE: what is wrong``.
"""

from __future__ import annotations

import codecs
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from harness.errors import HarnessError, where

# ".jsonl.gz": gzip-compressed JSON Lines (the shipped meta-evaluation data); matched on the end of the name.
TABLE_SUFFIXES = (".jsonl", ".jsonl.gz", ".csv", ".parquet")


@dataclass(frozen=True)
class Row:
    """One record of a data file and where it came from (``line`` is 1-based; a row index for Parquet)."""

    line: int
    fields: dict[str, Any]


def read_bytes(path: Path) -> bytes:
    """Read a file, turning a missing or unreadable file into a :class:`HarnessError`."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        raise HarnessError(f"{path}: file not found") from None
    except IsADirectoryError:
        raise HarnessError(f"{path}: is a directory, expected a file") from None
    except OSError as exc:
        raise HarnessError(f"{path}: cannot read ({exc.strerror})") from None


def decode_utf8(data: bytes, path: Path) -> str:
    """Decode UTF-8 (a leading BOM is dropped), naming the byte offset and line of the first bad byte."""
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        return data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start  # an offset into the file as it is on disk, BOM included
        line = data.count(b"\n", 0, offset) + 1
        raise HarnessError(
            f"{where(path, line)}: not valid UTF-8 at byte offset {offset} "
            f"(byte 0x{data[offset]:02x}); re-save the file as UTF-8"
        ) from None


def read_text(path: Path) -> str:
    """Read a UTF-8 text file strictly."""
    return decode_utf8(read_bytes(path), path)


def read_rows(path: Path) -> list[Row]:
    """Read a JSONL (plain or gzip), CSV or Parquet file into rows of fields, chosen by the file's suffix."""
    suffix = path.suffix.lower()
    if suffix == ".jsonl":
        return list(_jsonl_rows(path, read_text(path)))
    if path.name.lower().endswith(".jsonl.gz"):
        return list(_jsonl_rows(path, decode_utf8(_gunzip(path), path)))
    if suffix == ".csv":
        return list(_csv_rows(path, read_text(path)))
    if suffix == ".parquet":
        return _parquet_rows(path)
    raise HarnessError(
        f"{path}: unsupported data format {suffix or '(no suffix)'!r}; use .jsonl, .jsonl.gz, .csv or .parquet"
    )


def _gunzip(path: Path) -> bytes:
    import gzip
    import zlib

    try:
        return gzip.decompress(read_bytes(path))
    except (OSError, EOFError, zlib.error) as exc:  # BadGzipFile is an OSError; a truncated file is an EOFError
        raise HarnessError(f"{path}: not a valid gzip file ({exc})") from None


def _jsonl_rows(path: Path, text: str) -> Iterator[Row]:
    # JSON Lines are separated by "\n" alone: str.splitlines() would also split at U+2028, U+2029 and U+0085,
    # which json.dumps(ensure_ascii=False) leaves unescaped inside strings (common in scraped web text).
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            value = json.loads(line)
        except json.JSONDecodeError as exc:
            raise HarnessError(f"{where(path, number)}: invalid JSON ({exc.msg}: column {exc.colno})") from None
        if not isinstance(value, dict):
            raise HarnessError(f"{where(path, number)}: expected a JSON object, got {type(value).__name__}")
        yield Row(number, value)


def _csv_rows(path: Path, text: str) -> Iterator[Row]:
    # strict: a quote that is never closed (or closed mid-field) is an error, not a field that swallows every
    # row after it into one source, which would then be blamed on whatever file is compared with this one.
    reader = csv.DictReader(io.StringIO(text, newline=""), strict=True)
    start = 1
    try:
        if reader.fieldnames is None:
            return
        # line_num counts physical lines read so far, so a quoted field with newlines still gets the
        # line where its record starts.
        start = reader.line_num + 1
        for record in reader:
            if None in record:
                raise HarnessError(f"{where(path, start)}: more values than the header has columns")
            yield Row(start, dict(record))
            start = reader.line_num + 1
    except csv.Error as exc:
        # The record that failed starts at ``start``; its quoted field is where to look (line_num is not
        # reliable here: the reader may have consumed every remaining line looking for the closing quote).
        raise HarnessError(
            f"{where(path, start)}: invalid CSV ({exc}): a quoted field in the record starting on this line "
            'is not closed, or has text after its closing quote; write a quote inside a field as ""'
        ) from None


def _parquet_rows(path: Path) -> list[Row]:
    import pyarrow.parquet as pq  # heavy; only Parquet data needs it

    read_bytes(path)  # same missing-file message as the other formats
    try:
        table = pq.read_table(path)
    except Exception as exc:  # pyarrow raises several unrelated types for a bad file
        raise HarnessError(f"{path}: cannot read Parquet ({exc})") from None
    return [Row(index + 1, record) for index, record in enumerate(table.to_pylist())]
