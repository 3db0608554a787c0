"""Merkle inclusion proofs for single readings against their anchored batch root.

Why: the ledger holds one root per batch, never the readings. Anyone holding one reading
and its proof can check offline that the reading is part of what the edge device signed
and the platform anchored. The proof is built from the off-chain store (which is not
trusted); whether it holds is decided only by `verify_inclusion` against the root taken
from the ledger, so a proof built from an edited row simply fails.

Leaf order is the Merkle order of `envalue.ingest.batch`: canonical leaves sorted
bytewise (= by timestamp, then quantity); ``index`` is the position in that order.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from envalue.chaincode.domain.merkle import MerkleTree, ProofStep, format_timestamp, verify
from envalue.ingest.store import IngestStore

from .leaves import OffChainBatch, StoredReading, load_batch

__all__ = ["InclusionProof", "ProofError", "proof_from_batch", "reading_proof",
           "verify_inclusion"]


class ProofError(LookupError):
    """No proof can be built: unknown batch, index out of range, no matching reading."""


@dataclass(frozen=True)
class InclusionProof:
    """One reading's leaf bytes, its path to the root, and the root it leads to."""

    batch_id: str
    leaf_index: int
    leaf: bytes
    steps: tuple[ProofStep, ...]
    root: bytes
    reading: dict[str, Any]

    def to_dict(self) -> dict[str, Any]:
        return {
            "batch_id": self.batch_id, "leaf_index": self.leaf_index,
            "leaf": self.leaf.decode("utf-8"), "leaf_hex": self.leaf.hex(),
            "steps": [s.to_json() for s in self.steps], "root": self.root.hex(),
            "reading": dict(self.reading),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> InclusionProof:
        return cls(
            batch_id=str(data["batch_id"]), leaf_index=int(data["leaf_index"]),
            leaf=bytes.fromhex(str(data["leaf_hex"])),
            steps=tuple(ProofStep.from_json(s) for s in data["steps"]),
            root=bytes.fromhex(str(data["root"])), reading=dict(data.get("reading", {})),
        )


def _root_bytes(root: bytes | str) -> bytes:
    if isinstance(root, bytes):
        return root
    try:
        return bytes.fromhex(root)
    except ValueError:
        return b""


def verify_inclusion(proof: InclusionProof, anchored_root: bytes | str) -> bool:
    """True when the proof's leaf is included under `anchored_root` (bytes or hex).

    Only the anchored root counts: the proof's own `root` is what the store implied.
    """
    root = _root_bytes(anchored_root)
    return len(root) == 32 and verify(proof.leaf, proof.steps, root)


def _select(batch: OffChainBatch, timestamp: datetime | str, quantity: str) -> bytes:
    ts = timestamp if isinstance(timestamp, str) else format_timestamp(timestamp)
    matches = [r for r in batch.readings
               if r.leaf is not None and r.quantity == quantity and r.timestamp == ts]
    if len(matches) != 1:
        raise ProofError(f"batch {batch.batch_id} has {len(matches)} readings of {quantity} "
                         f"at {ts}; expected exactly one")
    assert matches[0].leaf is not None
    return matches[0].leaf


def proof_from_batch(
    batch: OffChainBatch, index: int | None = None, *,
    timestamp: datetime | str | None = None, quantity: str | None = None,
) -> InclusionProof:
    """The proof of one reading of an already loaded batch (see `reading_proof`)."""
    if not batch.found:
        raise ProofError(f"batch {batch.batch_id} is not in the off-chain store")
    leaves = batch.leaves()
    if index is None:
        if timestamp is None or quantity is None:
            raise ProofError("give a leaf index, or a timestamp and a quantity")
        index = leaves.index(_select(batch, timestamp, quantity))
    if not 0 <= index < len(leaves):
        raise ProofError(f"leaf index {index} outside 0..{len(leaves) - 1} "
                         f"of batch {batch.batch_id}")
    tree = MerkleTree(leaves)
    leaf = leaves[index]
    row: StoredReading = next(r for r in batch.readings if r.leaf == leaf)
    return InclusionProof(batch.batch_id, index, leaf, tuple(tree.proof(index)), tree.root,
                          row.to_dict())


def reading_proof(
    store: IngestStore, batch_id: str, index: int | None = None, *,
    timestamp: datetime | str | None = None, quantity: str | None = None,
) -> InclusionProof:
    """The inclusion proof of reading `index` (Merkle order) of `batch_id`, or of the
    reading of `quantity` at `timestamp`; built from the store's rows as they are now."""
    return proof_from_batch(load_batch(store, batch_id), index, timestamp=timestamp,
                            quantity=quantity)
