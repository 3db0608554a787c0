"""Splitting CSV text into records with their line numbers (shared by long and wide CSV).

Why not `pandas.read_csv` for the split: it raises on a malformed line instead of
reporting it with its line number, and would let a bad row disappear. Python's C `csv`
reader splits; each record keeps its first line number and raw text, and the typed,
vectorised work is then done by pandas on the resulting table.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["CsvRecord", "read_records"]

_LINE_RE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+$")


@dataclass(frozen=True, slots=True)
class CsvRecord:
    """One CSV record: fields (None when the line could not be split), line, raw text."""

    fields: list[str] | None
    line: int
    raw: str
    error: str = ""


def read_records(text: str) -> Iterator[CsvRecord]:
    """Records of `text`, skipping blank lines and records whose fields are all empty or
    whitespace (``,,,`` rows of spreadsheet exports): they carry no data, are not rows."""
    lines = _LINE_RE.findall(text)
    reader = csv.reader(iter(lines), strict=True)
    previous = 0
    while True:
        start = previous + 1
        try:
            fields: list[str] | None = next(reader)
            error = ""
        except StopIteration:
            return
        except csv.Error as exc:
            fields, error = None, str(exc)
        end = max(reader.line_num, start)
        previous = end
        raw = "".join(lines[start - 1 : end]).rstrip("\r\n")
        if fields is not None and all(not f.strip() for f in fields):
            continue  # blank line, or a record of empty fields only: carries no data
        yield CsvRecord(fields, start, raw, error)
