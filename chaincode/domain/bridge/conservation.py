"""Conservation across both ledgers: no unit is created or lost by bridging.

For every home lot bridged to `partner_network`, from the committed state of both
ledgers:

``issued = at_home + bridged_elsewhere + pledged_in_flight + wrapped_live
+ retired_unreported + burned_unreleased``

- ``at_home``: the lot's units in any state but ``bridged_out`` at home;
- ``bridged_elsewhere``: bridged to other networks (0 with one partner);
- ``pledged_in_flight``: open pledges to the partner not claimed there (not yet, or voided
  and awaiting reclaim);
- ``wrapped_live``: wrapped units tradable or HTLC-locked on the partner;
- ``retired_unreported``: retired on the partner, not yet recorded at home;
- ``burned_unreleased``: burned on the partner, not yet released at home.

and the custody holding for the partner holds exactly the last four. Both ledgers' own
audits (`tokens.invariants.audit_supply`, `wrapped.invariants.audit_wrapped`) must be
balanced too. Reading both stores needs both ledgers, so this runs off-ledger (tests, the
bridge service's reconciliation), never in chaincode.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from envalue.chaincode.domain.store import Store, composite_key
from envalue.chaincode.domain.tokens.bridge_hooks import custody_owner
from envalue.chaincode.domain.tokens.invariants import audit_supply
from envalue.chaincode.domain.tokens.state import HOLDING, Holding, load_or_none
from envalue.chaincode.domain.wrapped.invariants import audit_wrapped
from envalue.chaincode.domain.wrapped.state import (
    BURN,
    ORIGIN,
    RETIREMENT,
    Burn,
    OriginEntry,
    WrappedRetirement,
)

from .state import PARTNER_RETIREMENT, PLEDGE, PLEDGED, RETURN, Pledge

__all__ = ["ConservationReport", "LotBalance", "check_conservation"]


@dataclass
class LotBalance:
    lot_id: str
    issued: int
    at_home: int
    bridged_elsewhere: int
    custody: int
    pledged_in_flight: int = 0
    wrapped_live: int = 0
    retired_unreported: int = 0
    burned_unreleased: int = 0

    @property
    def accounted(self) -> int:
        return (self.at_home + self.bridged_elsewhere + self.pledged_in_flight
                + self.wrapped_live + self.retired_unreported + self.burned_unreleased)

    @property
    def outside(self) -> int:
        return (self.pledged_in_flight + self.wrapped_live + self.retired_unreported
                + self.burned_unreleased)


@dataclass
class ConservationReport:
    lots: dict[str, LotBalance] = field(default_factory=dict)
    problems: list[str] = field(default_factory=list)

    @property
    def balanced(self) -> bool:
        return not self.problems


async def check_conservation(home: Store, partner: Store, *, home_network: str,
                             partner_network: str) -> ConservationReport:
    report = ConservationReport()
    home_audit = await audit_supply(home)
    report.problems += [f"home {lot.lot_id}: {p}" for lot in home_audit.lots
                        for p in lot.problems]
    wrapped_audit = await audit_wrapped(partner)
    report.problems += [f"partner: {p}" for p in wrapped_audit.problems]
    custody_key = custody_owner(partner_network)
    for lot in home_audit.lots:
        custody = await load_or_none(home, Holding,
                                     composite_key(HOLDING, lot.lot_id, custody_key))
        custody_kg = custody.bridged_out if custody else 0
        bridged = lot.supply["bridged_out"]
        report.lots[lot.lot_id] = LotBalance(
            lot_id=lot.lot_id, issued=lot.issued, at_home=lot.issued - bridged,
            bridged_elsewhere=bridged - custody_kg, custody=custody_kg)
    unknown: dict[str, int] = defaultdict(int)

    def add(lot_id: str, name: str, quantity: int) -> None:
        balance = report.lots.get(lot_id)
        if balance is None:
            unknown[lot_id] += quantity
        else:
            setattr(balance, name, getattr(balance, name) + quantity)

    async for _, raw in home.scan(PLEDGE):
        pledge = Pledge.from_bytes(raw)
        if pledge.status != PLEDGED or pledge.target_network != partner_network:
            continue
        entry = await load_or_none(partner, OriginEntry,
                                   composite_key(ORIGIN, home_network, pledge.pledge_id))
        if entry is None or entry.status != "claimed":
            add(pledge.lot_id, "pledged_in_flight", pledge.quantity_kg)
    for denom in wrapped_audit.denoms.values():
        if denom.source_network == home_network:
            add(denom.lot_id, "wrapped_live", denom.tradable + denom.locked)
    async for _, raw in partner.scan(RETIREMENT):
        retirement = WrappedRetirement.from_bytes(raw)
        if retirement.source_network == home_network and await home.get(composite_key(
                PARTNER_RETIREMENT, partner_network, retirement.retirement_id)) is None:
            add(retirement.lot_id, "retired_unreported", retirement.quantity_kg)
    async for _, raw in partner.scan(BURN):
        burn = Burn.from_bytes(raw)
        if burn.source_network == home_network and await home.get(composite_key(
                RETURN, partner_network, burn.burn_id)) is None:
            add(burn.lot_id, "burned_unreleased", burn.quantity_kg)
    report.problems += [f"{kg} kg on the partner from unknown lot {lot_id!r}"
                        for lot_id, kg in unknown.items()]
    for balance in report.lots.values():
        if balance.accounted != balance.issued:
            report.problems.append(f"lot {balance.lot_id}: issued {balance.issued} != "
                                   f"accounted {balance.accounted}")
        if balance.outside != balance.custody:
            report.problems.append(f"lot {balance.lot_id}: custody {balance.custody} != "
                                   f"outside {balance.outside}")
    return report
