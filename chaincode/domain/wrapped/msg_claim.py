"""MsgClaim: mint wrapped units once per pledge, with a proof that it committed at home.

Checks, in order: the pledge view verifies against the source network's registered
roots and policy and targets this ledger in status ``pledged``; the transaction is
before the pledge's expiry; the origin index has no entry for (source network, pledge
id) — neither claimed nor voided. The wrapped units go to the recipient the pledge names
(the caller is the ``bridge`` relay or that recipient). The denomination is created on
first claim with the lot's origin, and later claims of the same lot must agree with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.bridge.access import require_relay_or
from envalue.chaincode.domain.bridge.common import require_not_expired
from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.rules import require_id
from envalue.chaincode.domain.tokens.state import load_or_none

from .ledger import WrappedLedger, move
from .pledge_proof import ProvenPledge, verify_pledge
from .state import CLAIMED, DENOM, ORIGIN, Denom, OriginEntry, load_config

__all__ = ["MsgClaim", "apply", "origin_entry", "require_unrecorded", "validate"]


@dataclass(frozen=True)
class MsgClaim:
    source_network: str
    proof: dict[str, Any]


def validate(msg: MsgClaim) -> None:
    require_id(msg.source_network, "source_network")
    if not isinstance(msg.proof, dict):
        raise ValidationError("proof", msg.proof, "object", "must be a proof object")


async def require_unrecorded(ledger: WrappedLedger, source: str, pledge_id: str) -> None:
    """The origin index must not know the pledge yet (Regen's origin-tx index)."""
    entry = await load_or_none(ledger.store, OriginEntry,
                               composite_key(ORIGIN, source, pledge_id))
    if entry is not None:
        raise ConflictError("proof", pledge_id, f"already-{entry.status}",
                            f"pledge {pledge_id!r} of {source!r} is already {entry.status} "
                            f"(tx {entry.recorded_tx})")


def origin_entry(ledger: WrappedLedger, source: str, pledge: ProvenPledge,
                 status: str) -> OriginEntry:
    return OriginEntry(
        source_network=source, pledge_id=pledge.pledge_id, status=status,
        lot_id=pledge.lot_id, quantity_kg=pledge.quantity_kg, recipient=pledge.recipient,
        pledge_owner=pledge.owner, expires_at=pledge.expires_at,
        proof_sha256=pledge.view.payload_sha256, recorded_at=ledger.when,
        recorded_tx=ledger.ctx.tx_id, recorded_by=ledger.ctx.owner_key,
    )


async def apply(store: Store, ctx: TxContext, msg: MsgClaim) -> list[DomainEvent]:
    validate(msg)
    ledger = WrappedLedger(store, ctx)
    config = await load_config(ledger.store)
    pledge = await verify_pledge(ledger.store, msg.source_network, msg.proof,
                                 local_network=config.network_id, at=ctx.timestamp)
    require_relay_or(ctx, pledge.recipient, "claim a pledge")
    require_not_expired(pledge.expires_at, ctx, "proof.view.record.expires_at",
                        f"pledge {pledge.pledge_id!r}")
    await require_unrecorded(ledger, msg.source_network, pledge.pledge_id)
    denom = await load_or_none(ledger.store, Denom,
                               composite_key(DENOM, msg.source_network, pledge.lot_id))
    if denom is None:
        denom = Denom(source_network=msg.source_network, lot_id=pledge.lot_id,
                      **pledge.origin)
    elif any(getattr(denom, k) != v for k, v in pledge.origin.items()):
        raise ConflictError("proof.view.record", pledge.lot_id, "origin-mismatch",
                            f"origin of lot {pledge.lot_id!r} differs from earlier claims")
    holding = await ledger.holding(msg.source_network, pledge.lot_id, pledge.recipient)
    move(denom, None, "minted", pledge.quantity_kg)
    move(denom, None, "tradable", pledge.quantity_kg)
    move(holding, None, "tradable", pledge.quantity_kg)
    await ledger.save(denom)
    await ledger.save(holding)
    await ledger.save(origin_entry(ledger, msg.source_network, pledge, CLAIMED))
    return [DomainEvent("EventClaim", {
        "source_network": msg.source_network, "pledge_id": pledge.pledge_id,
        "denom": denom.denom, "lot_id": pledge.lot_id, "recipient": pledge.recipient,
        "quantity_kg": pledge.quantity_kg, "endorsed_by": list(pledge.view.endorsing_msps),
    })]
