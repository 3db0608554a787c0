"""MsgHtlcClaim and MsgHtlcRefund (wrapped): close a wrapped HTLC.

Claim: before expiry, with the secret whose SHA-256 is the hash lock; units go to the
recipient and the secret is published. Refund: after expiry; units go back to the owner.
Either may be submitted by anyone: where the units go is fixed by the lock.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.bridge.common import (
    load_locked_htlc,
    require_expired,
    require_not_expired,
)
from envalue.chaincode.domain.bridge.hashlock import matches, require_preimage
from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ForbiddenError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.rules import require_id

from .ledger import WrappedLedger, move
from .state import HTLC, WrappedHtlc

__all__ = ["MsgHtlcClaim", "MsgHtlcRefund", "apply_claim", "apply_refund"]


@dataclass(frozen=True)
class MsgHtlcClaim:
    htlc_id: str
    preimage: str


@dataclass(frozen=True)
class MsgHtlcRefund:
    htlc_id: str


async def _locked(ledger: WrappedLedger, htlc_id: str) -> WrappedHtlc:
    require_id(htlc_id, "htlc_id")
    return await load_locked_htlc(ledger.store, WrappedHtlc, composite_key(HTLC, htlc_id),
                                  htlc_id)


async def _settle(ledger: WrappedLedger, htlc: WrappedHtlc, to_recipient: bool) -> None:
    denom = await ledger.denom(htlc.source_network, htlc.lot_id)
    owner = await ledger.holding(htlc.source_network, htlc.lot_id, htlc.owner)
    move(owner, "locked", None if to_recipient else "tradable", htlc.quantity_kg)
    move(denom, "locked", "tradable", htlc.quantity_kg)
    await ledger.save(owner)
    if to_recipient:
        recipient = await ledger.holding(htlc.source_network, htlc.lot_id, htlc.recipient)
        move(recipient, None, "tradable", htlc.quantity_kg)
        await ledger.save(recipient)
    await ledger.save(denom)
    htlc.closed_at, htlc.closed_tx = ledger.when, ledger.ctx.tx_id
    htlc.closed_by = ledger.ctx.owner_key
    await ledger.save(htlc)


async def apply_claim(store: Store, ctx: TxContext, msg: MsgHtlcClaim) -> list[DomainEvent]:
    require_preimage(msg.preimage)
    ledger = WrappedLedger(store, ctx)
    htlc = await _locked(ledger, msg.htlc_id)
    require_not_expired(htlc.expires_at, ctx, "htlc_id", f"HTLC {msg.htlc_id!r}")
    if not matches(msg.preimage, htlc.hash_lock):
        raise ForbiddenError("preimage", None, "hash-lock",
                             "the secret does not match the hash lock")
    htlc.status, htlc.preimage = "claimed", msg.preimage
    await _settle(ledger, htlc, to_recipient=True)
    return [DomainEvent("EventWrappedHtlcClaim", {
        "htlc_id": htlc.htlc_id, "recipient": htlc.recipient,
        "quantity_kg": htlc.quantity_kg, "preimage": msg.preimage,
    })]


async def apply_refund(store: Store, ctx: TxContext, msg: MsgHtlcRefund) -> list[DomainEvent]:
    ledger = WrappedLedger(store, ctx)
    htlc = await _locked(ledger, msg.htlc_id)
    require_expired(htlc.expires_at, ctx, "htlc_id", f"HTLC {msg.htlc_id!r}")
    htlc.status = "refunded"
    await _settle(ledger, htlc, to_recipient=False)
    return [DomainEvent("EventWrappedHtlcRefund", {
        "htlc_id": htlc.htlc_id, "owner": htlc.owner, "quantity_kg": htlc.quantity_kg,
    })]
