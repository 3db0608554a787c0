"""MsgMintReduction: mint an approved reduction once, as a token lot (via `mint_lot`).

Refused unless the calculation exists, is a reduction, is not superseded, was approved
by a verifier, was not minted before, and its reduction is at least 1 kg. The lot:
``quantity_kg = reduction_kg``, vintage = the period as Japan calendar dates
(first day .. last day, inclusive), methodology and version, site, equipment, owner =
the equipment owner's holder key. The token side requires a PlatformMSP operator.
The lot id defaults to ``lot-`` + the calculation id's hex part.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.registry.access import require_platform_operator
from envalue.chaincode.domain.registry.fields import message_from_dict, parse_timestamp, require_id
from envalue.chaincode.domain.registry.state import VALIDITY_TZ, load, load_or_none, save
from envalue.chaincode.domain.store import Store
from envalue.chaincode.domain.tokens.mint import mint_lot

from .review import APPROVED
from .state import CalculationRecord, LotLink, MintRecord, Review, Supersession

__all__ = ["MsgMintReduction", "apply", "default_lot_id", "validate", "vintage_of"]


@dataclass(frozen=True)
class MsgMintReduction:
    calculation_id: str
    lot_id: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> MsgMintReduction:
        return message_from_dict(cls, data)


def validate(msg: MsgMintReduction) -> None:
    require_id(msg.calculation_id, "calculation_id")
    if msg.lot_id:
        require_id(msg.lot_id, "lot_id")


def default_lot_id(calculation_id: str) -> str:
    """``lot-`` + the calculation id without its ``calc-`` prefix."""
    return "lot-" + calculation_id.removeprefix("calc-")


def vintage_of(period_start: str, period_end: str) -> tuple[str, str]:
    """First and last Japan calendar day of the period (inclusive)."""
    start = parse_timestamp(period_start).astimezone(VALIDITY_TZ).date()
    last = (parse_timestamp(period_end) - timedelta(microseconds=1)).astimezone(VALIDITY_TZ)
    return start.isoformat(), last.date().isoformat()


async def apply(store: Store, ctx: TxContext, msg: MsgMintReduction) -> list[DomainEvent]:
    """Check the approval chain and mint (module docstring)."""
    validate(msg)
    require_platform_operator(ctx, f"mint calculation {msg.calculation_id}")
    calc = await load(store, CalculationRecord, msg.calculation_id,
                      field_name="calculation_id", what="calculation")
    reduction = calc.reduction_kg
    if reduction is None:
        raise ValidationError("calculation_id", msg.calculation_id, "reduction",
                              f"is a {calc.methodology} calculation; only reductions are minted")
    superseded = await load_or_none(store, Supersession, msg.calculation_id)
    if superseded is not None:
        raise ConflictError("calculation_id", msg.calculation_id, "not-superseded",
                            f"was superseded by {superseded.superseded_by}")
    review = await load_or_none(store, Review, msg.calculation_id)
    if review is None or review.decision != APPROVED:
        state = "has not been reviewed" if review is None else f"was {review.decision}"
        raise ConflictError(
            "calculation_id", msg.calculation_id, "verifier-approved",
            f"{state}: a reduction is minted only after a verifier approves it",
        )
    minted = await load_or_none(store, MintRecord, msg.calculation_id)
    if minted is not None:
        raise ConflictError("calculation_id", msg.calculation_id, "mint-once",
                            f"was already minted into lot {minted.lot_id} (tx {minted.tx_id})")
    if reduction < 1:
        raise ValidationError("calculation_id", msg.calculation_id, "positive-reduction",
                              "has a reduction of 0 kg; there is nothing to mint")
    lot_id = msg.lot_id or default_lot_id(msg.calculation_id)
    vintage_start, vintage_end = vintage_of(calc.period_start, calc.period_end)
    token_events = await mint_lot(
        store, ctx, lot_id=lot_id, owner=calc.owner, quantity_kg=reduction,
        vintage_start=vintage_start, vintage_end=vintage_end, methodology=calc.methodology,
        methodology_version=calc.methodology_version, site_id=calc.site_id,
        equipment_id=calc.equipment_id, calculation_id=calc.calculation_id,
    )
    at = format_timestamp(ctx.timestamp)
    await save(store, MintRecord(calculation_id=msg.calculation_id, lot_id=lot_id,
                                 quantity_kg=reduction, owner=calc.owner, by=ctx.owner_key,
                                 at=at, tx_id=ctx.tx_id))
    await save(store, LotLink(lot_id=lot_id, calculation_id=msg.calculation_id,
                              tx_id=ctx.tx_id))
    return [DomainEvent("EventMintReduction", {
        "calculation_id": msg.calculation_id, "lot_id": lot_id, "quantity_kg": reduction,
    }), *token_events]
