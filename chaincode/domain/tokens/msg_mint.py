"""MsgMint: create a token lot with all its units tradable to one owner.

Called by the measurement side once a reduction and its verifier approval are on the
ledger; this module only guards the token ledger: a Platform operator is minting, the lot
id is new, the quantity is a whole positive number of kg-CO2e.
"""

from __future__ import annotations

from dataclasses import dataclass

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import ConflictError, ValidationError
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.store import Store

from .access import require_platform_operator
from .ledger import TokenLedger
from .rules import (
    require_bool,
    require_date,
    require_id,
    require_owner_key,
    require_positive_int,
    require_text,
)
from .state import Holding, Lot, LotSupply

__all__ = ["MsgMint", "apply", "validate"]


@dataclass(frozen=True)
class MsgMint:
    lot_id: str
    owner: str
    quantity_kg: int
    vintage_start: str
    vintage_end: str
    methodology: str
    methodology_version: str
    site_id: str
    equipment_id: str
    calculation_id: str
    meters_valid: bool = True


def validate(msg: MsgMint) -> None:
    """Stateless checks: ids, owner key, positive integer quantity, vintage order."""
    require_id(msg.lot_id, "lot_id")
    require_owner_key(msg.owner, "owner")
    require_positive_int(msg.quantity_kg, "quantity_kg")
    start = require_date(msg.vintage_start, "vintage_start")
    end = require_date(msg.vintage_end, "vintage_end")
    if end < start:
        raise ValidationError(
            "vintage_end", msg.vintage_end, "vintage-order",
            f"{msg.vintage_end!r} is before vintage_start {msg.vintage_start!r}",
        )
    require_text(msg.methodology, "methodology")
    require_text(msg.methodology_version, "methodology_version")
    require_id(msg.site_id, "site_id")
    require_id(msg.equipment_id, "equipment_id")
    require_id(msg.calculation_id, "calculation_id")
    require_bool(msg.meters_valid, "meters_valid")


async def apply(store: Store, ctx: TxContext, msg: MsgMint) -> list[DomainEvent]:
    """Create the lot, its supply record and the owner's holding; emit `EventMint`."""
    require_platform_operator(ctx, "mint tokens")
    validate(msg)
    ledger = TokenLedger(store, ctx)
    if await ledger.store.get(Lot(**_lot_fields(msg, ctx)).key()) is not None:
        raise ConflictError("lot_id", msg.lot_id, "unique", f"lot {msg.lot_id!r} already exists")
    lot = Lot(**_lot_fields(msg, ctx))
    await ledger.save(lot)
    await ledger.save(LotSupply(lot_id=msg.lot_id, issued=msg.quantity_kg,
                                tradable=msg.quantity_kg))
    holding = Holding(lot_id=msg.lot_id, owner=msg.owner, tradable=msg.quantity_kg)
    await ledger.save_holding(holding)
    await ledger.record(holding, "mint", {"tradable": msg.quantity_kg},
                        reference=msg.calculation_id)
    return [DomainEvent("EventMint", {
        "lot_id": msg.lot_id,
        "owner": msg.owner,
        "quantity_kg": msg.quantity_kg,
        "methodology": msg.methodology,
        "methodology_version": msg.methodology_version,
        "vintage_start": msg.vintage_start,
        "vintage_end": msg.vintage_end,
        "site_id": msg.site_id,
        "calculation_id": msg.calculation_id,
    })]


def _lot_fields(msg: MsgMint, ctx: TxContext) -> dict[str, object]:
    return {
        "lot_id": msg.lot_id,
        "issued_kg": msg.quantity_kg,
        "vintage_start": msg.vintage_start,
        "vintage_end": msg.vintage_end,
        "methodology": msg.methodology,
        "methodology_version": msg.methodology_version,
        "site_id": msg.site_id,
        "equipment_id": msg.equipment_id,
        "calculation_id": msg.calculation_id,
        "meters_valid": msg.meters_valid,
        "first_owner": msg.owner,
        "minted_by": ctx.owner_key,
        "minted_at": ctx.timestamp.isoformat(),
        "mint_tx": ctx.tx_id,
    }
