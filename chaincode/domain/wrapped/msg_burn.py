"""MsgBurn: destroy wrapped units to return the same lot's units home to a named holder.

Only tradable wrapped units of the caller's holding can be burned (never more than it
holds). The `Burn` record is what the bridge proves to the source network
(`views.burn_view`), which releases the units there once. `burn_id` is the request id:
an identical burn re-sent changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.rules import (
    require_id,
    require_owner_key,
    require_positive_int,
)
from envalue.chaincode.domain.tokens.state import load_or_none

from .access import require_owner
from .ledger import WrappedLedger, move
from .state import BURN, Burn

__all__ = ["MsgBurn", "apply", "validate"]


@dataclass(frozen=True)
class MsgBurn:
    burn_id: str
    owner: str
    source_network: str
    lot_id: str
    quantity_kg: int
    home_recipient: str


def validate(msg: MsgBurn) -> None:
    require_id(msg.burn_id, "burn_id")
    require_owner_key(msg.owner, "owner")
    require_id(msg.source_network, "source_network")
    require_id(msg.lot_id, "lot_id")
    require_positive_int(msg.quantity_kg, "quantity_kg")
    require_owner_key(msg.home_recipient, "home_recipient")


async def apply(store: Store, ctx: TxContext, msg: MsgBurn) -> list[DomainEvent]:
    validate(msg)
    ledger = WrappedLedger(store, ctx)
    existing = await load_or_none(ledger.store, Burn, composite_key(BURN, msg.burn_id))
    if existing is not None:
        same = (existing.owner, existing.source_network, existing.lot_id,
                existing.quantity_kg, existing.home_recipient) == (
            msg.owner, msg.source_network, msg.lot_id, msg.quantity_kg, msg.home_recipient)
        if same and ctx.owner_key == existing.owner:
            return []
        raise ConflictError("burn_id", msg.burn_id, "unique",
                            f"burn {msg.burn_id!r} already exists with other terms")
    denom = await ledger.denom(msg.source_network, msg.lot_id)
    holding = await ledger.holding(msg.source_network, msg.lot_id, msg.owner)
    require_owner(ctx, msg.owner, holding.label)
    ledger.take(holding, "tradable", msg.quantity_kg, "quantity_kg", "exceeds-wrapped")
    move(holding, "tradable", None, msg.quantity_kg)
    move(denom, "tradable", "burned", msg.quantity_kg)
    await ledger.save(holding)
    await ledger.save(denom)
    await ledger.save(Burn(
        burn_id=msg.burn_id, source_network=msg.source_network, lot_id=msg.lot_id,
        owner=msg.owner, quantity_kg=msg.quantity_kg, home_recipient=msg.home_recipient,
        burned_at=ledger.when, burn_tx=ctx.tx_id,
    ))
    return [DomainEvent("EventBurn", {
        "burn_id": msg.burn_id, "source_network": msg.source_network, "lot_id": msg.lot_id,
        "owner": msg.owner, "quantity_kg": msg.quantity_kg,
        "home_recipient": msg.home_recipient,
    })]
