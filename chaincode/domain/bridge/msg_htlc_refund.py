"""MsgHtlcRefund: after expiry, unclaimed locked units return to the owner (anyone may
submit it; the units only ever go back to the owner)."""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.bridge_hooks import settle_lock
from envalue.chaincode.domain.tokens.ledger import TokenLedger
from envalue.chaincode.domain.tokens.rules import require_id
from envalue.chaincode.domain.tokens.state import ESCROW, Escrow, load

from .common import require_expired
from .msg_htlc_lock import escrow_id_of
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
    htlc = await load(ledger.store, Htlc, composite_key(HTLC, msg.htlc_id), "htlc_id",
                      msg.htlc_id)
    if htlc.status != "locked":
        raise ConflictError("htlc_id", msg.htlc_id, "locked",
                            f"HTLC {msg.htlc_id!r} is already {htlc.status}")
    require_expired(htlc.expires_at, ctx, "htlc_id", f"HTLC {msg.htlc_id!r}")
    escrow_id = escrow_id_of(msg.htlc_id)
    escrow = await load(ledger.store, Escrow, composite_key(ESCROW, escrow_id), "htlc_id",
                        escrow_id)
    await settle_lock(ledger, escrow, to_recipient=False)
    htlc.status = "refunded"
    htlc.closed_at, htlc.closed_tx, htlc.closed_by = ledger.when, ctx.tx_id, ctx.owner_key
    await ledger.save(htlc)
    return [DomainEvent("EventHtlcRefund", {
        "htlc_id": htlc.htlc_id, "lot_id": htlc.lot_id, "owner": htlc.owner,
        "quantity_kg": htlc.quantity_kg,
    })]
