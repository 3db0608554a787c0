"""MsgTransfer: move tradable units to other holders, several lots and recipients in one tx.

An item with `retire` set is transfer-and-retire: the units arrive in the recipient's
holding already retired, with a retirement record in the recipient's name (regen's
``Send`` with retirement on receipt). Items are applied in order through one working set,
so two items drawing on the same holding see each other's debit.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store

from .access import require_owner
from .ledger import TokenLedger, require_available
from .msg_retire import RetirementInfo, retire_units, validate_info
from .rules import require_id, require_owner_key, require_positive_int

__all__ = ["MAX_TRANSFER_ITEMS", "MsgTransfer", "TransferItem", "apply", "validate"]

#: Items per transaction: keeps the write set bounded (about 4 keys per item).
MAX_TRANSFER_ITEMS = 500


@dataclass(frozen=True)
class TransferItem:
    lot_id: str
    recipient: str
    quantity_kg: int
    retire: RetirementInfo | None = None


@dataclass(frozen=True)
class MsgTransfer:
    owner: str
    items: tuple[TransferItem, ...]


def validate(msg: MsgTransfer) -> None:
    require_owner_key(msg.owner, "owner")
    if not msg.items:
        raise ValidationError("items", [], "required", "at least one transfer is required")
    if len(msg.items) > MAX_TRANSFER_ITEMS:
        raise ValidationError(
            "items", len(msg.items), "max-items",
            f"{len(msg.items)} transfers exceed the limit of {MAX_TRANSFER_ITEMS} per transaction",
        )
    for i, item in enumerate(msg.items):
        prefix = f"items[{i}]."
        require_id(item.lot_id, f"{prefix}lot_id")
        require_owner_key(item.recipient, f"{prefix}recipient")
        if item.recipient == msg.owner:
            raise ValidationError(
                f"{prefix}recipient", item.recipient, "self-transfer",
                "the recipient is the owner itself",
            )
        require_positive_int(item.quantity_kg, f"{prefix}quantity_kg")
        if item.retire is not None:
            validate_info(item.retire, f"{prefix}retire.")


async def apply(store: Store, ctx: TxContext, msg: MsgTransfer) -> list[DomainEvent]:
    validate(msg)
    ledger = TokenLedger(store, ctx)
    events: list[DomainEvent] = []
    for i, item in enumerate(msg.items):
        prefix = f"items[{i}]."
        sender = await ledger.existing_holding(item.lot_id, msg.owner, "owner")
        require_owner(ctx, msg.owner, sender.label)
        require_available(sender, "tradable", item.quantity_kg, f"{prefix}quantity_kg")
        sender.move("tradable", None, item.quantity_kg)
        await ledger.save_holding(sender)
        await ledger.record(sender, "transfer-out", {"tradable": -item.quantity_kg},
                            counterparty=item.recipient)
        recipient = await ledger.holding(item.lot_id, item.recipient)
        events.append(DomainEvent("EventTransfer", {
            "lot_id": item.lot_id,
            "sender": msg.owner,
            "recipient": item.recipient,
            "quantity_kg": item.quantity_kg,
            "retired": item.retire is not None,
        }))
        if item.retire is None:
            recipient.move(None, "tradable", item.quantity_kg)
            await ledger.save_holding(recipient)
            await ledger.record(recipient, "transfer-in", {"tradable": item.quantity_kg},
                                counterparty=msg.owner)
        else:
            _, event = await retire_units(
                ledger, recipient, item.quantity_kg, item.retire, source="incoming",
                action="transfer-in-retire", counterparty=msg.owner,
            )
            events.append(event)
    return events
