"""Supply invariants of the token ledger, checked from committed state (like regen's
``keeper/invariants.go``).

For every lot:

1. ``issued = tradable + escrowed + retired + bundled + bridged_out + cancelled``
   (the lot's supply record);
2. for every state, the holdings of the lot sum to the supply record's figure;
3. no holding or supply figure is negative;
4. open escrows of each holding sum to its ``escrowed`` balance;
5. retirement records cover serials ``1..next_serial-1`` exactly once and sum to
   ``retired``.

`audit_supply` returns the figures per lot and lists every broken rule; it never raises
for an imbalance (a query must report, not hide, a broken ledger).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from envalue.chaincode.domain.store import Store, composite_key

from .state import (
    ESCROW,
    HOLDING,
    RETIREMENT,
    SUPPLY,
    TOKEN_STATES,
    Escrow,
    Holding,
    LotSupply,
    Retirement,
    load,
)

__all__ = ["LotAudit", "SupplyAudit", "audit_supply"]


@dataclass
class LotAudit:
    """One lot's figures and the rules it breaks (empty `problems`: balanced)."""

    lot_id: str
    issued: int
    supply: dict[str, int]
    holdings: dict[str, int]
    holding_count: int
    open_escrow_kg: int
    retired_serials_kg: int
    problems: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.problems

    def to_dict(self) -> dict[str, object]:
        return {
            "lot_id": self.lot_id, "issued": self.issued, "supply": self.supply,
            "holdings": self.holdings, "holding_count": self.holding_count,
            "open_escrow_kg": self.open_escrow_kg,
            "retired_serials_kg": self.retired_serials_kg,
            "balanced": self.balanced, "problems": self.problems,
        }


@dataclass
class SupplyAudit:
    lots: list[LotAudit]

    @property
    def balanced(self) -> bool:
        return all(lot.balanced for lot in self.lots)

    @property
    def totals(self) -> dict[str, int]:
        totals = {"issued": sum(lot.issued for lot in self.lots)}
        for state in TOKEN_STATES:
            totals[state] = sum(lot.supply[state] for lot in self.lots)
        return totals

    def to_dict(self) -> dict[str, object]:
        return {"balanced": self.balanced, "totals": self.totals,
                "lots": [lot.to_dict() for lot in self.lots]}


async def _audit_lot(store: Store, supply: LotSupply, escrows: list[Escrow]) -> LotAudit:
    problems: list[str] = []
    lot = supply.lot_id
    states = supply.states()
    if supply.total != supply.issued:
        problems.append(f"issued {supply.issued} != sum of states {supply.total}")
    problems += [f"supply {s} is negative ({v})" for s, v in states.items() if v < 0]
    sums = dict.fromkeys(TOKEN_STATES, 0)
    escrowed_by_owner: dict[str, int] = defaultdict(int)
    for escrow in escrows:
        if escrow.status == "open":
            escrowed_by_owner[escrow.owner] += escrow.quantity_kg
    count = 0
    async for _, raw in store.scan(HOLDING, lot):
        holding = Holding.from_bytes(raw)
        count += 1
        for state, value in holding.states().items():
            sums[state] += value
            if value < 0:
                problems.append(f"holding {holding.label} {state} is negative ({value})")
        if holding.escrowed != escrowed_by_owner.pop(holding.owner, 0):
            problems.append(f"holding {holding.label} escrowed {holding.escrowed} != open "
                            "escrows")
    problems += [f"open escrow of {owner} without holding" for owner in escrowed_by_owner]
    problems += [f"holdings {s} {sums[s]} != supply {states[s]}"
                 for s in TOKEN_STATES if sums[s] != states[s]]
    expected_first, retired = 1, 0
    async for _, raw in store.scan(RETIREMENT, lot):
        record = Retirement.from_bytes(raw)
        if record.serial_first != expected_first or record.serial_last < record.serial_first:
            problems.append(f"retirement {record.serial} does not follow serial "
                            f"{expected_first - 1}")
        expected_first = record.serial_last + 1
        retired += record.quantity_kg
    if expected_first != supply.next_serial:
        problems.append(f"next serial {supply.next_serial} != {expected_first}")
    if retired != supply.retired:
        problems.append(f"retirement records {retired} != retired {supply.retired}")
    return LotAudit(
        lot_id=lot, issued=supply.issued, supply=states, holdings=sums,
        holding_count=count, open_escrow_kg=sum(e.quantity_kg for e in escrows
                                                if e.status == "open"),
        retired_serials_kg=retired, problems=problems,
    )


async def audit_supply(store: Store, lot_id: str | None = None) -> SupplyAudit:
    """Prove the supply equation for lot `lot_id` (NotFoundError if unknown) or all lots."""
    escrows: dict[str, list[Escrow]] = defaultdict(list)
    async for _, raw in store.scan(ESCROW):
        escrow = Escrow.from_bytes(raw)
        if lot_id is None or escrow.lot_id == lot_id:
            escrows[escrow.lot_id].append(escrow)
    if lot_id is not None:
        supply = await load(store, LotSupply, composite_key(SUPPLY, lot_id), "lot_id", lot_id)
        return SupplyAudit([await _audit_lot(store, supply, escrows[lot_id])])
    lots = []
    async for _, raw in store.scan(SUPPLY):
        supply = LotSupply.from_bytes(raw)
        lots.append(await _audit_lot(store, supply, escrows[supply.lot_id]))
    return SupplyAudit(lots)
