"""Token-ledger moves the cross-chain bridge needs (`envalue.chaincode.domain.bridge`).

Units pledged to another network leave their owner's holding and sit, ``bridged_out``, in
the bridge's custody holding for that network (owner key ``envalue.bridge/<network>``).
No token message takes units out of ``bridged_out``, and no identity has the MSP ID
``envalue.bridge``, so custody units can only leave through these hooks, each of which
the bridge calls only with a verified proof from the partner ledger:

- `pledge_units`: owner tradable → custody bridged_out (supply tradable → bridged_out);
- `release_units`: custody bridged_out → a holder's tradable (return or reclaim);
- `retire_custody_units`: custody bridged_out → retired with a serial range (units
  retired on the partner, so they can never be used as an offset at home too);
- `lock_units` / `settle_lock`: the HTLC's escrow (an `Escrow` record, so the escrow
  invariant holds), closed to the recipient or back to the owner.

Only tradable units can be pledged or locked: retired, cancelled, bundled, escrowed and
bridged-out units never qualify.
"""

from __future__ import annotations

from envalue.chaincode.domain.errors import ConflictError

from .ledger import TokenLedger
from .msg_retire import RetirementInfo, retire_units
from .state import Escrow, Holding, Retirement

__all__ = [
    "CUSTODY_MSP",
    "custody_owner",
    "lock_units",
    "pledge_units",
    "release_units",
    "retire_custody_units",
    "settle_lock",
]

#: Pseudo MSP ID of the bridge's custody holdings (no real MSP carries it).
CUSTODY_MSP = "envalue.bridge"


def custody_owner(network_id: str) -> str:
    """Holder key of the custody holding for units bridged to `network_id`."""
    return f"{CUSTODY_MSP}/{network_id}"


def _require_tradable(holding: Holding, quantity: int, field: str, what: str) -> None:
    if quantity <= holding.tradable:
        return
    locked = [f"{getattr(holding, s)} kg {s}" for s in
              ("retired", "cancelled", "bundled", "escrowed", "bridged_out")
              if getattr(holding, s)]
    detail = f" ({', '.join(locked)} cannot be {what})" if locked else ""
    raise ConflictError(field, quantity, f"not-{what.replace(' ', '-')}",
                        f"holding {holding.label} has {holding.tradable} kg-CO2e tradable, "
                        f"{quantity} kg-CO2e requested{detail}")


async def pledge_units(ledger: TokenLedger, lot_id: str, owner: str, network_id: str,
                       quantity: int, reference: str, field: str = "quantity_kg") -> None:
    """Move `quantity` tradable units of `lot_id@owner` into custody for `network_id`."""
    holding = await ledger.existing_holding(lot_id, owner, "owner")
    _require_tradable(holding, quantity, field, "pledged")
    custody = await ledger.holding(lot_id, custody_owner(network_id))
    supply = await ledger.supply(lot_id)
    holding.move("tradable", None, quantity)
    custody.move(None, "bridged_out", quantity)
    supply.move("tradable", "bridged_out", quantity)
    for record in (holding, custody, supply):
        await (ledger.save_holding(record) if isinstance(record, Holding)
               else ledger.save(record))
    await ledger.record(holding, "bridge-pledge", {"tradable": -quantity},
                        counterparty=custody.owner, reference=reference)
    await ledger.record(custody, "bridge-pledge", {"bridged_out": quantity},
                        counterparty=owner, reference=reference)


async def _custody(ledger: TokenLedger, lot_id: str, network_id: str, quantity: int,
                   field: str) -> Holding:
    custody = await ledger.holding(lot_id, custody_owner(network_id))
    if quantity > custody.bridged_out:
        raise ConflictError(field, quantity, "exceeds-bridged",
                            f"only {custody.bridged_out} kg-CO2e of lot {lot_id!r} are "
                            f"bridged to {network_id!r}, {quantity} kg-CO2e requested")
    return custody


async def release_units(ledger: TokenLedger, lot_id: str, network_id: str, recipient: str,
                        quantity: int, reference: str, action: str,
                        field: str = "quantity_kg") -> None:
    """Move `quantity` bridged-out units of `lot_id` back to `recipient`'s tradable."""
    await ledger.lot(lot_id, "lot_id")
    custody = await _custody(ledger, lot_id, network_id, quantity, field)
    target = await ledger.holding(lot_id, recipient)
    supply = await ledger.supply(lot_id)
    custody.move("bridged_out", None, quantity)
    target.move(None, "tradable", quantity)
    supply.move("bridged_out", "tradable", quantity)
    await ledger.save_holding(custody)
    await ledger.save_holding(target)
    await ledger.save(supply)
    await ledger.record(custody, action, {"bridged_out": -quantity}, counterparty=recipient,
                        reference=reference)
    await ledger.record(target, action, {"tradable": quantity}, counterparty=custody.owner,
                        reference=reference)


async def retire_custody_units(ledger: TokenLedger, lot_id: str, network_id: str,
                               quantity: int, info: RetirementInfo, reference: str,
                               field: str = "quantity_kg") -> Retirement:
    """Retire `quantity` bridged-out units of `lot_id` (retired on `network_id`)."""
    await ledger.lot(lot_id, "lot_id")
    custody = await _custody(ledger, lot_id, network_id, quantity, field)
    retirement, _ = await retire_units(ledger, custody, quantity, info, source="bridged_out",
                                       action="bridge-retire", counterparty=reference)
    return retirement


async def lock_units(ledger: TokenLedger, escrow_id: str, lot_id: str, owner: str,
                     recipient: str, quantity: int, expires_at: str,
                     field: str = "quantity_kg") -> Escrow:
    """Escrow `quantity` tradable units of `lot_id@owner` for `recipient` (an HTLC)."""
    holding = await ledger.existing_holding(lot_id, owner, "owner")
    _require_tradable(holding, quantity, field, "locked")
    supply = await ledger.supply(lot_id)
    holding.move("tradable", "escrowed", quantity)
    supply.move("tradable", "escrowed", quantity)
    escrow = Escrow(escrow_id=escrow_id, lot_id=lot_id, owner=owner, counterparty=recipient,
                    quantity_kg=quantity, expires_at=expires_at, status="open",
                    opened_at=ledger.when, opened_tx=ledger.ctx.tx_id)
    await ledger.save_holding(holding)
    await ledger.save(supply)
    await ledger.save(escrow)
    await ledger.record(holding, "htlc-lock", {"tradable": -quantity, "escrowed": quantity},
                        counterparty=recipient, reference=escrow_id)
    return escrow


async def settle_lock(ledger: TokenLedger, escrow: Escrow, *, to_recipient: bool) -> None:
    """Close an HTLC escrow: units to the recipient (claim) or back to the owner (refund)."""
    if escrow.status != "open":
        raise ConflictError("htlc_id", escrow.escrow_id, "escrow-open",
                            f"escrow {escrow.escrow_id!r} is already {escrow.status}")
    quantity = escrow.quantity_kg
    holding = await ledger.holding(escrow.lot_id, escrow.owner)
    supply = await ledger.supply(escrow.lot_id)
    holding.move("escrowed", None if to_recipient else "tradable", quantity)
    supply.move("escrowed", "tradable", quantity)
    await ledger.save_holding(holding)
    await ledger.save(supply)
    if to_recipient:
        await ledger.record(holding, "htlc-claim-out", {"escrowed": -quantity},
                            counterparty=escrow.counterparty, reference=escrow.escrow_id)
        buyer = await ledger.holding(escrow.lot_id, escrow.counterparty)
        buyer.move(None, "tradable", quantity)
        await ledger.save_holding(buyer)
        await ledger.record(buyer, "htlc-claim-in", {"tradable": quantity},
                            counterparty=escrow.owner, reference=escrow.escrow_id)
    else:
        await ledger.record(holding, "htlc-refund", {"escrowed": -quantity,
                                                     "tradable": quantity},
                            counterparty=escrow.counterparty, reference=escrow.escrow_id)
    escrow.status = "settled" if to_recipient else "released"
    escrow.closed_at, escrow.closed_tx = ledger.when, ledger.ctx.tx_id
    escrow.closed_by = ledger.ctx.owner_key
    await ledger.save(escrow)
