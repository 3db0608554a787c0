"""MsgTransferCredits: move whole tonnes of a credit batch to another holder."""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, NotFoundError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.access import require_owner
from envalue.chaincode.domain.tokens.rules import (
    require_id,
    require_owner_key,
    require_positive_int,
)
from envalue.chaincode.domain.tokens.state import load_or_none

from .common import CreditLedger
from .state import CREDIT_HOLDING, CreditHolding

__all__ = ["MsgTransferCredits", "apply", "load_credit_holding", "validate"]


@dataclass(frozen=True)
class MsgTransferCredits:
    owner: str
    batch_id: str
    recipient: str
    quantity_t: int


def validate(msg: MsgTransferCredits) -> None:
    require_owner_key(msg.owner, "owner")
    require_id(msg.batch_id, "batch_id")
    require_owner_key(msg.recipient, "recipient")
    if msg.recipient == msg.owner:
        raise ValidationError("recipient", msg.recipient, "self-transfer",
                              "the recipient is the owner itself")
    require_positive_int(msg.quantity_t, "quantity_t", unit="t-CO2")


async def load_credit_holding(ledger: CreditLedger, batch_id: str, owner: str,
                              quantity_t: int, ctx: TxContext) -> CreditHolding:
    """The caller's own holding with at least `quantity_t` tradable tonnes."""
    await ledger.batch(batch_id)
    holding = await load_or_none(ledger.store, CreditHolding,
                                 composite_key(CREDIT_HOLDING, batch_id, owner))
    if holding is None:
        raise NotFoundError("owner", owner, "exists", f"{owner} holds no credits of {batch_id!r}")
    require_owner(ctx, owner, holding.label)
    if holding.tradable_t < quantity_t:
        raise ConflictError("quantity_t", quantity_t, "insufficient-balance",
                            f"credit holding {holding.label} has {holding.tradable_t} t "
                            f"tradable, {quantity_t} t requested")
    return holding


async def apply(store: Store, ctx: TxContext, msg: MsgTransferCredits) -> list[DomainEvent]:
    validate(msg)
    ledger = CreditLedger(store, ctx)
    sender = await load_credit_holding(ledger, msg.batch_id, msg.owner, msg.quantity_t, ctx)
    sender.tradable_t -= msg.quantity_t
    await ledger.save(sender)
    recipient = await load_or_none(ledger.store, CreditHolding,
                                   composite_key(CREDIT_HOLDING, msg.batch_id, msg.recipient))
    recipient = recipient or CreditHolding(batch_id=msg.batch_id, owner=msg.recipient)
    recipient.tradable_t += msg.quantity_t
    await ledger.save(recipient)
    return [DomainEvent("EventTransferCredits", {"batch_id": msg.batch_id,
                                                 "sender": msg.owner,
                                                 "recipient": msg.recipient,
                                                 "quantity_t": msg.quantity_t})]
