"""An in-memory world state for chaincode unit tests (the only place one is allowed).

It keeps Fabric's transaction semantics that domain code must respect: reads and range
scans see only state committed before the transaction, writes become visible when the
transaction commits, and a transaction that raises leaves no trace.
"""

from __future__ import annotations

import bisect
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager

from envalue.chaincode.domain.store import composite_key


class MemoryTransaction:
    """The `Store` one transaction sees."""

    def __init__(self, ledger: MemoryLedger) -> None:
        self._ledger = ledger
        self.writes: dict[str, bytes | None] = {}

    async def get(self, key: str) -> bytes | None:
        return self._ledger.state.get(key)

    async def put(self, key: str, value: bytes) -> None:
        if not isinstance(value, bytes | bytearray):
            raise TypeError(f"value for {key!r} must be bytes")
        self.writes[key] = bytes(value)

    async def delete(self, key: str) -> None:
        self.writes[key] = None

    async def scan(self, object_type: str, *attributes: str) -> AsyncIterator[tuple[str, bytes]]:
        prefix = composite_key(object_type, *attributes)
        for key in self._ledger.keys_with_prefix(prefix):
            yield key, self._ledger.state[key]


class MemoryLedger:
    """Committed key-value state plus a per-transaction write set."""

    def __init__(self) -> None:
        self.state: dict[str, bytes] = {}
        self.committed_transactions = 0

    def keys_with_prefix(self, prefix: str) -> Iterator[str]:
        keys = sorted(self.state)
        for key in keys[bisect.bisect_left(keys, prefix):]:
            if not key.startswith(prefix):
                break
            yield key

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[MemoryTransaction]:
        """`async with ledger.transaction() as store:`; commits only if the block succeeds."""
        tx = MemoryTransaction(self)
        yield tx
        for key, value in tx.writes.items():
            if value is None:
                self.state.pop(key, None)
            else:
                self.state[key] = value
        self.committed_transactions += 1

    def snapshot(self) -> dict[str, bytes]:
        return dict(self.state)
