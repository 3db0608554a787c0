"""MsgVoid: after expiry, record that a pledge was never claimed here, for good.

With a proof of the pledge (to learn its expiry from the source), once the transaction
is past that expiry and the origin index has no entry, the entry becomes ``voided``: no
claim can follow, and the origin view of it is the "no claim" proof the source network
needs to reclaim. Anyone may submit it: the outcome is fixed by the proof and the time.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from envalue.chaincode.domain.bridge.common import require_expired
from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.rules import require_id

from .ledger import WrappedLedger
from .msg_claim import origin_entry, require_unrecorded
from .pledge_proof import verify_pledge
from .state import VOIDED, load_config

__all__ = ["MsgVoid", "apply", "validate"]


@dataclass(frozen=True)
class MsgVoid:
    source_network: str
    proof: dict[str, Any]


def validate(msg: MsgVoid) -> None:
    require_id(msg.source_network, "source_network")
    if not isinstance(msg.proof, dict):
        raise ValidationError("proof", msg.proof, "object", "must be a proof object")


async def apply(store: Store, ctx: TxContext, msg: MsgVoid) -> list[DomainEvent]:
    validate(msg)
    ledger = WrappedLedger(store, ctx)
    config = await load_config(ledger.store)
    pledge = await verify_pledge(ledger.store, msg.source_network, msg.proof,
                                 local_network=config.network_id, at=ctx.timestamp)
    require_expired(pledge.expires_at, ctx, "proof.view.record.expires_at",
                    f"pledge {pledge.pledge_id!r}")
    await require_unrecorded(ledger, msg.source_network, pledge.pledge_id)
    await ledger.save(origin_entry(ledger, msg.source_network, pledge, VOIDED))
    return [DomainEvent("EventVoid", {
        "source_network": msg.source_network, "pledge_id": pledge.pledge_id,
        "lot_id": pledge.lot_id, "quantity_kg": pledge.quantity_kg,
    })]
