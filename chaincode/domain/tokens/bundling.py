"""Moving a holding's units into and out of the ``bundled`` state (used by credits).

Bundling is not a transfer: the contributor keeps the holding, its units are locked while
a monitoring report is collected and verified, and stay ``bundled`` for good once credits
are issued from them. A rejected report returns them with `unbundle_holding`.
"""

from __future__ import annotations

from envalue.chaincode.domain.errors import ConflictError

from .ledger import TokenLedger

__all__ = ["bundle_holding", "unbundle_holding"]


async def bundle_holding(ledger: TokenLedger, lot_id: str, owner: str, reference: str,
                         field: str) -> int:
    """Lock the whole tradable balance of holding `lot_id@owner`; returns the kg locked.

    A holding with nothing tradable is refused with the reason (retired, already bundled,
    escrowed, cancelled or empty)."""
    holding = await ledger.existing_holding(lot_id, owner, field)
    quantity = holding.tradable
    if quantity == 0:
        reasons = [s for s in ("retired", "bundled", "escrowed", "cancelled", "bridged_out")
                   if getattr(holding, s)]
        state = " and ".join(f"{getattr(holding, s)} kg {s}" for s in reasons) or "nothing"
        rule = f"already-{reasons[0]}" if reasons else "empty"
        raise ConflictError(field, holding.label, rule,
                            f"holding {holding.label} has no tradable units to bundle "
                            f"({state})")
    supply = await ledger.supply(lot_id)
    holding.move("tradable", "bundled", quantity)
    supply.move("tradable", "bundled", quantity)
    await ledger.save_holding(holding)
    await ledger.save(supply)
    await ledger.record(holding, "bundle", {"tradable": -quantity, "bundled": quantity},
                        reference=reference)
    return quantity


async def unbundle_holding(ledger: TokenLedger, lot_id: str, owner: str, quantity: int,
                           reference: str) -> None:
    """Return `quantity` bundled units of a holding to tradable (report rejected)."""
    holding = await ledger.holding(lot_id, owner)
    supply = await ledger.supply(lot_id)
    holding.move("bundled", "tradable", quantity)
    supply.move("bundled", "tradable", quantity)
    await ledger.save_holding(holding)
    await ledger.save(supply)
    await ledger.record(holding, "unbundle", {"bundled": -quantity, "tradable": quantity},
                        reference=reference)
