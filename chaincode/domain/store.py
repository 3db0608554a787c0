"""The world-state interface the domain code is written against.

Domain operations take a `Store`, never a Fabric stub, so the same code runs in
chaincode (through `envalue.chaincode.runtime.stub_store.StubStore`) and in
off-ledger dry runs and unit tests (over an in-memory store). Calls are async
because the chaincode side is a round trip to the peer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Protocol

__all__ = ["COMPOSITE_KEY_NAMESPACE", "Store", "composite_key"]

#: First character of every composite key (Fabric's convention).
COMPOSITE_KEY_NAMESPACE = "\x00"
_SEPARATOR = "\x00"


class Store(Protocol):
    """Key-value world state of one transaction."""

    async def get(self, key: str) -> bytes | None:
        """The value of `key`, or None when it does not exist."""
        ...

    async def put(self, key: str, value: bytes) -> None:
        """Write `key` (visible to the ledger after commit, not to later reads here)."""
        ...

    async def delete(self, key: str) -> None:
        """Delete `key`."""
        ...

    def scan(self, object_type: str, *attributes: str) -> AsyncIterator[tuple[str, bytes]]:
        """Every (key, value) whose composite key starts with `object_type` and `attributes`,
        in key order, as committed before this transaction (Fabric range queries do not
        see the transaction's own writes)."""
        ...


def composite_key(object_type: str, *attributes: str) -> str:
    """Fabric composite key: namespace, type and attributes, each ended by U+0000.

    Same bytes as the shims' CreateCompositeKey, so keys written here can be
    range-queried by partial composite key.
    """
    for part in (object_type, *attributes):
        if not part:
            raise ValueError("composite key parts must be non-empty strings")
        if _SEPARATOR in part:
            raise ValueError("composite key parts must not contain U+0000")
    return COMPOSITE_KEY_NAMESPACE + "".join(p + _SEPARATOR for p in (object_type, *attributes))
