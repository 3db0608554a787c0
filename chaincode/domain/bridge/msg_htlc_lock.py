"""MsgHtlcLock: escrow tradable units for a recipient under a SHA-256 hash lock.

Atomic swap with a partner-ledger asset: the initiator locks here with hash H and a
longer expiry; the counterparty locks on the partner with the same H and a shorter
expiry; the initiator claims there (revealing the secret), the counterparty claims here
with it. Units are held as an `Escrow` (``htlc.<htlc_id>``) in the owner's holding.
`htlc_id` is the request id: an identical lock re-sent changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.access import require_owner
from envalue.chaincode.domain.tokens.bridge_hooks import lock_units, settle_lock
from envalue.chaincode.domain.tokens.ledger import TokenLedger
from envalue.chaincode.domain.tokens.state import ESCROW, Escrow, load, load_or_none

from .common import require_future, require_lock_terms
from .state import HTLC, Htlc

__all__ = ["MsgHtlcLock", "apply", "close_htlc", "escrow_id_of", "validate"]


@dataclass(frozen=True)
class MsgHtlcLock:
    htlc_id: str
    owner: str
    lot_id: str
    quantity_kg: int
    recipient: str
    hash_lock: str
    expires_at: str


def escrow_id_of(htlc_id: str) -> str:
    return f"htlc.{htlc_id}"


async def close_htlc(ledger: TokenLedger, htlc: Htlc, to_recipient: bool) -> None:
    """Settle the HTLC's escrow (to the recipient, or back to the owner) and save the HTLC
    closed by this transaction; the caller has set its final status."""
    escrow_id = escrow_id_of(htlc.htlc_id)
    escrow = await load(ledger.store, Escrow, composite_key(ESCROW, escrow_id), "htlc_id",
                        escrow_id)
    await settle_lock(ledger, escrow, to_recipient=to_recipient)
    htlc.closed_at, htlc.closed_tx = ledger.when, ledger.ctx.tx_id
    htlc.closed_by = ledger.ctx.owner_key
    await ledger.save(htlc)


def validate(msg: MsgHtlcLock) -> None:
    require_lock_terms(msg)


async def apply(store: Store, ctx: TxContext, msg: MsgHtlcLock) -> list[DomainEvent]:
    validate(msg)
    ledger = TokenLedger(store, ctx)
    existing = await load_or_none(ledger.store, Htlc, composite_key(HTLC, msg.htlc_id))
    if existing is not None:
        same = (existing.owner, existing.lot_id, existing.quantity_kg, existing.recipient,
                existing.hash_lock, existing.expires_at) == (
            msg.owner, msg.lot_id, msg.quantity_kg, msg.recipient, msg.hash_lock,
            msg.expires_at)
        if same and ctx.owner_key == existing.owner:
            return []
        raise ConflictError("htlc_id", msg.htlc_id, "unique",
                            f"HTLC {msg.htlc_id!r} already exists with other terms")
    escrow_id = escrow_id_of(msg.htlc_id)
    if await ledger.store.get(composite_key(ESCROW, escrow_id)) is not None:
        raise ConflictError("htlc_id", msg.htlc_id, "unique",
                            f"escrow {escrow_id!r} already exists")
    require_future(msg.expires_at, ctx)
    holding = await ledger.existing_holding(msg.lot_id, msg.owner, "owner")
    require_owner(ctx, msg.owner, holding.label)
    await lock_units(ledger, escrow_id, msg.lot_id, msg.owner, msg.recipient,
                     msg.quantity_kg, msg.expires_at)
    await ledger.save(Htlc(
        htlc_id=msg.htlc_id, lot_id=msg.lot_id, owner=msg.owner, recipient=msg.recipient,
        quantity_kg=msg.quantity_kg, hash_lock=msg.hash_lock, expires_at=msg.expires_at,
        status="locked", locked_at=ledger.when, locked_tx=ctx.tx_id,
    ))
    return [DomainEvent("EventHtlcLock", {
        "htlc_id": msg.htlc_id, "lot_id": msg.lot_id, "owner": msg.owner,
        "recipient": msg.recipient, "quantity_kg": msg.quantity_kg,
        "hash_lock": msg.hash_lock, "expires_at": msg.expires_at,
    })]
