"""Read-only queries over the token tables (contract EVALUATE functions and reports)."""

from __future__ import annotations

from envalue.chaincode.domain.store import Store, composite_key

from .state import (
    CANCEL,
    ESCROW,
    HISTORY,
    HOLDING,
    LOT,
    OWNER_INDEX,
    RETIREMENT,
    SUPPLY,
    CancelRequest,
    Escrow,
    HistoryEntry,
    Holding,
    Lot,
    LotSupply,
    Retirement,
    load,
)

__all__ = [
    "get_cancel_request",
    "get_escrow",
    "get_holding",
    "get_lot",
    "get_supply",
    "history",
    "holdings_of_lot",
    "holdings_of_owner",
    "retirements",
]


async def get_lot(store: Store, lot_id: str) -> Lot:
    return await load(store, Lot, composite_key(LOT, lot_id), "lot_id", lot_id)


async def get_supply(store: Store, lot_id: str) -> LotSupply:
    return await load(store, LotSupply, composite_key(SUPPLY, lot_id), "lot_id", lot_id)


async def get_holding(store: Store, lot_id: str, owner: str) -> Holding:
    """The holding (all zeros when the owner never held the lot; the lot must exist)."""
    await get_lot(store, lot_id)
    raw = await store.get(composite_key(HOLDING, lot_id, owner))
    return Holding(lot_id=lot_id, owner=owner) if raw is None else Holding.from_bytes(raw)


async def holdings_of_lot(store: Store, lot_id: str) -> list[Holding]:
    return [Holding.from_bytes(raw) async for _, raw in store.scan(HOLDING, lot_id)]


async def holdings_of_owner(store: Store, owner: str) -> list[Holding]:
    """Every holding `owner` has had, through the owner index."""
    result = []
    async for key, _ in store.scan(OWNER_INDEX, owner):
        lot_id = key.split("\x00")[-2]
        raw = await store.get(composite_key(HOLDING, lot_id, owner))
        if raw is not None:
            result.append(Holding.from_bytes(raw))
    return result


async def history(store: Store, lot_id: str, owner: str | None = None) -> list[HistoryEntry]:
    """History of a lot (all holdings) or of one holding, in time order."""
    attributes = (lot_id,) if owner is None else (lot_id, owner)
    entries = [HistoryEntry.from_bytes(raw) async for _, raw in store.scan(HISTORY, *attributes)]
    return sorted(entries, key=lambda e: (e.when, e.tx_id, e.index))


async def retirements(store: Store, lot_id: str) -> list[Retirement]:
    return [Retirement.from_bytes(raw) async for _, raw in store.scan(RETIREMENT, lot_id)]


async def get_escrow(store: Store, escrow_id: str) -> Escrow:
    return await load(store, Escrow, composite_key(ESCROW, escrow_id), "escrow_id", escrow_id)


async def get_cancel_request(store: Store, request_id: str) -> CancelRequest:
    return await load(store, CancelRequest, composite_key(CANCEL, request_id), "request_id",
                      request_id)
