"""Helpers shared by the bridge messages of both ledgers: time rules and ids."""

from __future__ import annotations

from datetime import datetime

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.tokens.rules import require_timestamp

__all__ = ["MAX_PLEDGE_SECONDS", "require_expired", "require_future", "require_not_expired"]

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
