"""Helpers shared by the bridge messages of both ledgers: time rules, ids, HTLC terms."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol, TypeVar

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.rules import (
    require_id,
    require_owner_key,
    require_positive_int,
    require_timestamp,
)
from envalue.chaincode.domain.tokens.state import load

from .hashlock import require_hash_lock
from .state import Htlc

__all__ = [
    "MAX_PLEDGE_SECONDS",
    "LockTerms",
    "load_locked_htlc",
    "require_expired",
    "require_future",
    "require_lock_terms",
    "require_not_expired",
]

#: Longest time a pledge or HTLC may stay open (90 days): bounds how long units are stuck.
MAX_PLEDGE_SECONDS = 90 * 24 * 3600


def require_future(expires_at: str, ctx: TxContext, field: str = "expires_at") -> datetime:
    """An expiry after the transaction time and at most `MAX_PLEDGE_SECONDS` ahead."""
    when = require_timestamp(expires_at, field)
    seconds = (when - ctx.timestamp).total_seconds()
    if seconds <= 0:
        raise ValidationError(field, expires_at, "future",
                              f"{expires_at!r} is not after the transaction time "
                              f"{ctx.timestamp.isoformat()}")
    if seconds > MAX_PLEDGE_SECONDS:
        raise ValidationError(field, expires_at, "max-duration",
                              f"{expires_at!r} is more than {MAX_PLEDGE_SECONDS // 86400} "
                              "days ahead")
    return when


def require_not_expired(expires_at: str, ctx: TxContext, field: str, what: str) -> None:
    if ctx.timestamp >= require_timestamp(expires_at, field):
        raise ConflictError(field, expires_at, "expired",
                            f"{what} expired at {expires_at}; transaction time is "
                            f"{ctx.timestamp.isoformat()}")


def require_expired(expires_at: str, ctx: TxContext, field: str, what: str) -> None:
    if ctx.timestamp < require_timestamp(expires_at, field):
        raise ConflictError(field, expires_at, "not-expired",
                            f"{what} expires at {expires_at}; transaction time is "
                            f"{ctx.timestamp.isoformat()}")


class LockTerms(Protocol):
    """The terms of an HTLC lock request, as both ledgers' MsgHtlcLock carry them."""

    @property
    def htlc_id(self) -> str: ...
    @property
    def owner(self) -> str: ...
    @property
    def lot_id(self) -> str: ...
    @property
    def quantity_kg(self) -> int: ...
    @property
    def recipient(self) -> str: ...
    @property
    def hash_lock(self) -> str: ...
    @property
    def expires_at(self) -> str: ...


def require_lock_terms(msg: LockTerms, source_network: str | None = None) -> None:
    """Stateless checks of an HTLC lock, in field order; `source_network` (wrapped side
    only) is checked after the owner when given."""
    require_id(msg.htlc_id, "htlc_id")
    require_owner_key(msg.owner, "owner")
    if source_network is not None:
        require_id(source_network, "source_network")
    require_id(msg.lot_id, "lot_id")
    require_positive_int(msg.quantity_kg, "quantity_kg")
    require_owner_key(msg.recipient, "recipient")
    if msg.recipient == msg.owner:
        raise ValidationError("recipient", msg.recipient, "self-lock",
                              "the recipient is the owner itself")
    require_hash_lock(msg.hash_lock)
    require_timestamp(msg.expires_at, "expires_at")


H = TypeVar("H", bound=Htlc)


async def load_locked_htlc(store: Store, cls: type[H], key: str, htlc_id: str) -> H:
    """The HTLC under `key`, still ``locked`` (NotFoundError or ConflictError otherwise)."""
    htlc = await load(store, cls, key, "htlc_id", htlc_id)
    if htlc.status != "locked":
        raise ConflictError("htlc_id", htlc_id, "locked",
                            f"HTLC {htlc_id!r} is already {htlc.status}")
    return htlc
