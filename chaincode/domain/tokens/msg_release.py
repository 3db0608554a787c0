"""MsgRelease: close an open escrow, back to the owner or settled to the counterparty.

Who may close it, and how (a pending trade protects both sides):

- ``settle`` (units go to the counterparty's tradable holding): the owner, at any time
  while the escrow is open — the owner confirms the trade;
- ``release`` (units return to the owner's tradable balance): the counterparty at any time
  (it declines the trade), or the owner once ``expires_at`` has passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ForbiddenError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key

from .ledger import TokenLedger
from .rules import require_id
from .state import ESCROW, Escrow, holding_label, load

__all__ = ["ACTIONS", "MsgRelease", "apply", "validate"]

ACTIONS = ("release", "settle")
#: Escrows opened by a hash time lock (bridge HTLC) close only through htlc_claim/refund,
#: so the lock's record can never disagree with its escrow.
HTLC_ESCROW_PREFIX = "htlc."


@dataclass(frozen=True)
class MsgRelease:
    escrow_id: str
    action: str = "release"


def validate(msg: MsgRelease) -> None:
    require_id(msg.escrow_id, "escrow_id")
    if msg.escrow_id.startswith(HTLC_ESCROW_PREFIX):
        raise ValidationError("escrow_id", msg.escrow_id, "htlc-escrow",
                              "a hash time lock's escrow closes only by htlc_claim (with the "
                              "secret) or htlc_refund (after expiry)")
    if msg.action not in ACTIONS:
        raise ValidationError("action", msg.action, "enum",
                              f"{msg.action!r} is not one of {', '.join(ACTIONS)}")


def _authorise(ctx: TxContext, escrow: Escrow, action: str) -> None:
    who = ctx.owner_key
    label = f"escrow {escrow.escrow_id} of holding {holding_label(escrow.lot_id, escrow.owner)}"
    if action == "settle":
        if who != escrow.owner:
            raise ForbiddenError("actor", who, "owner-only",
                                 f"{who} may not settle {label}: only its owner settles")
        return
    if who == escrow.counterparty:
        return
    if who != escrow.owner:
        raise ForbiddenError("actor", who, "owner-or-counterparty",
                             f"{who} may not release {label}: only its owner (after expiry) "
                             "or its counterparty releases")
    if ctx.timestamp < datetime.fromisoformat(escrow.expires_at):
        raise ConflictError("escrow_id", escrow.escrow_id, "not-expired",
                            f"{label} expires at {escrow.expires_at}; before then only the "
                            "counterparty can release it")


async def apply(store: Store, ctx: TxContext, msg: MsgRelease) -> list[DomainEvent]:
    validate(msg)
    ledger = TokenLedger(store, ctx)
    escrow = await load(ledger.store, Escrow, composite_key(ESCROW, msg.escrow_id),
                        "escrow_id", msg.escrow_id)
    if escrow.status != "open":
        raise ConflictError("escrow_id", msg.escrow_id, "open",
                            f"escrow {msg.escrow_id!r} is already {escrow.status}")
    _authorise(ctx, escrow, msg.action)
    quantity = escrow.quantity_kg
    holding = await ledger.holding(escrow.lot_id, escrow.owner)
    supply = await ledger.supply(escrow.lot_id)
    holding.move("escrowed", "tradable" if msg.action == "release" else None, quantity)
    supply.move("escrowed", "tradable", quantity)
    await ledger.save_holding(holding)
    await ledger.save(supply)
    if msg.action == "release":
        await ledger.record(holding, "escrow-release",
                            {"escrowed": -quantity, "tradable": quantity},
                            counterparty=escrow.counterparty, reference=escrow.escrow_id)
    else:
        await ledger.record(holding, "escrow-settle-out", {"escrowed": -quantity},
                            counterparty=escrow.counterparty, reference=escrow.escrow_id)
        buyer = await ledger.holding(escrow.lot_id, escrow.counterparty)
        buyer.move(None, "tradable", quantity)
        await ledger.save_holding(buyer)
        await ledger.record(buyer, "escrow-settle-in", {"tradable": quantity},
                            counterparty=escrow.owner, reference=escrow.escrow_id)
    escrow.status = "released" if msg.action == "release" else "settled"
    escrow.closed_at, escrow.closed_tx, escrow.closed_by = ledger.when, ctx.tx_id, ctx.owner_key
    await ledger.save(escrow)
    return [DomainEvent("EventRelease" if msg.action == "release" else "EventSettle", {
        "escrow_id": escrow.escrow_id,
        "lot_id": escrow.lot_id,
        "owner": escrow.owner,
        "counterparty": escrow.counterparty,
        "quantity_kg": quantity,
    })]
