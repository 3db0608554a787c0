"""The off-chain side of a batch: its stored reading rows turned back into Merkle leaves.

Why its own module: both the inclusion proofs and the lineage check start from "what the
store says now" and must treat a row that was edited into nonsense (a value that is not
a number, a timestamp without offset) as evidence to report, not as a crash. Every row is
re-encoded with the chaincode's canonical encoding (`merkle.encode_reading`), so a row
whose meaning is unchanged (``1.50`` for ``1.5``) gives the same leaf.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from envalue.chaincode.domain.merkle import (
    EMPTY_ROOT,
    decimal_text,
    encode_reading,
    leaf_hash,
    node_hash,
)
from envalue.ingest.store import IngestStore

__all__ = ["OffChainBatch", "StoredReading", "load_batch", "root_of_leaf_hashes"]


@dataclass(frozen=True)
class StoredReading:
    """One reading row as stored, with its canonical leaf (None when it has none)."""

    row_id: int
    leaf_index: int
    device_id: str
    timestamp: str
    quantity: str
    value: str
    unit: str
    kind: str
    upload_id: int
    leaf: bytes | None
    problem: str = ""

    @property
    def leaf_hash(self) -> bytes | None:
        return None if self.leaf is None else leaf_hash(self.leaf)

    @property
    def decimal(self) -> Decimal | None:
        """The value as an exact finite Decimal, or None when the text is not one."""
        try:
            value = Decimal(self.value)
        except (InvalidOperation, ValueError):
            return None
        return value if value.is_finite() else None

    def leaf_with_value(self, value: Decimal) -> bytes | None:
        """The leaf this row would have with `value` (to test a candidate original)."""
        try:
            return encode_reading(_timestamp(self.timestamp), self.device_id, self.quantity,
                                  value, self.unit, self.kind)
        except ValueError:
            return None

    def to_dict(self) -> dict[str, Any]:
        return {"row_id": self.row_id, "leaf_index": self.leaf_index,
                "device_id": self.device_id, "timestamp": self.timestamp,
                "quantity": self.quantity, "value": self.value, "unit": self.unit,
                "kind": self.kind}


@dataclass
class OffChainBatch:
    """What the store holds for one batch id: its row, readings and recorded leaf hashes."""

    batch_id: str
    record: dict[str, Any] | None
    readings: list[StoredReading] = field(default_factory=list)
    recorded: dict[int, str] = field(default_factory=dict)

    @property
    def found(self) -> bool:
        return self.record is not None or bool(self.readings)

    def leaves(self) -> list[bytes]:
        """The canonical leaves of the encodable rows, in Merkle order (sorted bytewise)."""
        return sorted(r.leaf for r in self.readings if r.leaf is not None)


def _timestamp(text: str) -> datetime:
    ts = datetime.fromisoformat(text)
    if ts.tzinfo is None:
        raise ValueError(f"timestamp {text!r} has no UTC offset")
    return ts


def _encode(row: dict[str, Any]) -> tuple[bytes | None, str]:
    try:
        value = Decimal(str(row["value"]))
    except (InvalidOperation, ValueError):
        return None, f"value {row['value']!r} is not a decimal number"
    try:
        return encode_reading(_timestamp(str(row["ts"])), str(row["device_id"]),
                              str(row["quantity"]), value, str(row["unit"]),
                              str(row["kind"])), ""
    except (ValueError, TypeError) as exc:
        return None, str(exc)


def _reading(row: dict[str, Any]) -> StoredReading:
    leaf, problem = _encode(row)
    value = row["value"]
    try:
        shown = decimal_text(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        shown = str(value)
    return StoredReading(
        row_id=int(row["id"]), leaf_index=int(row["leaf_index"]),
        device_id=str(row["device_id"]), timestamp=str(row["ts"]),
        quantity=str(row["quantity"]), value=shown, unit=str(row["unit"]),
        kind=str(row["kind"]), upload_id=int(row["upload_id"]), leaf=leaf, problem=problem,
    )


def load_batch(store: IngestStore, batch_id: str) -> OffChainBatch:
    """Read batch `batch_id` from the off-chain store (rows as stored, never trusted)."""
    return OffChainBatch(
        batch_id=batch_id, record=store.batch_of(batch_id),
        readings=[_reading(r) for r in store.raw_readings_of(batch_id)],
        recorded=store.leaf_hashes_of(batch_id),
    )


def root_of_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """The Merkle root over already-hashed leaves (same rules as `merkle.MerkleTree`)."""
    level = list(hashes)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
        if len(level) % 2:
            nxt.append(level[-1])
        level = nxt
    return level[0]
