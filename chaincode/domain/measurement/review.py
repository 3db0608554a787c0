"""Shared rules of a verifier's review (approve or reject) of a calculation.

Only reduction calculations are reviewed (an inventory is a report, not a credit); a
calculation is reviewed once; a superseded one is not reviewed (review its successor).
The reviewer has role ``verifier`` and does not belong to the equipment owner's
organisation (`registry.access.require_verifier`).
"""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.registry.access import require_verifier
from envalue.chaincode.domain.registry.state import load, load_or_none, save
from envalue.chaincode.domain.store import Store

from .state import CalculationRecord, Review, Supersession

__all__ = ["APPROVED", "REJECTED", "record_review"]

APPROVED = "approved"
REJECTED = "rejected"


async def record_review(
    store: Store, ctx: TxContext, calculation_id: str, decision: str, comment: str
) -> list[DomainEvent]:
    """Check and write the review (module docstring)."""
    calc = await load(store, CalculationRecord, calculation_id, field_name="calculation_id",
                      what="calculation")
    verb = "approve" if decision == APPROVED else "reject"
    require_verifier(ctx, f"{verb} calculation {calculation_id}", not_of=calc.owner_msp)
    if calc.reduction_kg is None:
        raise ValidationError("calculation_id", calculation_id, "reduction",
                              f"is a {calc.methodology} calculation without a reduction; only "
                              "reductions are reviewed for minting")
    superseded = await load_or_none(store, Supersession, calculation_id)
    if superseded is not None:
        raise ConflictError("calculation_id", calculation_id, "not-superseded",
                            f"was superseded by {superseded.superseded_by}; review that one")
    previous = await load_or_none(store, Review, calculation_id)
    if previous is not None:
        raise ConflictError("calculation_id", calculation_id, "reviewed-once",
                            f"was already {previous.decision} by {previous.verifier} "
                            f"(tx {previous.tx_id})")
    await save(store, Review(
        calculation_id=calculation_id, decision=decision, comment=comment,
        verifier=ctx.owner_key, verifier_msp=ctx.actor.msp_id,
        at=format_timestamp(ctx.timestamp), tx_id=ctx.tx_id,
    ))
    name = "EventApproveCalculation" if decision == APPROVED else "EventRejectCalculation"
    return [DomainEvent(name, {"calculation_id": calculation_id,
                               "reduction_kg": calc.reduction_kg})]
