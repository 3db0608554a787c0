"""MsgRelease: a burn on the partner, proven, releases the same lot's units at home.

The burn view (``envalue.wrapped.burn/v1`` from `partner_network`) names the origin
network (must be this one), the lot, the quantity and the home recipient. The units leave
the custody holding for `partner_network` and arrive tradable with the recipient. Each
burn acts once (`ReturnRecord` keyed by partner network and burn id); a burn larger than
the custody balance is refused (the partner never burns more than it wrapped, this is
the home side's own guard).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.proofs.verify import verify_registered, view_field
from envalue.chaincode.domain.proofs.view import KIND_BURN
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.bridge_hooks import release_units
from envalue.chaincode.domain.tokens.ledger import TokenLedger
from envalue.chaincode.domain.tokens.rules import (
    require_id,
    require_owner_key,
    require_positive_int,
)

from .access import require_relay_or
from .state import RETURN, ReturnRecord, load_config

__all__ = ["MsgRelease", "apply", "validate"]


@dataclass(frozen=True)
class MsgRelease:
    partner_network: str
    proof: dict[str, Any]


def validate(msg: MsgRelease) -> None:
    require_id(msg.partner_network, "partner_network")
    if not isinstance(msg.proof, dict):
        raise ValidationError("proof", msg.proof, "object", "must be a proof object")


async def apply(store: Store, ctx: TxContext, msg: MsgRelease) -> list[DomainEvent]:
    validate(msg)
    ledger = TokenLedger(store, ctx)
    config = await load_config(ledger.store)
    view = await verify_registered(ledger.store, msg.partner_network, msg.proof,
                                   kind=KIND_BURN, at=ctx.timestamp)
    burn_id = require_id(view_field(view, "burn_id", str), "proof.view.record.burn_id")
    if view.view.key != burn_id:
        raise ValidationError("proof.view.key", view.view.key, "proof-view",
                              "view key is not the burn id")
    source = view_field(view, "source_network", str)
    if source != config.network_id:
        raise ValidationError("proof.view.record.source_network", source, "origin",
                              f"burned units originate from {source!r}, not "
                              f"{config.network_id!r}")
    lot_id = require_id(view_field(view, "lot_id", str), "proof.view.record.lot_id")
    quantity = require_positive_int(view_field(view, "quantity_kg", int),
                                    "proof.view.record.quantity_kg")
    recipient = require_owner_key(view_field(view, "home_recipient", str),
                                  "proof.view.record.home_recipient")
    require_relay_or(ctx, recipient, "release returned units")
    key = composite_key(RETURN, msg.partner_network, burn_id)
    if await ledger.store.get(key) is not None:
        raise ConflictError("proof", burn_id, "already-released",
                            f"burn {burn_id!r} of {msg.partner_network!r} was already "
                            "released")
    await release_units(ledger, lot_id, msg.partner_network, recipient, quantity, burn_id,
                        "bridge-return", field="proof.view.record.quantity_kg")
    await ledger.save(ReturnRecord(
        partner_network=msg.partner_network, burn_id=burn_id, lot_id=lot_id,
        quantity_kg=quantity, recipient=recipient, proof_sha256=view.payload_sha256,
        released_at=ledger.when, released_tx=ctx.tx_id, released_by=ctx.owner_key,
    ))
    return [DomainEvent("EventBridgeReturn", {
        "partner_network": msg.partner_network, "burn_id": burn_id, "lot_id": lot_id,
        "quantity_kg": quantity, "recipient": recipient,
        "endorsed_by": list(view.endorsing_msps),
    })]
