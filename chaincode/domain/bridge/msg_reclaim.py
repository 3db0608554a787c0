"""MsgReclaim: after expiry, an unclaimed pledge returns to its owner.

Requires a proof from the target network that its origin index holds the pledge as
``voided`` (``envalue.wrapped.origin/v1``): the partner voids a pledge only after expiry
and only when it was not claimed, and a voided pledge can never be claimed afterwards.
The absence of a claim record is *not* accepted: Fabric transaction timestamps come from
the client, so only a committed void makes "no claim" final. A claimed pledge therefore
can never be reclaimed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.proofs.verify import verify_registered, view_field
from envalue.chaincode.domain.proofs.view import KIND_ORIGIN
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.bridge_hooks import release_units
from envalue.chaincode.domain.tokens.ledger import TokenLedger
from envalue.chaincode.domain.tokens.rules import require_id

from .access import require_relay_or
from .common import require_expired
from .state import PLEDGED, RECLAIMED, load_config, load_pledge

__all__ = ["VOIDED", "MsgReclaim", "apply", "validate"]

VOIDED = "voided"


@dataclass(frozen=True)
class MsgReclaim:
    pledge_id: str
    proof: dict[str, Any]


def validate(msg: MsgReclaim) -> None:
    require_id(msg.pledge_id, "pledge_id")
    if not isinstance(msg.proof, dict):
        raise ValidationError("proof", msg.proof, "object", "must be a proof object")


async def apply(store: Store, ctx: TxContext, msg: MsgReclaim) -> list[DomainEvent]:
    validate(msg)
    ledger = TokenLedger(store, ctx)
    config = await load_config(ledger.store)
    pledge = await load_pledge(ledger.store, msg.pledge_id)
    if pledge.status != PLEDGED:
        raise ConflictError("pledge_id", msg.pledge_id, "pledged",
                            f"pledge {msg.pledge_id!r} is already {pledge.status}")
    require_relay_or(ctx, pledge.owner, "reclaim a pledge")
    require_expired(pledge.expires_at, ctx, "pledge_id", f"pledge {msg.pledge_id!r}")
    view = await verify_registered(ledger.store, pledge.target_network, msg.proof,
                                   kind=KIND_ORIGIN, at=ctx.timestamp)
    checks = {
        "source_network": config.network_id,
        "pledge_id": pledge.pledge_id,
        "quantity_kg": pledge.quantity_kg,
        "lot_id": pledge.lot_id,
    }
    for name, expected in checks.items():
        value = view_field(view, name, type(expected))
        if value != expected:
            raise ValidationError(f"proof.view.record.{name}", value, "proof-content",
                                  f"view says {value!r}, the pledge {expected!r}")
    status = view_field(view, "status", str)
    if status != VOIDED:
        raise ConflictError("proof.view.record.status", status, "not-voided",
                            f"pledge {msg.pledge_id!r} is {status} on "
                            f"{pledge.target_network!r}, not voided")
    await release_units(ledger, pledge.lot_id, pledge.target_network, pledge.owner,
                        pledge.quantity_kg, pledge.pledge_id, "bridge-reclaim")
    pledge.status = RECLAIMED
    pledge.closed_at, pledge.closed_tx, pledge.closed_by = ledger.when, ctx.tx_id, ctx.owner_key
    await ledger.save(pledge)
    return [DomainEvent("EventReclaim", {
        "pledge_id": pledge.pledge_id, "lot_id": pledge.lot_id, "owner": pledge.owner,
        "quantity_kg": pledge.quantity_kg, "target_network": pledge.target_network,
    })]
