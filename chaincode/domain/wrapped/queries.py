"""Read-only queries over the wrapped tables."""

from __future__ import annotations

from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import load, load_or_none

from .state import (
    BURN,
    HOLDING,
    ORIGIN,
    RETIREMENT,
    Burn,
    OriginEntry,
    WrappedHolding,
    WrappedRetirement,
)

__all__ = ["burns", "get_holding", "get_origin", "retirements"]


async def get_holding(store: Store, source_network: str, lot_id: str,
                      owner: str) -> WrappedHolding:
    holding = await load_or_none(store, WrappedHolding,
                                 composite_key(HOLDING, source_network, lot_id, owner))
    return holding or WrappedHolding(source_network=source_network, lot_id=lot_id,
                                     owner=owner)


async def get_origin(store: Store, source_network: str, pledge_id: str) -> OriginEntry:
    return await load(store, OriginEntry, composite_key(ORIGIN, source_network, pledge_id),
                      "pledge_id", pledge_id)


async def burns(store: Store) -> list[Burn]:
    return [Burn.from_bytes(raw) async for _, raw in store.scan(BURN)]


async def retirements(store: Store) -> list[WrappedRetirement]:
    return [WrappedRetirement.from_bytes(raw) async for _, raw in store.scan(RETIREMENT)]
