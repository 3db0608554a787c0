"""The views envalue's peers endorse for partner ledgers (contract EVALUATE functions).

A relay runs these as queries on enough envalue peers, collects their endorsements and
hands the proof to the partner (`envalue.chaincode.domain.proofs.builder`).
"""

from __future__ import annotations

from envalue.chaincode.domain.proofs.view import KIND_PLEDGE, encode_view
from envalue.chaincode.domain.store import Store

from .state import load_config, load_pledge

__all__ = ["pledge_view"]


async def pledge_view(store: Store, pledge_id: str) -> bytes:
    """The pledge record as a ``envalue.bridge.pledge/v1`` view of this network."""
    config = await load_config(store)
    pledge = await load_pledge(store, pledge_id)
    return encode_view(KIND_PLEDGE, config.network_id, pledge.pledge_id, pledge.to_dict())
