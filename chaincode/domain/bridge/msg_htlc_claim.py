"""MsgHtlcClaim: before expiry, the secret whose SHA-256 is the hash lock moves the
locked units to the recipient. Anyone may submit it (the units only ever go to the
recipient); the secret is stored and published in the event, which is what lets the
other side of a swap claim in turn."""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ForbiddenError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.ledger import TokenLedger
from envalue.chaincode.domain.tokens.rules import require_id

from .common import load_locked_htlc, require_not_expired
from .hashlock import matches, require_preimage
from .msg_htlc_lock import close_htlc
from .state import HTLC, Htlc

__all__ = ["MsgHtlcClaim", "apply", "validate"]


@dataclass(frozen=True)
class MsgHtlcClaim:
    htlc_id: str
    preimage: str


def validate(msg: MsgHtlcClaim) -> None:
    require_id(msg.htlc_id, "htlc_id")
    require_preimage(msg.preimage)


async def apply(store: Store, ctx: TxContext, msg: MsgHtlcClaim) -> list[DomainEvent]:
    validate(msg)
    ledger = TokenLedger(store, ctx)
    htlc = await load_locked_htlc(ledger.store, Htlc, composite_key(HTLC, msg.htlc_id),
                                  msg.htlc_id)
    require_not_expired(htlc.expires_at, ctx, "htlc_id", f"HTLC {msg.htlc_id!r}")
    if not matches(msg.preimage, htlc.hash_lock):
        raise ForbiddenError("preimage", None, "hash-lock",
                             "the secret does not match the hash lock")
    htlc.status, htlc.preimage = "claimed", msg.preimage
    await close_htlc(ledger, htlc, to_recipient=True)
    return [DomainEvent("EventHtlcClaim", {
        "htlc_id": htlc.htlc_id, "lot_id": htlc.lot_id, "recipient": htlc.recipient,
        "quantity_kg": htlc.quantity_kg, "preimage": msg.preimage,
    })]
