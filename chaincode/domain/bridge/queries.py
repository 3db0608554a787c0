"""Read-only queries over the home bridge tables."""

from __future__ import annotations

from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import load

from .state import HTLC, PLEDGE, RETURN, Htlc, Pledge, ReturnRecord

__all__ = ["get_htlc", "get_pledge", "pledges", "returns"]


async def get_pledge(store: Store, pledge_id: str) -> Pledge:
    return await load(store, Pledge, composite_key(PLEDGE, pledge_id), "pledge_id", pledge_id)


async def get_htlc(store: Store, htlc_id: str) -> Htlc:
    return await load(store, Htlc, composite_key(HTLC, htlc_id), "htlc_id", htlc_id)


async def pledges(store: Store) -> list[Pledge]:
    return [Pledge.from_bytes(raw) async for _, raw in store.scan(PLEDGE)]


async def returns(store: Store, partner_network: str | None = None) -> list[ReturnRecord]:
    attributes = () if partner_network is None else (partner_network,)
    return [ReturnRecord.from_bytes(raw) async for _, raw in store.scan(RETURN, *attributes)]
