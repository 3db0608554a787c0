"""`mint_lot`: the entry point the measurement side calls to turn a verified reduction
into a token lot (keyword arguments, so the caller never depends on message classes)."""

from __future__ import annotations

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store

from . import msg_mint
from .msg_mint import MsgMint

__all__ = ["mint_lot"]


async def mint_lot(
    store: Store,
    ctx: TxContext,
    *,
    lot_id: str,
    owner: str,
    quantity_kg: int,
    vintage_start: str,
    vintage_end: str,
    methodology: str,
    methodology_version: str,
    site_id: str,
    equipment_id: str,
    calculation_id: str,
    meters_valid: bool = True,
) -> list[DomainEvent]:
    """Create lot `lot_id` with `quantity_kg` kg-CO2e issued, all tradable to `owner`.

    `owner` is a holder key ``<MSP ID>/<Go-style client id>`` (`TxContext.owner_key` form).
    The caller (`ctx.actor`) must have role ``operator`` in PlatformMSP (ForbiddenError);
    an existing `lot_id` is a ConflictError; `quantity_kg` must be a positive `int`
    (ValidationError). `meters_valid` records whether the meters behind the lot were
    verified for its whole vintage (credit bundling requires it). The measurement side has
    verified the reduction and its approval before calling.
    """
    msg = MsgMint(
        lot_id=lot_id, owner=owner, quantity_kg=quantity_kg, vintage_start=vintage_start,
        vintage_end=vintage_end, methodology=methodology,
        methodology_version=methodology_version, site_id=site_id, equipment_id=equipment_id,
        calculation_id=calculation_id, meters_valid=meters_valid,
    )
    return await msg_mint.apply(store, ctx, msg)
