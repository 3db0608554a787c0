"""MsgConfigure: set this network's bridge id (once), by the Platform operator.

Every view envalue's peers sign names this id; the partner refuses views from any other
id, so it must never change while pledges exist: a second configuration with another
id is refused, the same id again is a no-op.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.access import require_platform_operator
from envalue.chaincode.domain.tokens.rules import require_id
from envalue.chaincode.domain.tokens.state import load_or_none, save

from .state import CONFIG, BridgeConfig

__all__ = ["MsgConfigure", "apply", "validate"]


@dataclass(frozen=True)
class MsgConfigure:
    network_id: str


def validate(msg: MsgConfigure) -> None:
    require_id(msg.network_id, "network_id")


async def apply(store: Store, ctx: TxContext, msg: MsgConfigure) -> list[DomainEvent]:
    require_platform_operator(ctx, "configure the bridge")
    validate(msg)
    current = await load_or_none(store, BridgeConfig, composite_key(CONFIG, "local"))
    if current is not None:
        if current.network_id == msg.network_id:
            return []
        raise ConflictError("network_id", msg.network_id, "immutable",
                            f"the bridge is configured as {current.network_id!r}")
    await save(store, BridgeConfig(network_id=msg.network_id, configured_by=ctx.owner_key,
                                   configured_at=ctx.timestamp.isoformat(), tx_id=ctx.tx_id))
    return [DomainEvent("EventConfigureBridge", {"network_id": msg.network_id})]
