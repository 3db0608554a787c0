"""Measurement batches: the readings of one device and one period, committed by a Merkle
root, with an id derived from their content.

Batch id = SHA-256 hex of
``envalue-batch-v1|device_id|period_start|period_end|root|q1=v1 u1;q2=v2 u2…``
(period bounds as UTC fixed-format timestamps, root in hex, totals sorted by quantity as
normalised decimals). The same readings totalled the same way give the same id whatever
file, row order or unit spelling they came in, which makes re-ingesting idempotent; the
same readings totalled differently (another counter capacity) give another id, so the
store refuses it as an overlap. The hash of the raw upload is kept beside it but is not
part of the id.
Leaves are the canonical reading bytes (`envalue.chaincode.domain.merkle`), sorted
bytewise (= by timestamp, then quantity).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from envalue.chaincode.domain.measurement.header import batch_content_id
from envalue.chaincode.domain.merkle import MerkleTree, encode_reading, format_timestamp
from envalue.ingest.decimals import decimal_text
from envalue.ingest.model import QualityCounts, Reading
from envalue.ingest.periods import Period

__all__ = ["MeasurementBatch", "batch_id", "leaves_of"]


def leaves_of(readings: list[Reading]) -> list[bytes]:
    """Canonical leaf bytes of `readings`, in Merkle order."""
    return sorted(
        encode_reading(r.timestamp, r.device_id, r.quantity, r.value, r.unit, r.kind)
        for r in readings
    )


def batch_id(device_id: str, period: Period, root: bytes,
             totals: dict[str, tuple[Decimal, str]]) -> str:
    """Content-derived batch id: the chaincode's definition, so the ledger recomputes it."""
    return batch_content_id(
        device_id, format_timestamp(period.start), format_timestamp(period.end), root.hex(),
        {q: (decimal_text(v), u) for q, (v, u) in totals.items()})


@dataclass(slots=True)
class MeasurementBatch:
    """One device × one period: readings, totals per quantity, quality, commitments."""

    device_id: str
    period: Period
    readings: list[Reading]
    totals: dict[str, tuple[Decimal, str]]  # quantity -> (value, canonical unit)
    quality: QualityCounts
    upload_hash: str
    merkle_root: str = ""
    batch_id: str = ""
    leaves: list[bytes] = field(default_factory=list, repr=False)
    #: SHA-256 leaf hash of each leaf, in leaf order: computed once for the root and kept
    #: so the store records them without hashing every reading a second time.
    leaf_digests: list[bytes] = field(default_factory=list, repr=False, compare=False)

    def __post_init__(self) -> None:
        self.leaves = leaves_of(self.readings)
        tree = MerkleTree(self.leaves)
        self.leaf_digests = tree.leaf_digests
        root = tree.root
        self.merkle_root = root.hex()
        self.batch_id = batch_id(self.device_id, self.period, root, self.totals)

    @property
    def count(self) -> int:
        return len(self.readings)

    def tree(self) -> MerkleTree:
        """The Merkle tree (for proofs of single readings)."""
        return MerkleTree(self.leaves)

    def summary(self) -> dict[str, object]:
        """JSON-ready description (values as decimal strings)."""
        return {
            "batch_id": self.batch_id,
            "device": self.device_id,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(),
            "count": self.count,
            "totals": [
                {"quantity": q, "unit": u, "value": decimal_text(v)}
                for q, (v, u) in sorted(self.totals.items())
            ],
            "quality": self.quality.contract(),
            "merkle_root": self.merkle_root,
            "upload_hash": self.upload_hash,
        }
