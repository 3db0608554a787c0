"""MsgApproveCancel: second half of a cancellation; moves tradable units to ``cancelled``.

The approver must hold the authority the requester did not (see `cancel_rules`) and be a
different identity. Cancelled units never move again.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ForbiddenError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key

from .cancel_rules import authority_of
from .ledger import TokenLedger, require_available
from .rules import require_id
from .state import CANCEL, CancelRequest, load

__all__ = ["MsgApproveCancel", "apply", "validate"]


@dataclass(frozen=True)
class MsgApproveCancel:
    request_id: str


def validate(msg: MsgApproveCancel) -> None:
    require_id(msg.request_id, "request_id")


async def apply(store: Store, ctx: TxContext, msg: MsgApproveCancel) -> list[DomainEvent]:
    validate(msg)
    authority = authority_of(ctx, "approve a cancellation")
    ledger = TokenLedger(store, ctx)
    request = await load(ledger.store, CancelRequest, composite_key(CANCEL, msg.request_id),
                         "request_id", msg.request_id)
    if request.status != "pending":
        raise ConflictError("request_id", msg.request_id, "pending",
                            f"cancel request {msg.request_id!r} is already {request.status}")
    if ctx.owner_key == request.requested_by:
        raise ForbiddenError("actor", ctx.owner_key, "four-eyes",
                             f"{ctx.owner_key} requested cancellation {msg.request_id!r} and "
                             "may not also approve it")
    if authority == request.requested_role:
        raise ForbiddenError("actor", ctx.owner_key, "other-authority",
                             f"cancellation {msg.request_id!r} was requested by a {authority}; "
                             f"it needs approval by the other authority, not another {authority}")
    holding = await ledger.existing_holding(request.lot_id, request.owner, "owner")
    require_available(holding, "tradable", request.quantity_kg, "quantity_kg")
    supply = await ledger.supply(request.lot_id)
    holding.move("tradable", "cancelled", request.quantity_kg)
    supply.move("tradable", "cancelled", request.quantity_kg)
    await ledger.save_holding(holding)
    await ledger.save(supply)
    await ledger.record(holding, "cancel", {"tradable": -request.quantity_kg,
                                            "cancelled": request.quantity_kg},
                        reference=request.request_id)
    request.status = "approved"
    request.approved_by, request.approved_at, request.approve_tx = (
        ctx.owner_key, ledger.when, ctx.tx_id)
    await ledger.save(request)
    return [DomainEvent("EventCancel", {
        "request_id": request.request_id,
        "lot_id": request.lot_id,
        "owner": request.owner,
        "quantity_kg": request.quantity_kg,
        "requested_by": request.requested_by,
        "approved_by": ctx.owner_key,
    })]
