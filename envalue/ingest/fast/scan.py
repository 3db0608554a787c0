"""Splitting a canonical long CSV into field offsets, or declining the file.

The fast path takes a file only when its bytes make the reference splitter's result
obvious: ASCII, no quote character (so one physical line is one record and the line
number is the row number), no NUL, line ends ``\\n`` or ``\\r\\n`` only, and a header the
reference would accept. Lines with another number of fields than the header are returned
as `slow_lines` for the reference parser (blank lines, malformed rows).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from envalue.ingest.fast.fields import Buffer
from envalue.ingest.parse_long import REQUIRED
from envalue.ingest.raw import FIELDS

__all__ = ["Scan", "scan"]

_BOM = b"\xef\xbb\xbf"


@dataclass(slots=True)
class Scan:
    """Offsets of the records with the header's field count.

    `starts[:, j]` / `ends[:, j]` bound field j (header order) of record i, `line_start`
    / `line_end` its raw text, `line` its line number. `columns` maps a model field name
    to its header position.
    """

    buffer: Buffer
    header: str
    columns: dict[str, int]
    ignored_columns: list[str]
    starts: np.ndarray
    ends: np.ndarray
    line_start: np.ndarray
    line_end: np.ndarray
    line: np.ndarray
    slow_lines: list[tuple[int, str]]  # (line number, text) of the other lines


def scan(data: bytes, device_id: str | None) -> Scan | None:
    """The `Scan` of `data`, or None when the reference parser must read the file."""
    if data.startswith(_BOM):
        data = data[len(_BOM):]
    if not data.isascii() or b'"' in data or b"\0" in data:
        return None
    if b"\r" in data:
        if data.count(b"\r") != data.count(b"\r\n"):
            return None
        data = data.replace(b"\r\n", b"\n")
    head_end = data.find(b"\n")
    if head_end < 0:
        return None
    header = data[:head_end].decode("ascii")
    fields = header.split(",")
    if all(not f.strip() for f in fields):
        return None
    names = [h.strip().casefold() for h in fields]
    if any(c not in names for c in REQUIRED) or (device_id is None
                                                 and "device_id" not in names):
        return None  # the reference raises the missing-column error
    columns = {n: names.index(n) for n in FIELDS if n in names}
    ignored = [h for h, n in zip(fields, names, strict=True) if n not in columns]
    width = len(names)

    tail = b"" if data.endswith(b"\n") else b"\n"
    buf = Buffer(data, head_end + 1, tail)
    a = buf.u8
    seps = np.flatnonzero((a == 44) | (a == 10))
    is_nl = a[seps] == 10
    line_end = seps[is_nl]
    n_lines = len(line_end)
    line_start = np.empty(n_lines, dtype=np.int64)
    if n_lines:
        line_start[0] = 0
        line_start[1:] = line_end[:-1] + 1
    sep_line = np.cumsum(is_nl) - is_nl
    commas = np.bincount(sep_line[~is_nl], minlength=n_lines)
    good = commas == width - 1
    slow_idx = np.flatnonzero(~good)
    slow_lines = [(int(i) + 2, buf.text(int(line_start[i]), int(line_end[i])))
                  for i in slow_idx]
    if len(slow_idx):
        seps = seps[good[sep_line]]
    mat = seps.reshape(-1, width)
    ls = line_start[good]
    starts = np.empty_like(mat)
    starts[:, 0] = ls
    starts[:, 1:] = mat[:, :-1] + 1
    return Scan(buf, header, columns, ignored, starts, mat, ls, line_end[good],
                np.flatnonzero(good) + 2, slow_lines)
