"""`Store` over the chaincode stub: how domain code reaches the peer's world state."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

__all__ = ["StubStore"]


class StubStore:
    """Adapts a chaincode stub (`EnvalueStub` or a test double) to the domain `Store`."""

    def __init__(self, stub: Any) -> None:
        self._stub = stub

    async def get(self, key: str) -> bytes | None:
        value = await self._stub.get_state(key)
        return bytes(value) if value else None

    async def put(self, key: str, value: bytes) -> None:
        await self._stub.put_state(key, value)

    async def delete(self, key: str) -> None:
        await self._stub.delete_state(key)

    async def scan(self, object_type: str, *attributes: str) -> AsyncIterator[tuple[str, bytes]]:
        iterator = await self._stub.get_state_by_partial_composite_key(
            object_type, list(attributes))
        async for record in iterator:
            yield record.key, bytes(record.value)
