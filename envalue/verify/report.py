"""The outcome of a verification: named checks, each passed, failed or skipped, with a
reason a person can act on.

Why a record per check: an auditor must see not only *that* a lineage is broken but which
link (a batch signature, a Merkle root, a recomputed figure) and why, and a script must
be able to read the same facts from ``--json``.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

__all__ = ["Check", "LineageReport", "Status", "TamperedReading"]

Status = Literal["pass", "fail", "skip"]


@dataclass(frozen=True)
class TamperedReading:
    """A reading whose off-chain row no longer matches what was anchored.

    `change` says what was found: ``altered`` (the row hashes to another leaf than the
    one committed), ``missing`` (a committed leaf has no row), ``extra`` (a row with no
    committed leaf). `anchored_value` is the committed value when it could be proven
    (see `envalue.verify.batches`), else None.
    """

    batch_id: str
    leaf_index: int
    change: str
    device_id: str = ""
    timestamp: str = ""
    quantity: str = ""
    value: str = ""
    unit: str = ""
    row_id: int | None = None
    anchored_value: str | None = None

    def describe(self) -> str:
        """One line: which reading, what it says now, what it said when anchored."""
        if self.change == "missing":
            return f"leaf {self.leaf_index}: the committed reading is missing from the store"
        where = (f"device {self.device_id}, {self.timestamp}, {self.quantity} "
                 f"(leaf {self.leaf_index}, row {self.row_id})")
        now = f"stored value {self.value} {self.unit}".rstrip()
        if self.change == "extra":
            return f"{where}: not part of the anchored batch ({now})"
        was = f"; anchored value {self.anchored_value}" if self.anchored_value else ""
        return f"{where}: altered, {now}{was}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id, "leaf_index": self.leaf_index, "change": self.change,
            "device_id": self.device_id, "timestamp": self.timestamp,
            "quantity": self.quantity, "value": self.value, "unit": self.unit,
            "row_id": self.row_id, "anchored_value": self.anchored_value,
            "description": self.describe(),
        }


@dataclass(frozen=True)
class Check:
    """One verification step: `name` (what kind of check), `subject` (which record)."""

    name: str
    subject: str
    status: Status
    reason: str
    details: dict[str, Any] = field(default_factory=dict)

    @property
    def failed(self) -> bool:
        return self.status == "fail"

    def to_dict(self) -> dict[str, Any]:
        return {"check": self.name, "subject": self.subject, "status": self.status,
                "ok": self.status != "fail", "reason": self.reason, "details": self.details}


def passed(name: str, subject: str, reason: str, **details: Any) -> Check:
    return Check(name, subject, "pass", reason, details)


def failed(name: str, subject: str, reason: str, **details: Any) -> Check:
    return Check(name, subject, "fail", reason, details)


def skipped(name: str, subject: str, reason: str, **details: Any) -> Check:
    return Check(name, subject, "skip", reason, details)


@dataclass
class LineageReport:
    """Every check of one token's (or calculation's) lineage."""

    lot_id: str
    calculation_id: str
    checks: list[Check] = field(default_factory=list)
    tampered: list[TamperedReading] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when no check failed (skipped checks do not fail a lineage)."""
        return not any(c.failed for c in self.checks)

    def failures(self) -> list[Check]:
        return [c for c in self.checks if c.failed]

    def summary(self) -> dict[str, int]:
        counts = {"pass": 0, "fail": 0, "skip": 0}
        for c in self.checks:
            counts[c.status] += 1
        return counts

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok, "lot_id": self.lot_id, "calculation_id": self.calculation_id,
            "summary": self.summary(), "checks": [c.to_dict() for c in self.checks],
            "tampered_readings": [t.to_dict() for t in self.tampered],
        }
