"""MsgHtlcLock (wrapped): lock tradable wrapped units for a recipient under a SHA-256
hash lock until an expiry: the partner leg of an atomic swap with envalue tokens (same
hash-lock rules as `envalue.chaincode.domain.bridge.msg_htlc_lock`)."""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.bridge.common import require_future, require_lock_terms
from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.state import load_or_none

from .access import require_owner
from .ledger import WrappedLedger, move
from .state import HTLC, WrappedHtlc

__all__ = ["MsgHtlcLock", "apply", "validate"]


@dataclass(frozen=True)
class MsgHtlcLock:
    htlc_id: str
    owner: str
    source_network: str
    lot_id: str
    quantity_kg: int
    recipient: str
    hash_lock: str
    expires_at: str


def validate(msg: MsgHtlcLock) -> None:
    require_lock_terms(msg, source_network=msg.source_network)


async def apply(store: Store, ctx: TxContext, msg: MsgHtlcLock) -> list[DomainEvent]:
    validate(msg)
    ledger = WrappedLedger(store, ctx)
    if await load_or_none(ledger.store, WrappedHtlc,
                          composite_key(HTLC, msg.htlc_id)) is not None:
        raise ConflictError("htlc_id", msg.htlc_id, "unique",
                            f"HTLC {msg.htlc_id!r} already exists")
    require_future(msg.expires_at, ctx)
    denom = await ledger.denom(msg.source_network, msg.lot_id)
    holding = await ledger.holding(msg.source_network, msg.lot_id, msg.owner)
    require_owner(ctx, msg.owner, holding.label)
    ledger.take(holding, "tradable", msg.quantity_kg, "quantity_kg")
    move(holding, "tradable", "locked", msg.quantity_kg)
    move(denom, "tradable", "locked", msg.quantity_kg)
    await ledger.save(holding)
    await ledger.save(denom)
    await ledger.save(WrappedHtlc(
        htlc_id=msg.htlc_id, lot_id=msg.lot_id, owner=msg.owner, recipient=msg.recipient,
        quantity_kg=msg.quantity_kg, hash_lock=msg.hash_lock, expires_at=msg.expires_at,
        status="locked", locked_at=ledger.when, locked_tx=ctx.tx_id,
        source_network=msg.source_network,
    ))
    return [DomainEvent("EventWrappedHtlcLock", {
        "htlc_id": msg.htlc_id, "source_network": msg.source_network, "lot_id": msg.lot_id,
        "owner": msg.owner, "recipient": msg.recipient, "quantity_kg": msg.quantity_kg,
        "hash_lock": msg.hash_lock, "expires_at": msg.expires_at,
    })]
