"""Column specs: a fixed name, order and type for every exported table.

Why fixed: spreadsheets and auditors' scripts read these files by column position and
name, so a column never moves, disappears or changes type because one batch of records
lacked a field. Types:

* ``int``: whole numbers (kg-CO2e, t-CO2, serials, years), written without decimals;
  a float, a bool or a decimal string in the input is an error, never rounded.
* ``timestamp``: ISO 8601 in UTC with ``Z`` (nanoseconds kept when the ledger has them).
* ``date``: ISO ``YYYY-MM-DD``.
* ``text`` and ``bool``: as they are (``true``/``false`` for booleans).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

__all__ = ["COLUMN_KINDS", "Column", "ExportError", "field", "first_of", "msp_of"]

COLUMN_KINDS = ("text", "int", "timestamp", "date", "bool")


class ExportError(ValueError):
    """A record cannot be exported; the message names table, row and column."""


Getter = Callable[[Mapping[str, Any]], Any]


@dataclass(frozen=True)
class Column:
    name: str
    kind: str
    get: Getter
    required: bool = True

    def __post_init__(self) -> None:
        if self.kind not in COLUMN_KINDS:
            raise ValueError(f"column {self.name}: unknown kind {self.kind!r}")


def field(name: str) -> Getter:
    """The record's value under `name` (None when absent)."""
    return lambda record: record.get(name)


def first_of(*names: str) -> Getter:
    """The first present, non-None value among `names` (e.g. ``lot_id`` or ``batch_id``)."""

    def get(record: Mapping[str, Any]) -> Any:
        for name in names:
            if record.get(name) is not None:
                return record[name]
        return None

    return get


def msp_of(name: str) -> Getter:
    """The MSP ID part of a holder key ``<MSP ID>/<client id>``."""

    def get(record: Mapping[str, Any]) -> Any:
        value = record.get(name)
        return value.partition("/")[0] if isinstance(value, str) and "/" in value else None

    return get
