"""MsgConfigure (partner): set this ledger's network id once (role ``operator``;
`envalue.chaincode.domain.proofs.msg_configure`)."""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.proofs.msg_configure import MsgConfigure, configure, validate
from envalue.chaincode.domain.store import Store

from .access import require_partner_operator
from .state import PartnerConfig

__all__ = ["MsgConfigure", "apply", "validate"]


async def apply(store: Store, ctx: TxContext, msg: MsgConfigure) -> list[DomainEvent]:
    require_partner_operator(ctx, "configure the wrapped ledger")
    validate(msg)
    if not await configure(store, ctx, PartnerConfig, msg, "the ledger is configured as"):
        return []
    return [DomainEvent("EventConfigureWrapped", {"network_id": msg.network_id})]
