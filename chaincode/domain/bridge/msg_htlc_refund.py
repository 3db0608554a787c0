"""MsgHtlcRefund: after expiry, unclaimed locked units return to the owner (anyone may
submit it; the units only ever go back to the owner)."""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.ledger import TokenLedger
from envalue.chaincode.domain.tokens.rules import require_id

from .common import load_locked_htlc, require_expired
from .msg_htlc_lock import close_htlc
from .state import HTLC, Htlc

__all__ = ["MsgHtlcRefund", "apply", "validate"]


@dataclass(frozen=True)
class MsgHtlcRefund:
    htlc_id: str


def validate(msg: MsgHtlcRefund) -> None:
    require_id(msg.htlc_id, "htlc_id")


async def apply(store: Store, ctx: TxContext, msg: MsgHtlcRefund) -> list[DomainEvent]:
    validate(msg)
    ledger = TokenLedger(store, ctx)
    htlc = await load_locked_htlc(ledger.store, Htlc, composite_key(HTLC, msg.htlc_id),
                                  msg.htlc_id)
    require_expired(htlc.expires_at, ctx, "htlc_id", f"HTLC {msg.htlc_id!r}")
    htlc.status = "refunded"
    await close_htlc(ledger, htlc, to_recipient=False)
    return [DomainEvent("EventHtlcRefund", {
        "htlc_id": htlc.htlc_id, "lot_id": htlc.lot_id, "owner": htlc.owner,
        "quantity_kg": htlc.quantity_kg,
    })]
