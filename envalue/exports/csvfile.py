"""Write an export DataFrame as CSV: UTF-8, optionally with a BOM for Excel in Japan.

Excel (Japanese locale) opens a BOM-less CSV as Shift_JIS and garbles 恵那市; with
``excel=True`` the file starts with the UTF-8 byte order mark and uses CRLF line ends,
which Excel reads correctly. Without it the file is plain UTF-8 with LF, for scripts.
Missing optional values are empty cells; integers never get a ``.0``.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

__all__ = ["csv_bytes", "write_csv"]


def csv_bytes(frame: pd.DataFrame, *, excel: bool = False) -> bytes:
    """The CSV file's bytes (header row first, columns in the frame's order)."""
    text = frame.to_csv(index=False, lineterminator="\r\n" if excel else "\n", na_rep="")
    data = text.encode("utf-8")
    return b"\xef\xbb\xbf" + data if excel else data


def write_csv(frame: pd.DataFrame, path: str | Path, *, excel: bool = False) -> Path:
    """Write `frame` to `path` (see `csv_bytes`) and return the path."""
    target = Path(path)
    target.write_bytes(csv_bytes(frame, excel=excel))
    return target
