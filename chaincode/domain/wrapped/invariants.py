"""Supply invariants of the wrapped ledger, from committed state.

Per denomination: ``minted = tradable + locked + burned + retired``; holdings sum to
the denomination's tradable, locked and retired; locked HTLCs sum to each holding's
locked balance; the claimed origin entries sum to ``minted``; nothing is negative.
Returns the problems found, never raises for an imbalance.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from envalue.chaincode.domain.store import Store

from .state import DENOM, HOLDING, HTLC, ORIGIN, Denom, OriginEntry, WrappedHolding, WrappedHtlc

__all__ = ["WrappedAudit", "audit_wrapped"]


@dataclass
class WrappedAudit:
    denoms: dict[str, Denom] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.problems


async def audit_wrapped(store: Store) -> WrappedAudit:
    audit = WrappedAudit()
    claimed: dict[tuple[str, str], int] = defaultdict(int)
    async for _, raw in store.scan(ORIGIN):
        entry = OriginEntry.from_bytes(raw)
        if entry.status == "claimed":
            claimed[(entry.source_network, entry.lot_id)] += entry.quantity_kg
    locked: dict[tuple[str, str, str], int] = defaultdict(int)
    async for _, raw in store.scan(HTLC):
        htlc = WrappedHtlc.from_bytes(raw)
        if htlc.status == "locked":
            locked[(htlc.source_network, htlc.lot_id, htlc.owner)] += htlc.quantity_kg
    async for _, raw in store.scan(DENOM):
        denom = Denom.from_bytes(raw)
        audit.denoms[denom.denom] = denom
        p = audit.problems
        states = {"tradable": denom.tradable, "locked": denom.locked, "burned": denom.burned,
                  "retired": denom.retired}
        p += [f"{denom.denom} {s} negative" for s, v in states.items() if v < 0]
        if denom.minted != sum(states.values()):
            p.append(f"{denom.denom} minted {denom.minted} != sum of states")
        if denom.minted != claimed.pop((denom.source_network, denom.lot_id), 0):
            p.append(f"{denom.denom} minted {denom.minted} != claimed pledges")
        sums = dict.fromkeys(("tradable", "locked", "retired"), 0)
        async for _, hraw in store.scan(HOLDING, denom.source_network, denom.lot_id):
            holding = WrappedHolding.from_bytes(hraw)
            for state in sums:
                value = getattr(holding, state)
                sums[state] += value
                if value < 0:
                    p.append(f"{holding.label} {state} negative")
            expected = locked.pop((denom.source_network, denom.lot_id, holding.owner), 0)
            if holding.locked != expected:
                p.append(f"{holding.label} locked {holding.locked} != HTLCs {expected}")
        p += [f"{denom.denom} holdings {s} {v} != {getattr(denom, s)}"
              for s, v in sums.items() if v != getattr(denom, s)]
    audit.problems += [f"claims without denomination: {k}" for k in claimed]
    audit.problems += [f"HTLC locks without holding: {k}" for k in locked]
    return audit
