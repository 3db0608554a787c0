"""MsgRetireCredits: invalidate (無効化) whole tonnes with the J-Credit invalidation fields.

Records the credit user's name, the use (`USES`), the purpose detail and the reporting
year, and takes the next serial range of the batch (`state.credit_serial`).
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.msg_retire import MAX_REPORTING_YEAR, MIN_REPORTING_YEAR
from envalue.chaincode.domain.tokens.rules import (
    require_id,
    require_owner_key,
    require_positive_int,
    require_text,
)
from envalue.chaincode.domain.tokens.state import RETIREMENT_PURPOSES

from .common import CreditLedger
from .msg_transfer_credits import load_credit_holding
from .state import CreditRetirement, credit_serial

__all__ = ["USES", "MsgRetireCredits", "apply", "validate"]

#: Uses of an invalidated credit (same vocabulary as token retirement purposes).
USES = RETIREMENT_PURPOSES


@dataclass(frozen=True)
class MsgRetireCredits:
    owner: str
    batch_id: str
    quantity_t: int
    user_name: str
    use: str
    purpose_detail: str
    reporting_year: int


def validate(msg: MsgRetireCredits) -> None:
    require_owner_key(msg.owner, "owner")
    require_id(msg.batch_id, "batch_id")
    require_positive_int(msg.quantity_t, "quantity_t", unit="t-CO2")
    require_text(msg.user_name, "user_name")
    if msg.use not in USES:
        raise ValidationError("use", msg.use, "enum",
                              f"{msg.use!r} is not one of {', '.join(USES)}")
    require_text(msg.purpose_detail, "purpose_detail")
    year = msg.reporting_year
    if isinstance(year, bool) or not isinstance(year, int) or not (
            MIN_REPORTING_YEAR <= year <= MAX_REPORTING_YEAR):
        raise ValidationError("reporting_year", year, "year", f"{year!r} is not a valid year")


async def apply(store: Store, ctx: TxContext, msg: MsgRetireCredits) -> list[DomainEvent]:
    validate(msg)
    ledger = CreditLedger(store, ctx)
    holding = await load_credit_holding(ledger, msg.batch_id, msg.owner, msg.quantity_t, ctx)
    batch = await ledger.batch(msg.batch_id)
    first = batch.next_serial
    last = first + msg.quantity_t - 1
    batch.next_serial, batch.retired_t = last + 1, batch.retired_t + msg.quantity_t
    holding.tradable_t -= msg.quantity_t
    holding.retired_t += msg.quantity_t
    serial = credit_serial(batch.program_id, batch.period_start, batch.period_end, first, last)
    await ledger.save(batch)
    await ledger.save(holding)
    await ledger.save(CreditRetirement(
        serial=serial, batch_id=batch.batch_id, owner=msg.owner, quantity_t=msg.quantity_t,
        serial_first=first, serial_last=last, user_name=msg.user_name, use=msg.use,
        purpose_detail=msg.purpose_detail, reporting_year=msg.reporting_year,
        retired_by=ctx.owner_key, retired_at=ledger.when, tx_id=ctx.tx_id,
    ))
    return [DomainEvent("EventRetireCredits", {"batch_id": batch.batch_id,
                                               "owner": msg.owner,
                                               "quantity_t": msg.quantity_t,
                                               "serial": serial, "use": msg.use})]
