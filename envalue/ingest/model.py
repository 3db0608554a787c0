"""The canonical reading model and the record of every row that was not accepted.

Why: the three input formats (long CSV, JSON, wide CSV) all become `Reading`s, and every
row that does not become one is kept as a `Rejection` with its reason, so that
accepted + rejected + duplicate always equals the number of input rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

__all__ = ["Kind", "Reading", "Rejection", "Rule", "IngestError", "QualityCounts"]

Kind = Literal["interval", "cumulative"]


class Rule(StrEnum):
    """Why a row was rejected (or, for `RESET_*`, why an interval was not counted)."""

    MALFORMED_ROW = "malformed_row"  # wrong number of fields, not an object, bad JSON item
    MISSING_FIELD = "missing_field"
    NAIVE_TIMESTAMP = "naive_timestamp"
    INVALID_TIMESTAMP = "invalid_timestamp"
    INVALID_DECIMAL = "invalid_decimal"
    VALUE_OUT_OF_RANGE = "value_out_of_range"
    UNKNOWN_UNIT = "unknown_unit"
    UNKNOWN_QUANTITY = "unknown_quantity"
    UNIT_MISMATCH = "unit_mismatch"
    INEXACT_CONVERSION = "inexact_conversion"
    UNKNOWN_KIND = "unknown_kind"
    INVALID_IDENTIFIER = "invalid_identifier"
    DEVICE_MISMATCH = "device_mismatch"
    NEGATIVE_VALUE = "negative_value"
    IMPLAUSIBLE_VALUE = "implausible_value"
    CONFLICT = "conflict"
    MIXED_KIND = "mixed_kind"  # a quantity reported both as interval and cumulative
    # not rejections: reasons a cumulative interval is flagged as a reset and not counted
    RESET_FALL = "reset_fall_without_capacity"
    RESET_IMPLAUSIBLE_WRAP = "reset_implausible_wrap"
    RESET_IMPLAUSIBLE_JUMP = "reset_implausible_jump"


@dataclass(frozen=True, slots=True)
class Reading:
    """One accepted measurement, value in the quantity's canonical unit.

    `timestamp` is tz-aware (UTC) and marks the end of the interval the value belongs to
    (for `cumulative`, the instant the counter was read). `row` is the source row number
    (CSV: the line number with the header as line 1; JSON: the 1-based list position).
    """

    timestamp: datetime
    device_id: str
    quantity: str
    value: Decimal
    unit: str
    kind: Kind
    row: int


@dataclass(frozen=True, slots=True)
class Rejection:
    """A row that was not accepted: where it was, what it said, and which rule it broke."""

    row: int
    raw: str
    field: str
    value: str
    rule: Rule
    message: str = ""

    def describe(self, source: str = "") -> str:
        where = f"{source}: " if source else ""
        return (
            f"{where}row {self.row}: field {self.field!r} value {self.value!r} "
            f"violates {self.rule.value}" + (f" ({self.message})" if self.message else "")
        )


@dataclass(slots=True)
class QualityCounts:
    """Row and event counts. Row counts: accepted, duplicate, rejected (of which
    `conflict` rows are a part). Event counts: `reset` intervals not counted, `gap` missing
    expected intervals, `out_of_order` rows that arrived after a later timestamp."""

    accepted: int = 0
    duplicate: int = 0
    conflict: int = 0
    reset: int = 0
    gap: int = 0
    rejected: int = 0
    out_of_order: int = 0

    def contract(self) -> dict[str, int]:
        """The `quality` object of the dry-run contract (methodologies.md)."""
        return {
            "accepted": self.accepted,
            "duplicate": self.duplicate,
            "conflict": self.conflict,
            "reset": self.reset,
            "gap": self.gap,
            "rejected": self.rejected,
        }


@dataclass
class IngestError(Exception):
    """A file-level failure (unreadable file, missing header, overlapping batch).

    Carries the same coordinates as a row rejection so the CLI can name them.
    """

    message: str
    source: str = ""
    row: int | None = None
    field: str | None = None
    value: str | None = None
    rule: str | None = None
    details: list[str] = dc_field(default_factory=list)

    def __str__(self) -> str:
        parts = [self.source] if self.source else []
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field is not None:
            parts.append(f"field {self.field!r}")
        if self.value is not None:
            parts.append(f"value {self.value!r}")
        if self.rule is not None:
            parts.append(f"rule {self.rule}")
        prefix = ": ".join(parts)
        return f"{prefix}: {self.message}" if prefix else self.message
