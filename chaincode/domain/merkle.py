"""Merkle commitments over operation-data readings.

Why: a measurement batch is anchored on the ledger as one 32-byte root; anyone holding a
reading and its proof can show, offline, that it is part of the anchored batch. The
chaincode and `envalue verify` must compute byte-identical results, so this module is pure
(standard library only, no Fabric imports) and the encodings below are the contract.

Canonical reading bytes (`encode_reading`), UTF-8, fields joined by ``|``::

    timestamp|device_id|quantity|value|unit|kind

- ``timestamp``: the interval end in UTC, fixed width ``YYYY-MM-DDTHH:MM:SS.ffffffZ``
  (always six fractional digits), so byte order equals time order;
- ``device_id``, ``quantity``: NFC-normalised text without ``|`` or control characters;
- ``value``: the exact decimal in the quantity's canonical unit, plain notation (no
  exponent), no trailing fractional zeros, no ``+`` sign, ``-0`` written ``0``
  (``Decimal("1500E-3")`` → ``1.5``, ``Decimal("1.2E+3")`` → ``1200``);
- ``unit``: the canonical unit symbol (``kWh``, ``GJ``, ``L``, ``Nm3``, ``m3``, ``kg``);
- ``kind``: ``interval`` or ``cumulative``.

Tree (identical to the Merkle Tree Hash of RFC 6962 §2.1, also RFC 9162 §2.1.1):

- leaf hash ``SHA-256(0x00 || leaf_bytes)``, node hash ``SHA-256(0x01 || left || right)``;
  the distinct prefixes stop a node being passed off as a leaf (second-preimage);
- odd-node rule: built bottom-up, a level with an odd number of nodes promotes its last
  node unchanged to the next level (it is never duplicated, which would let two different
  leaf lists share a root, cf. CVE-2012-2459); this equals RFC 6962's split at the largest
  power of two below n;
- the root of zero leaves is ``SHA-256(b"")``; the root of one leaf is its leaf hash.

A proof is the list of sibling hashes from the leaf up to the root, each marked with the
side the sibling is on; promoted levels contribute no step.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from functools import lru_cache
from itertools import accumulate
from operator import itemgetter

__all__ = [
    "LEAF_PREFIX",
    "NODE_PREFIX",
    "EMPTY_ROOT",
    "ProofStep",
    "MerkleTree",
    "decimal_text",
    "encode_reading",
    "format_timestamp",
    "leaf_hash",
    "leaf_hashes",
    "merkle_root",
    "merkle_root_of_leaves",
    "merkle_roots_of_segments",
    "node_hash",
    "text_problem",
    "verify",
]

LEAF_PREFIX = b"\x00"
NODE_PREFIX = b"\x01"
EMPTY_ROOT = hashlib.sha256(b"").digest()
_KINDS = ("interval", "cumulative")


def leaf_hash(leaf: bytes) -> bytes:
    """Hash of one leaf's canonical bytes, domain-separated with 0x00."""
    return hashlib.sha256(LEAF_PREFIX + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    """Hash of an inner node from its children's hashes, domain-separated with 0x01."""
    return hashlib.sha256(NODE_PREFIX + left + right).digest()


def format_timestamp(ts: datetime) -> str:
    """UTC, fixed width: ``YYYY-MM-DDTHH:MM:SS.ffffffZ``. Naive datetimes are refused."""
    if ts.tzinfo is None or ts.utcoffset() is None:
        raise ValueError(f"timestamp {ts!r} has no UTC offset")
    u = ts.astimezone(UTC)
    # Explicit fields: strftime's %Y does not zero-pad years below 1000 on every platform.
    return (
        f"{u.year:04d}-{u.month:02d}-{u.day:02d}T{u.hour:02d}:{u.minute:02d}:"
        f"{u.second:02d}.{u.microsecond:06d}Z"
    )


def decimal_text(value: Decimal) -> str:
    """The normalised plain decimal string of a finite Decimal (see module docstring)."""
    if not value.is_finite():
        raise ValueError(f"value {value!r} is not a finite number")
    if value.is_zero():
        return "0"
    sign, digits, exponent = value.as_tuple()
    text = "".join(map(str, digits))
    assert isinstance(exponent, int)
    if exponent >= 0:
        text = text + "0" * exponent
    else:
        point = len(text) + exponent
        text = "0." + "0" * -point + text if point <= 0 else text[:point] + "." + text[point:]
        text = text.rstrip("0").rstrip(".")
    return ("-" if sign else "") + text


@lru_cache(maxsize=4096)
def text_problem(value: str) -> str:
    """Why `value` cannot be a text field ("" when it can); cached: ids repeat a lot."""
    if not value:
        return "is empty"
    if "|" in value or any(unicodedata.category(c)[0] == "C" for c in value):
        return "contains '|' or a control character"
    if not unicodedata.is_normalized("NFC", value):
        return "is not NFC-normalised"
    return ""


def _check_text(name: str, value: str) -> str:
    problem = text_problem(value)
    if problem:
        raise ValueError(f"{name} {value!r} {problem}")
    return value


def encode_reading(
    timestamp: datetime,
    device_id: str,
    quantity: str,
    value: Decimal,
    unit: str,
    kind: str = "interval",
) -> bytes:
    """Canonical bytes of one reading, the Merkle leaf (encoding in the module docstring)."""
    if kind not in _KINDS:
        raise ValueError(f"kind {kind!r} is not one of {_KINDS}")
    fields = (
        format_timestamp(timestamp),
        _check_text("device_id", device_id),
        _check_text("quantity", quantity),
        decimal_text(value),
        _check_text("unit", unit),
        kind,
    )
    return "|".join(fields).encode("utf-8")


@dataclass(frozen=True, slots=True)
class ProofStep:
    """One step of an inclusion proof: the sibling hash and whether it sits on the left."""

    sibling: bytes
    left: bool

    def to_json(self) -> dict[str, object]:
        return {"sibling": self.sibling.hex(), "left": self.left}

    @classmethod
    def from_json(cls, data: dict[str, object]) -> ProofStep:
        return cls(bytes.fromhex(str(data["sibling"])), bool(data["left"]))


class MerkleTree:
    """A Merkle tree over leaf byte strings, keeping every level to answer proofs."""

    def __init__(self, leaves: Sequence[bytes]) -> None:
        level = [leaf_hash(leaf) for leaf in leaves]
        self._levels: list[list[bytes]] = [level]
        while len(level) > 1:
            nxt = [node_hash(level[i], level[i + 1]) for i in range(0, len(level) - 1, 2)]
            if len(level) % 2:
                nxt.append(level[-1])  # odd node promoted unchanged
            self._levels.append(nxt)
            level = nxt

    def __len__(self) -> int:
        return len(self._levels[0])

    @property
    def leaf_digests(self) -> list[bytes]:
        """The leaf hashes, in leaf order (the tree's bottom level)."""
        return self._levels[0]

    @property
    def root(self) -> bytes:
        """The 32-byte root; ``EMPTY_ROOT`` for no leaves."""
        top = self._levels[-1]
        return top[0] if top else EMPTY_ROOT

    def proof(self, index: int) -> list[ProofStep]:
        """The inclusion proof of the leaf at ``index`` (0-based)."""
        if not 0 <= index < len(self):
            raise IndexError(f"leaf index {index} outside 0..{len(self) - 1}")
        steps: list[ProofStep] = []
        for level in self._levels[:-1]:
            sibling = index ^ 1
            if sibling < len(level):
                steps.append(ProofStep(level[sibling], left=sibling < index))
            index //= 2
        return steps


def merkle_root(leaves: Sequence[bytes]) -> bytes:
    """Root of the tree over ``leaves`` (see module docstring for the rules)."""
    return MerkleTree(leaves).root


def leaf_hashes(leaves: Sequence[bytes]) -> list[bytes]:
    """`leaf_hash` of each leaf (one C-level loop; the same bytes)."""
    sha = hashlib.sha256
    return [sha(LEAF_PREFIX + leaf).digest() for leaf in leaves]


def _pair_hashes(left: Sequence[bytes], right: Sequence[bytes]) -> list[bytes]:
    sha = hashlib.sha256
    return [sha(NODE_PREFIX + a + b).digest() for a, b in zip(left, right, strict=True)]


def merkle_root_of_leaves(leaves: Sequence[bytes]) -> bytes:
    """The same root as `merkle_root`, faster: no per-level bookkeeping for proofs."""
    level = leaf_hashes(leaves)
    if not level:
        return EMPTY_ROOT
    while len(level) > 1:
        nxt = _pair_hashes(level[0:-1:2], level[1::2])
        if len(level) % 2:
            nxt.append(level[-1])  # odd node promoted unchanged
        level = nxt
    return level[0]


def merkle_roots_of_segments(hashes: Sequence[bytes], lengths: Sequence[int]) -> list[bytes]:
    """Roots of many trees at once: `hashes` holds the leaf hashes (not the leaves) of
    consecutive trees of `lengths` leaves each (all ≥ 1). Level by level over every tree,
    so small trees cost no Python call per tree; each root equals `merkle_root` of that
    tree's leaves."""
    if any(n < 1 for n in lengths):
        raise ValueError("every tree needs at least one leaf")
    level = list(hashes)
    sizes = list(lengths)
    if sum(sizes) != len(level):
        raise ValueError("lengths do not add up to the number of hashes")
    while any(n > 1 for n in sizes):
        lefts: list[int] = []
        plan: list[int] = []  # per new node: index of a left child, or -1 - promoted index
        for start, n in zip(accumulate([0, *sizes[:-1]]), sizes, strict=True):
            pairs = range(start, start + n - 1, 2)
            plan.extend(range(len(lefts), len(lefts) + len(pairs)))
            lefts.extend(pairs)
            if n % 2:
                plan.append(-1 - (start + n - 1))
        if len(lefts) == 1:
            left, right = [level[lefts[0]]], [level[lefts[0] + 1]]
        else:
            left = list(itemgetter(*lefts)(level))
            right = list(itemgetter(*[i + 1 for i in lefts])(level))
        paired = _pair_hashes(left, right)
        level = [paired[p] if p >= 0 else level[-1 - p] for p in plan]
        sizes = [(n + 1) // 2 for n in sizes]
    return level


def verify(leaf: bytes, proof: Sequence[ProofStep], root: bytes) -> bool:
    """True when ``leaf`` (canonical bytes, not its hash) is included under ``root``."""
    current = leaf_hash(leaf)
    for step in proof:
        if len(step.sibling) != 32:
            return False
        current = node_hash(step.sibling, current) if step.left else node_hash(
            current, step.sibling
        )
    return current == root

