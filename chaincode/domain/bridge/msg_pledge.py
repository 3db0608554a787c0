"""MsgPledge: the owner escrows tradable units to the bridge for a partner network.

The units move into the custody holding for `target_network` as ``bridged_out`` and can
no longer be transferred, retired, bundled or cancelled at home. The pledge record keeps
the origin the partner's wrapped units carry: lot, vintage, methodology and the lot's
serial space ``ENV-<lot>-1-<issued>`` (serials of retired units are assigned at home
when a partner retirement is reported). Only tradable units qualify: retired, cancelled,
bundled, escrowed or already bridged units are refused.

`pledge_id` is the request id: re-sending an identical pledge changes nothing (a relay
that crashed after submitting may retry), a different pledge under the same id is a
conflict.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.proofs.state import load_network
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.access import require_owner
from envalue.chaincode.domain.tokens.bridge_hooks import pledge_units
from envalue.chaincode.domain.tokens.ledger import TokenLedger
from envalue.chaincode.domain.tokens.rules import (
    require_id,
    require_owner_key,
    require_positive_int,
    require_timestamp,
)
from envalue.chaincode.domain.tokens.state import load_or_none

from .common import require_future
from .state import PLEDGE, PLEDGED, Pledge, load_config

__all__ = ["MsgPledge", "apply", "validate"]


@dataclass(frozen=True)
class MsgPledge:
    pledge_id: str
    owner: str
    lot_id: str
    quantity_kg: int
    target_network: str
    recipient: str
    expires_at: str


def validate(msg: MsgPledge) -> None:
    require_id(msg.pledge_id, "pledge_id")
    require_owner_key(msg.owner, "owner")
    require_id(msg.lot_id, "lot_id")
    require_positive_int(msg.quantity_kg, "quantity_kg")
    require_id(msg.target_network, "target_network")
    require_owner_key(msg.recipient, "recipient")
    require_timestamp(msg.expires_at, "expires_at")


def _same(pledge: Pledge, msg: MsgPledge) -> bool:
    return (pledge.owner, pledge.lot_id, pledge.quantity_kg, pledge.target_network,
            pledge.recipient, pledge.expires_at) == (
        msg.owner, msg.lot_id, msg.quantity_kg, msg.target_network, msg.recipient,
        msg.expires_at)


async def apply(store: Store, ctx: TxContext, msg: MsgPledge) -> list[DomainEvent]:
    validate(msg)
    ledger = TokenLedger(store, ctx)
    existing = await load_or_none(ledger.store, Pledge, composite_key(PLEDGE, msg.pledge_id))
    if existing is not None:
        if _same(existing, msg) and ctx.owner_key == existing.owner:
            return []
        raise ConflictError("pledge_id", msg.pledge_id, "unique",
                            f"pledge {msg.pledge_id!r} already exists with other terms")
    config = await load_config(ledger.store)
    if msg.target_network == config.network_id:
        raise ValidationError("target_network", msg.target_network, "foreign",
                              "cannot pledge to this network itself")
    await load_network(ledger.store, msg.target_network, "target_network")
    require_future(msg.expires_at, ctx)
    lot = await ledger.lot(msg.lot_id)
    holding = await ledger.existing_holding(msg.lot_id, msg.owner, "owner")
    require_owner(ctx, msg.owner, holding.label)
    await pledge_units(ledger, msg.lot_id, msg.owner, msg.target_network, msg.quantity_kg,
                       msg.pledge_id)
    pledge = Pledge(
        pledge_id=msg.pledge_id, network_id=config.network_id, lot_id=msg.lot_id,
        owner=msg.owner, quantity_kg=msg.quantity_kg, target_network=msg.target_network,
        recipient=msg.recipient, expires_at=msg.expires_at, status=PLEDGED,
        vintage_start=lot.vintage_start, vintage_end=lot.vintage_end,
        methodology=lot.methodology, methodology_version=lot.methodology_version,
        serial_range=f"ENV-{lot.lot_id}-1-{lot.issued_kg}",
        pledged_at=ledger.when, pledge_tx=ctx.tx_id,
    )
    await ledger.save(pledge)
    return [DomainEvent("EventPledge", {
        "pledge_id": pledge.pledge_id, "lot_id": pledge.lot_id, "owner": pledge.owner,
        "quantity_kg": pledge.quantity_kg, "target_network": pledge.target_network,
        "recipient": pledge.recipient, "expires_at": pledge.expires_at,
    })]
