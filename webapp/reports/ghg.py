"""The GHG inventory report: scope 1 and scope 2 of a period from off-chain totals.

Why the methodology and not a formula here: the figures come from the very
``calculate('inventory', …)`` the chaincode runs, with inputs assembled from the stored
batches' totals and the factor values resolved in `factors`, so the report equals what a
ledger calculation of the same inputs would record. The report names every batch and factor
version it used. Reductions and retirements are ledger records, listed from the read model
with its lag (`ledger.read_ledger_section`); the fuel and grid factors are preferably the
versions governance activated on the ledger (`factors.resolve_fuels`, `factors.ledger_grid`).

Scope 2 electricity: by default the grid-side quantities (``electricity_import``,
``aux_grid``, ``battery_charge_grid``) when the selection meters any of them (a site
metered at its grid connection, where ``electricity`` is end use that includes
self-consumed PV), otherwise ``electricity``. The user may name the quantities instead.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any

from envalue.chaincode.domain.methodologies import InventoryResult, get_methodology

from .factors import FUEL_CHOICES, FactorUse, FuelFactorUse, FuelLine, fuel_line
from .ledger import LedgerSection
from .offchain import StoredBatch, Window

__all__ = ["GRID_SIDE", "GhgReport", "GhgRequest", "LedgerSection", "build_ghg",
           "default_electricity", "sum_totals"]

GRID_SIDE: tuple[str, ...] = ("electricity_import", "aux_grid", "battery_charge_grid")
METHODOLOGY = ("inventory", "1")


@dataclass(frozen=True)
class GhgRequest:
    """What the user asked for; empty strings mean "not given"."""

    window: Window
    devices: tuple[str, ...] | None = None
    organisation: str = ""
    site: str = ""
    owner_msp: str = ""  # ledger records of this org ("" = the user's scope)
    site_id: str = ""  # ledger records of this registered site ("" = every site)
    fuel_types: dict[str, str] = field(default_factory=dict)
    electricity_quantities: tuple[str, ...] | None = None
    ef_grid: FactorUse | None = None
    ef_market: FactorUse | None = None
    certificates_kwh: Decimal | None = None
    certificates_source: str = ""


@dataclass
class GhgReport:
    """Every figure of the report with the inputs, batches and factors behind it."""

    request: GhgRequest
    generated_by: str
    generated_at: datetime
    batches: list[StoredBatch]
    straddling: list[StoredBatch]
    totals: dict[str, tuple[Decimal, str]]
    fuel_lines: list[FuelLine]
    missing_fuels: dict[str, str]
    electricity_quantities: tuple[str, ...]
    electricity_kwh: Decimal
    grid: FactorUse | None
    grid_reason: str
    ef_market: FactorUse | None
    market_reason: str
    result: InventoryResult
    formula_hash: str
    ledger: LedgerSection

    # -- the reported figures (None = not computable, with the reason beside it) -------
    @property
    def scope1_kg(self) -> int:
        return self.result.scope1_kg

    @property
    def scope2_location_kg(self) -> int | None:
        return self.result.scope2_location_kg if self.grid else None

    @property
    def scope2_market_kg(self) -> int | None:
        return self.result.scope2_market_kg if self.grid and not self.market_reason else None

    @property
    def emissions_kg(self) -> int | None:
        return self.result.emissions_kg if self.grid else None

    @property
    def devices(self) -> list[str]:
        return sorted({b.device_id for b in self.batches})

    def factors(self) -> list[FactorUse]:
        used = [line.factor_use() for line in self.fuel_lines]
        if self.grid:
            used.append(self.grid)
        if self.ef_market and not self.market_reason:
            used.append(self.ef_market)
        return used

    def figures(self) -> list[tuple[str, int | None, str]]:
        """(key, kg or None, why not) in report order."""
        return [
            ("scope1_kg", self.scope1_kg,
             "" if not self.missing_fuels else "incomplete: " + "; ".join(
                 f"{q}: {why}" for q, why in self.missing_fuels.items())),
            ("scope2_location_kg", self.scope2_location_kg, self.grid_reason),
            ("scope2_market_kg", self.scope2_market_kg,
             self.grid_reason or self.market_reason),
            ("emissions_kg", self.emissions_kg, self.grid_reason),
        ]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready (decimals as strings), the API's answer."""
        r = self.request
        return {
            "report": "ghg-inventory",
            "organisation": r.organisation, "site": r.site,
            "period": {"first_day": r.window.first.isoformat(),
                       "last_day": r.window.last.isoformat(),
                       "start": r.window.start.isoformat(), "end": r.window.end.isoformat(),
                       "time_zone": "Asia/Tokyo"},
            "generated_by": self.generated_by,
            "generated_at": self.generated_at.isoformat(),
            "methodology": {"name": self.result.methodology, "version": self.result.version,
                            "formula_hash": self.formula_hash},
            "figures": {k: v for k, v, _ in self.figures()},
            "not_computed": {k: why for k, v, why in self.figures() if why},
            "electricity": {"quantities": list(self.electricity_quantities),
                            "kwh": str(self.electricity_kwh)},
            "certificates_kwh": (None if r.certificates_kwh is None
                                 else str(r.certificates_kwh)),
            "fuel_lines": [{"quantity": ln.quantity, "fuel": ln.factor.key,
                            "metered": str(ln.metered_total), "metered_unit": ln.metered_unit,
                            "amount": str(ln.amount), "unit": ln.factor.unit}
                           for ln in self.fuel_lines],
            "totals": {q: {"value": str(v), "unit": u} for q, (v, u) in self.totals.items()},
            "factors": [f.as_row() for f in self.factors()],
            "trace": dict(self.result.trace),
            "batches": [{"batch_id": b.batch_id, "device_id": b.device_id,
                         "period_start": b.period_start.isoformat(),
                         "period_end": b.period_end.isoformat(), "readings": b.count,
                         "merkle_root": b.merkle_root, "quality": b.quality}
                        for b in self.batches],
            "excluded_batches": [{"batch_id": b.batch_id, "device_id": b.device_id,
                                  "reason": "period straddles the report period"}
                                 for b in self.straddling],
            "ledger": self.ledger.to_dict(),
        }


def sum_totals(batches: list[StoredBatch]) -> dict[str, tuple[Decimal, str]]:
    """Exact sums per quantity over `batches` (units are canonical, hence one per quantity)."""
    sums: dict[str, Decimal] = defaultdict(Decimal)
    units: dict[str, str] = {}
    for b in batches:
        for q, (v, u) in b.totals.items():
            sums[q] += v
            units[q] = u
    return {q: (sums[q], units[q]) for q in sorted(sums)}


def default_electricity(totals: dict[str, tuple[Decimal, str]]) -> tuple[str, ...]:
    """The scope 2 quantities by the rule in the module docstring."""
    grid_side = tuple(q for q in GRID_SIDE if q in totals)
    if grid_side:
        return grid_side
    return ("electricity",) if "electricity" in totals else ()


def _fuel_lines(totals: dict[str, tuple[Decimal, str]], chosen: dict[str, str],
                factors: Mapping[str, FuelFactorUse]) -> tuple[list[FuelLine], dict[str, str]]:
    lines: list[FuelLine] = []
    missing: dict[str, str] = {}
    for quantity, keys in FUEL_CHOICES.items():
        if quantity not in totals:
            continue
        total, unit = totals[quantity]
        key = chosen.get(quantity) or (keys[0] if len(keys) == 1 else "")
        if not key:
            missing[quantity] = (f"{total} {unit} metered, fuel type not chosen "
                                 f"(one of {', '.join(keys)})")
            continue
        lines.append(fuel_line(quantity, total, unit, factors[key]))
    return lines, missing


def build_ghg(request: GhgRequest, batches: list[StoredBatch], straddling: list[StoredBatch],
              *, fuels: Mapping[str, FuelFactorUse], grid: FactorUse | None, grid_reason: str,
              ledger: LedgerSection, generated_by: str, now: datetime | None = None
              ) -> GhgReport:
    """Assemble the inventory inputs from `batches` and run the methodology once;
    `fuels` holds the factor of every fuel choice (`factors.resolve_fuels`)."""
    totals = sum_totals(batches)
    lines, missing = _fuel_lines(totals, request.fuel_types, fuels)
    quantities = (request.electricity_quantities if request.electricity_quantities is not None
                  else default_electricity(totals))
    kwh = sum((totals[q][0] for q in quantities if q in totals), Decimal(0))
    market_reason = ""
    inputs: dict[str, Any] = {"fuels": [ln.inputs() for ln in lines]}
    if grid is None:  # scope 1 alone: scope 2 terms are zero and not reported
        inputs |= {"electricity_kwh": "0", "ef_grid": "0"}
    else:
        inputs |= {"electricity_kwh": str(kwh), "ef_grid": grid.value}
        if request.ef_market is not None:
            inputs["ef_market"] = request.ef_market.value
        if request.certificates_kwh is None:
            market_reason = ("renewable-energy certificates (kWh) retired for this site and "
                             "period are not among the ledger records the portal reads; "
                             "enter their kWh to compute the market-based figure")
        else:
            inputs["certificates_kwh"] = str(request.certificates_kwh)
    methodology = get_methodology(*METHODOLOGY)
    result = methodology.calculate(inputs)
    assert isinstance(result, InventoryResult)
    ef_market = request.ef_market
    if grid is not None and ef_market is None and not market_reason:
        ef_market = FactorUse("ef_market", grid.value, grid.unit,
                              "defaults to ef_grid (inventory v1)", grid.version)
    return GhgReport(
        request=request, generated_by=generated_by,
        generated_at=now or datetime.now(UTC), batches=batches, straddling=straddling,
        totals=totals, fuel_lines=lines, missing_fuels=missing,
        electricity_quantities=tuple(quantities), electricity_kwh=kwh, grid=grid,
        grid_reason=grid_reason if grid is None else "", ef_market=ef_market,
        market_reason=market_reason, result=result,
        formula_hash=methodology.formula_hash, ledger=ledger)
