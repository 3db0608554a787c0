"""MsgConfigure: set this network's bridge id (once), by the Platform operator.

Every view envalue's peers sign names this id; the partner refuses views from any other
id, so it must never change while pledges exist: a second configuration with another
id is refused, the same id again is a no-op
(`envalue.chaincode.domain.proofs.msg_configure`).
"""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.proofs.msg_configure import MsgConfigure, configure, validate
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.access import require_platform_operator

from .state import BridgeConfig

__all__ = ["MsgConfigure", "apply", "validate"]


async def apply(store: Store, ctx: TxContext, msg: MsgConfigure) -> list[DomainEvent]:
    require_platform_operator(ctx, "configure the bridge")
    validate(msg)
    if not await configure(store, ctx, BridgeConfig, msg, "the bridge is configured as"):
        return []
    return [DomainEvent("EventConfigureBridge", {"network_id": msg.network_id})]
