"""MsgEscrow: set tradable units aside for a named counterparty until an expiry.

Escrowed units stay in the owner's holding (state ``escrowed``) and cannot be moved,
retired or bundled until the escrow is released or settled (`msg_release`).
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key

from .access import require_owner
from .ledger import TokenLedger, require_available
from .rules import require_id, require_owner_key, require_positive_int, require_timestamp
from .state import ESCROW, Escrow

__all__ = ["MsgEscrow", "apply", "validate"]


@dataclass(frozen=True)
class MsgEscrow:
    escrow_id: str
    owner: str
    lot_id: str
    counterparty: str
    quantity_kg: int
    expires_at: str


def validate(msg: MsgEscrow) -> None:
    require_id(msg.escrow_id, "escrow_id")
    require_owner_key(msg.owner, "owner")
    require_id(msg.lot_id, "lot_id")
    require_owner_key(msg.counterparty, "counterparty")
    if msg.counterparty == msg.owner:
        raise ValidationError("counterparty", msg.counterparty, "self-escrow",
                              "the counterparty is the owner itself")
    require_positive_int(msg.quantity_kg, "quantity_kg")
    require_timestamp(msg.expires_at, "expires_at")


async def apply(store: Store, ctx: TxContext, msg: MsgEscrow) -> list[DomainEvent]:
    validate(msg)
    if require_timestamp(msg.expires_at, "expires_at") <= ctx.timestamp:
        raise ValidationError("expires_at", msg.expires_at, "future",
                              f"{msg.expires_at!r} is not after the transaction time "
                              f"{ctx.timestamp.isoformat()}")
    ledger = TokenLedger(store, ctx)
    if await ledger.store.get(composite_key(ESCROW, msg.escrow_id)) is not None:
        raise ConflictError("escrow_id", msg.escrow_id, "unique",
                            f"escrow {msg.escrow_id!r} already exists")
    holding = await ledger.existing_holding(msg.lot_id, msg.owner, "owner")
    require_owner(ctx, msg.owner, holding.label)
    require_available(holding, "tradable", msg.quantity_kg, "quantity_kg")
    supply = await ledger.supply(msg.lot_id)
    holding.move("tradable", "escrowed", msg.quantity_kg)
    supply.move("tradable", "escrowed", msg.quantity_kg)
    await ledger.save_holding(holding)
    await ledger.save(supply)
    await ledger.save(Escrow(
        escrow_id=msg.escrow_id, lot_id=msg.lot_id, owner=msg.owner,
        counterparty=msg.counterparty, quantity_kg=msg.quantity_kg,
        expires_at=msg.expires_at, status="open", opened_at=ledger.when,
        opened_tx=ctx.tx_id,
    ))
    await ledger.record(holding, "escrow", {"tradable": -msg.quantity_kg,
                                            "escrowed": msg.quantity_kg},
                        counterparty=msg.counterparty, reference=msg.escrow_id)
    return [DomainEvent("EventEscrow", {
        "escrow_id": msg.escrow_id,
        "lot_id": msg.lot_id,
        "owner": msg.owner,
        "counterparty": msg.counterparty,
        "quantity_kg": msg.quantity_kg,
        "expires_at": msg.expires_at,
    })]
