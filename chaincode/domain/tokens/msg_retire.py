"""MsgRetire: retire tradable units of one's holding for a beneficiary and a purpose.

Retired units never move again: no message takes units out of the ``retired`` state.
Each retirement gets the next free serial range of the lot (`state.retirement_serial`).
`retire_units` is shared with transfer-and-retire (`msg_transfer`).
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store

from .access import require_owner
from .ledger import TokenLedger, require_available
from .rules import require_id, require_owner_key, require_positive_int, require_text
from .state import RETIREMENT_PURPOSES, Holding, Retirement, retirement_serial

__all__ = [
    "MIN_REPORTING_YEAR",
    "MAX_REPORTING_YEAR",
    "MsgRetire",
    "RetirementInfo",
    "apply",
    "retire_units",
    "validate",
    "validate_info",
]

MIN_REPORTING_YEAR = 2000
MAX_REPORTING_YEAR = 2100


@dataclass(frozen=True)
class RetirementInfo:
    """For whom and why units are retired."""

    beneficiary: str
    purpose: str
    reporting_year: int
    note: str = ""


@dataclass(frozen=True)
class MsgRetire:
    owner: str
    lot_id: str
    quantity_kg: int
    info: RetirementInfo


def validate_info(info: RetirementInfo, prefix: str = "") -> None:
    """Beneficiary required, purpose from `RETIREMENT_PURPOSES`, a plausible year."""
    require_text(info.beneficiary, f"{prefix}beneficiary")
    if info.purpose not in RETIREMENT_PURPOSES:
        raise ValidationError(
            f"{prefix}purpose", info.purpose, "enum",
            f"{info.purpose!r} is not one of {', '.join(RETIREMENT_PURPOSES)}",
        )
    year = info.reporting_year
    if isinstance(year, bool) or not isinstance(year, int) or not (
        MIN_REPORTING_YEAR <= year <= MAX_REPORTING_YEAR
    ):
        raise ValidationError(
            f"{prefix}reporting_year", year, "year",
            f"{year!r} is not a year between {MIN_REPORTING_YEAR} and {MAX_REPORTING_YEAR}",
        )
    require_text(info.note, f"{prefix}note", required=False)


def validate(msg: MsgRetire) -> None:
    require_owner_key(msg.owner, "owner")
    require_id(msg.lot_id, "lot_id")
    require_positive_int(msg.quantity_kg, "quantity_kg")
    validate_info(msg.info)


async def retire_units(
    ledger: TokenLedger,
    holding: Holding,
    quantity: int,
    info: RetirementInfo,
    *,
    source: str = "tradable",
    action: str = "retire",
    counterparty: str = "",
) -> tuple[Retirement, DomainEvent]:
    """Move `quantity` of `holding` from `source` (``tradable``, or None for units arriving
    by transfer) to ``retired``; assign the serial range and write the retirement record."""
    supply = await ledger.supply(holding.lot_id)
    first = supply.next_serial
    last = first + quantity - 1
    if last > supply.issued:  # cannot happen while the supply equation holds
        raise AssertionError(f"lot {holding.lot_id}: serial {last} beyond issued")
    supply.next_serial = last + 1
    supply.move(source if source != "incoming" else "tradable", "retired", quantity)
    holding.move(None if source == "incoming" else source, "retired", quantity)
    await ledger.save(supply)
    await ledger.save_holding(holding)
    serial = retirement_serial(holding.lot_id, first, last)
    retirement = Retirement(
        serial=serial, lot_id=holding.lot_id, owner=holding.owner, quantity_kg=quantity,
        serial_first=first, serial_last=last, beneficiary=info.beneficiary,
        purpose=info.purpose, reporting_year=info.reporting_year, note=info.note,
        retired_by=ledger.ctx.owner_key, retired_at=ledger.when, tx_id=ledger.ctx.tx_id,
    )
    await ledger.save(retirement)
    changes = {"retired": quantity}
    if source != "incoming":
        changes[source] = -quantity
    await ledger.record(holding, action, changes, counterparty=counterparty, reference=serial)
    return retirement, DomainEvent("EventRetire", {
        "lot_id": holding.lot_id,
        "owner": holding.owner,
        "quantity_kg": quantity,
        "serial": serial,
        "purpose": info.purpose,
        "reporting_year": info.reporting_year,
    })


async def apply(store: Store, ctx: TxContext, msg: MsgRetire) -> list[DomainEvent]:
    validate(msg)
    ledger = TokenLedger(store, ctx)
    holding = await ledger.existing_holding(msg.lot_id, msg.owner, "owner")
    require_owner(ctx, msg.owner, holding.label)
    require_available(holding, "tradable", msg.quantity_kg, "quantity_kg")
    _, event = await retire_units(ledger, holding, msg.quantity_kg, msg.info)
    return [event]
