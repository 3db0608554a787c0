"""A transaction's view of its own writes.

Fabric reads return the state committed before the transaction: a batch transfer that
debits one holding twice would, reading the store directly, see the original balance both
times and lose the first debit. Every message handler therefore works through a
`WorkingSet`, which answers `get` from the transaction's own writes first. Writes go
straight through to the underlying store (order preserved); `scan` stays a committed-state
range query, as on the peer.
"""

from __future__ import annotations

from collections.abc import AsyncIterator

from envalue.chaincode.domain.store import Store

__all__ = ["WorkingSet", "working_set"]

_DELETED = None


class WorkingSet:
    """A `Store` whose reads see the writes made through it."""

    def __init__(self, store: Store) -> None:
        self._store = store
        self._written: dict[str, bytes | None] = {}

    @property
    def write_count(self) -> int:
        """Distinct keys written or deleted so far (the transaction's write set size)."""
        return len(self._written)

    async def get(self, key: str) -> bytes | None:
        if key in self._written:
            return self._written[key]
        return await self._store.get(key)

    async def put(self, key: str, value: bytes) -> None:
        self._written[key] = bytes(value)
        await self._store.put(key, value)

    async def delete(self, key: str) -> None:
        self._written[key] = _DELETED
        await self._store.delete(key)

    def scan(self, object_type: str, *attributes: str) -> AsyncIterator[tuple[str, bytes]]:
        return self._store.scan(object_type, *attributes)


def working_set(store: Store) -> WorkingSet:
    """`store` itself when it already is a working set, else a new one over it."""
    return store if isinstance(store, WorkingSet) else WorkingSet(store)
