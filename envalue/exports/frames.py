"""Build a typed pandas DataFrame from records (dicts) by a list of column specs.

Every value is checked against its column's kind (see `envalue.exports.columns`), so a
malformed record fails the export with the row and column instead of producing a file
with a float kg column or a local-time timestamp.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Any

import pandas as pd

from .columns import Column, ExportError

__all__ = ["build_frame", "iso_utc"]

_DTYPES = {"text": "string", "int": "Int64", "timestamp": "string", "date": "string",
           "bool": "boolean"}


def iso_utc(value: Any) -> str:
    """ISO 8601 UTC with ``Z`` of a timestamp string/datetime that carries an offset."""
    stamp = pd.Timestamp(value)
    if stamp.tzinfo is None:
        raise ValueError(f"{value!r} has no UTC offset")
    text = stamp.tz_convert("UTC").isoformat()
    return text.removesuffix("+00:00") + "Z"


def _convert(column: Column, value: Any) -> Any:
    if value is None:
        if column.required:
            raise ValueError("missing")
        return None
    kind = column.kind
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValueError(f"{value!r} is not a whole number")
        return value
    if kind == "bool":
        if not isinstance(value, bool):
            raise ValueError(f"{value!r} is not true or false")
        return value
    if kind == "timestamp":
        try:
            return iso_utc(value)
        except (ValueError, TypeError) as err:
            raise ValueError(
                f"{value!r} is not an ISO 8601 timestamp with offset ({err})"
            ) from None
    if kind == "date":
        try:
            return date.fromisoformat(str(value)).isoformat()
        except ValueError:
            raise ValueError(f"{value!r} is not a date YYYY-MM-DD") from None
    if not isinstance(value, str):
        raise ValueError(f"{value!r} is not text")
    return value


def build_frame(
    table: str, columns: Sequence[Column], records: Iterable[Mapping[str, Any]]
) -> pd.DataFrame:
    """One row per record, columns in the given order with their fixed dtypes."""
    data: dict[str, list[Any]] = {c.name: [] for c in columns}
    for row, record in enumerate(records):
        if not isinstance(record, Mapping):
            raise ExportError(f"{table}[{row}]: expected an object, got {type(record).__name__}")
        for column in columns:
            try:
                data[column.name].append(_convert(column, column.get(record)))
            except ValueError as err:
                raise ExportError(f"{table}[{row}].{column.name}: {err}") from None
    return pd.DataFrame(
        {c.name: pd.array(data[c.name], dtype=_DTYPES[c.kind]) for c in columns},
        columns=[c.name for c in columns],
    )
