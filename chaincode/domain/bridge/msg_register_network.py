"""MsgRegisterNetwork (home): the Platform operator registers a partner network's MSP
roots and verification policy (`envalue.chaincode.domain.proofs.msg_register_network`)."""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.proofs.msg_register_network import (
    MsgRegisterNetwork,
    register_foreign,
    validate,
)
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.access import require_platform_operator

from .state import load_config

__all__ = ["MsgRegisterNetwork", "apply", "validate"]


async def apply(store: Store, ctx: TxContext, msg: MsgRegisterNetwork) -> list[DomainEvent]:
    require_platform_operator(ctx, "register a partner network")
    config = await load_config(store)
    return await register_foreign(store, ctx, msg, config.network_id, "partner")
