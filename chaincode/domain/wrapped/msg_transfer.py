"""MsgTransfer (wrapped): move tradable wrapped units to another holder on this ledger."""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.rules import (
    require_id,
    require_owner_key,
    require_positive_int,
)

from .access import require_owner
from .ledger import WrappedLedger, move

__all__ = ["MsgTransfer", "apply", "validate"]


@dataclass(frozen=True)
class MsgTransfer:
    owner: str
    source_network: str
    lot_id: str
    recipient: str
    quantity_kg: int


def validate(msg: MsgTransfer) -> None:
    require_owner_key(msg.owner, "owner")
    require_id(msg.source_network, "source_network")
    require_id(msg.lot_id, "lot_id")
    require_owner_key(msg.recipient, "recipient")
    if msg.recipient == msg.owner:
        raise ValidationError("recipient", msg.recipient, "self-transfer",
                              "the recipient is the owner itself")
    require_positive_int(msg.quantity_kg, "quantity_kg")


async def apply(store: Store, ctx: TxContext, msg: MsgTransfer) -> list[DomainEvent]:
    validate(msg)
    ledger = WrappedLedger(store, ctx)
    await ledger.denom(msg.source_network, msg.lot_id)
    sender = await ledger.holding(msg.source_network, msg.lot_id, msg.owner)
    require_owner(ctx, msg.owner, sender.label)
    ledger.take(sender, "tradable", msg.quantity_kg, "quantity_kg")
    recipient = await ledger.holding(msg.source_network, msg.lot_id, msg.recipient)
    move(sender, "tradable", None, msg.quantity_kg)
    move(recipient, None, "tradable", msg.quantity_kg)
    await ledger.save(sender)
    await ledger.save(recipient)
    return [DomainEvent("EventWrappedTransfer", {
        "source_network": msg.source_network, "lot_id": msg.lot_id, "sender": msg.owner,
        "recipient": msg.recipient, "quantity_kg": msg.quantity_kg,
    })]
