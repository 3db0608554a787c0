"""MsgRequestCancel: first half of an administrative cancellation (a correction).

Nothing moves yet: the request records what is to be cancelled and why. The units stay
tradable (the owner is not frozen out); `msg_approve_cancel` re-checks availability.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key

from .cancel_rules import authority_of
from .ledger import TokenLedger, require_available
from .rules import require_id, require_owner_key, require_positive_int, require_text
from .state import CANCEL, CancelRequest

__all__ = ["MsgRequestCancel", "apply", "validate"]


@dataclass(frozen=True)
class MsgRequestCancel:
    request_id: str
    lot_id: str
    owner: str
    quantity_kg: int
    reason: str


def validate(msg: MsgRequestCancel) -> None:
    require_id(msg.request_id, "request_id")
    require_id(msg.lot_id, "lot_id")
    require_owner_key(msg.owner, "owner")
    require_positive_int(msg.quantity_kg, "quantity_kg")
    require_text(msg.reason, "reason")


async def apply(store: Store, ctx: TxContext, msg: MsgRequestCancel) -> list[DomainEvent]:
    authority = authority_of(ctx, "request a cancellation")
    validate(msg)
    ledger = TokenLedger(store, ctx)
    if await ledger.store.get(composite_key(CANCEL, msg.request_id)) is not None:
        raise ConflictError("request_id", msg.request_id, "unique",
                            f"cancel request {msg.request_id!r} already exists")
    holding = await ledger.existing_holding(msg.lot_id, msg.owner, "owner")
    require_available(holding, "tradable", msg.quantity_kg, "quantity_kg")
    await ledger.save(CancelRequest(
        request_id=msg.request_id, lot_id=msg.lot_id, owner=msg.owner,
        quantity_kg=msg.quantity_kg, reason=msg.reason, requested_by=ctx.owner_key,
        requested_role=authority, requested_at=ledger.when, request_tx=ctx.tx_id,
    ))
    return [DomainEvent("EventCancelRequested", {
        "request_id": msg.request_id,
        "lot_id": msg.lot_id,
        "owner": msg.owner,
        "quantity_kg": msg.quantity_kg,
        "requested_by": ctx.owner_key,
        "authority": authority,
    })]
