"""MsgConfigure (partner): set this ledger's network id once (role ``operator``)."""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.rules import require_id
from envalue.chaincode.domain.tokens.state import load_or_none, save

from .access import require_partner_operator
from .state import CONFIG, PartnerConfig

__all__ = ["MsgConfigure", "apply", "validate"]


@dataclass(frozen=True)
class MsgConfigure:
    network_id: str


def validate(msg: MsgConfigure) -> None:
    require_id(msg.network_id, "network_id")


async def apply(store: Store, ctx: TxContext, msg: MsgConfigure) -> list[DomainEvent]:
    require_partner_operator(ctx, "configure the wrapped ledger")
    validate(msg)
    current = await load_or_none(store, PartnerConfig, composite_key(CONFIG, "local"))
    if current is not None:
        if current.network_id == msg.network_id:
            return []
        raise ConflictError("network_id", msg.network_id, "immutable",
                            f"the ledger is configured as {current.network_id!r}")
    await save(store, PartnerConfig(network_id=msg.network_id, configured_by=ctx.owner_key,
                                    configured_at=ctx.timestamp.isoformat(), tx_id=ctx.tx_id))
    return [DomainEvent("EventConfigureWrapped", {"network_id": msg.network_id})]
