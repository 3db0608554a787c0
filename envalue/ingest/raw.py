"""The raw table every parser produces: one row per input reading, all fields as text.

Why: the three formats differ only in how they are split into fields; the typing and
validation (`convert`) is shared and vectorised over this table. A parser also reports
rows it could not split (`MALFORMED_ROW`), so no input row is lost before conversion.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from envalue.ingest.model import IngestError, Rejection

__all__ = ["FIELDS", "RawTable", "decode_text"]

# Text fields of the canonical model; a parser leaves a field None (missing) when absent.
FIELDS = ("timestamp", "device_id", "quantity", "value", "unit", "kind")


@dataclass(slots=True)
class RawTable:
    """Columns `row`, `raw` and `FIELDS` (object dtype: str or None).

    `input_rows` counts every input row: those in `frame` plus the `rejected` ones.
    `naive_tz`, when set, is the zone assumed for timestamps without an offset (wide CSV
    only). `ignored_columns` lists header columns that are not read (reported, not lost).
    """

    frame: pd.DataFrame
    rejected: list[Rejection] = field(default_factory=list)
    naive_tz: str | None = None
    ignored_columns: list[str] = field(default_factory=list)

    @property
    def input_rows(self) -> int:
        return len(self.frame) + len(self.rejected)

    @staticmethod
    def build(records: list[dict[str, object]]) -> pd.DataFrame:
        """The frame of `records`, object columns (no dtype inference: None stays None)."""
        columns: dict[str, pd.Series] = {
            c: pd.Series([r[c] for r in records], dtype=object) for c in ("raw", *FIELDS)
        }
        row = pd.Series([r["row"] for r in records], dtype="int64")
        return pd.DataFrame({"row": row, **columns})


def decode_text(data: bytes, source: str) -> str:
    """UTF-8 (with or without BOM), else CP932 (Shift_JIS as Japanese Excel writes it)."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as utf8_error:
        try:
            return data.decode("cp932")
        except UnicodeDecodeError:
            raise IngestError(
                f"cannot decode the file as UTF-8 or CP932 (first bad byte at offset "
                f"{utf8_error.start})",
                source=source,
                rule="encoding",
            ) from None
