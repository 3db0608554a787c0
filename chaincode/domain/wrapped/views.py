"""The views the partner's peers endorse for the source network (EVALUATE functions)."""

from __future__ import annotations

from envalue.chaincode.domain.proofs.view import (
    KIND_BURN,
    KIND_ORIGIN,
    KIND_RETIREMENT,
    encode_view,
)
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import load

from .state import (
    BURN,
    ORIGIN,
    RETIREMENT,
    Burn,
    OriginEntry,
    WrappedRetirement,
    load_config,
)

__all__ = ["burn_view", "origin_view", "retirement_view"]


async def origin_view(store: Store, source_network: str, pledge_id: str) -> bytes:
    """The origin-index entry of a pledge (NotFoundError while it has none)."""
    config = await load_config(store)
    entry = await load(store, OriginEntry, composite_key(ORIGIN, source_network, pledge_id),
                       "pledge_id", pledge_id)
    return encode_view(KIND_ORIGIN, config.network_id, f"{source_network}/{pledge_id}",
                       entry.to_dict())


async def burn_view(store: Store, burn_id: str) -> bytes:
    config = await load_config(store)
    burn = await load(store, Burn, composite_key(BURN, burn_id), "burn_id", burn_id)
    return encode_view(KIND_BURN, config.network_id, burn_id, burn.to_dict())


async def retirement_view(store: Store, retirement_id: str) -> bytes:
    config = await load_config(store)
    record = await load(store, WrappedRetirement, composite_key(RETIREMENT, retirement_id),
                        "retirement_id", retirement_id)
    return encode_view(KIND_RETIREMENT, config.network_id, retirement_id, record.to_dict())
