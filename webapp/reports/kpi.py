"""KPI report for sustainability-linked loans and green bonds, from off-chain data.

Why these KPIs: lenders and bond investors ask for an emissions figure, an intensity, its
change against a baseline, the renewable share and how complete the data is. Each KPI is
computed for the report period and a baseline period from the same GHG inventory builder
(`ghg.build_ghg`, i.e. the `inventory` methodology) and the stored batches; its definition
is printed with it. Ratios are rounded half-even for display only. The period's ledger
section (reductions and retirements from the read model) is the GHG report's own
(`ledger.read_ledger_section`), so both reports state the same ledger figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from .ghg import GhgReport
from .offchain import StoredBatch, Window

__all__ = ["DEFINITIONS", "Kpi", "KpiReport", "PeriodFacts", "build_kpi", "period_facts"]

DEFINITIONS: dict[str, str] = {
    "emissions_kg": "Scope 1 + scope 2 location-based emissions (kg-CO2), from the GHG "
                    "inventory (methodology inventory v1) of the period.",
    "consumption_kwh": "Electricity consumed (kWh): the end-use meters (electricity) plus "
                       "auxiliary grid consumption (aux_grid); without end-use meters, the "
                       "scope 2 electricity plus PV generation not exported.",
    "intensity_kg_per_kwh": "Emissions intensity: emissions_kg / consumption_kwh "
                            "(kg-CO2/kWh), 6 decimals.",
    "intensity_kg_per_gj_heat": "Emissions per GJ of heat delivered (heat meters), "
                                "kg-CO2/GJ, 4 decimals.",
    "intensity_kg_per_output": "Emissions per unit of output as entered by the user, "
                               "4 decimals.",
    "renewable_share_pct": "Renewable share: (pv_generation - pv_export) / consumption_kwh "
                           "x 100, capped at 100; battery losses are not subtracted.",
    "pv_generation_kwh": "PV generation metered (kWh).",
    "data_coverage_pct": "Data coverage: hours covered by stored batches of the devices / "
                         "(devices x hours in the period) x 100.",
    "reading_acceptance_pct": "Reading acceptance: accepted / (accepted + rejected + gap + "
                              "reset) x 100 over the batches' quality reports.",
}
_PLACES = {"emissions_kg": 0, "intensity_kg_per_kwh": 6, "intensity_kg_per_gj_heat": 4,
           "intensity_kg_per_output": 4}


def _round(value: Decimal | None, places: int = 2) -> Decimal | None:
    if value is None:
        return None
    return value.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_EVEN)


def _ratio(a: Decimal | int | None, b: Decimal | int | None) -> Decimal | None:
    if a is None or b is None or Decimal(b) == 0:
        return None
    return Decimal(a) / Decimal(b)


@dataclass(frozen=True)
class PeriodFacts:
    """The raw facts of one period from which every KPI is computed."""

    window: Window
    ghg: GhgReport
    devices: tuple[str, ...]
    consumption_kwh: Decimal
    pv_generation_kwh: Decimal
    pv_export_kwh: Decimal
    heat_gj: Decimal | None
    covered_hours: Decimal
    quality: dict[str, int]
    output: Decimal | None

    def values(self) -> dict[str, Decimal | None]:
        emissions = self.ghg.emissions_kg
        expected_hours = Decimal(len(self.devices) * self.window.days * 24)
        self_used = max(Decimal(0), self.pv_generation_kwh - self.pv_export_kwh)
        share = _ratio(self_used * 100, self.consumption_kwh)
        q = self.quality
        seen = q.get("accepted", 0) + q.get("rejected", 0) + q.get("gap", 0) + q.get("reset", 0)
        return {
            "emissions_kg": None if emissions is None else Decimal(emissions),
            "consumption_kwh": self.consumption_kwh,
            "intensity_kg_per_kwh": _ratio(emissions, self.consumption_kwh),
            "intensity_kg_per_gj_heat": _ratio(emissions, self.heat_gj),
            "intensity_kg_per_output": _ratio(emissions, self.output),
            "renewable_share_pct": None if share is None else min(share, Decimal(100)),
            "pv_generation_kwh": self.pv_generation_kwh,
            "data_coverage_pct": _ratio(self.covered_hours * 100, expected_hours),
            "reading_acceptance_pct": _ratio(q.get("accepted", 0) * 100, seen),
        }


def period_facts(window: Window, ghg: GhgReport, devices: tuple[str, ...],
                 output: Decimal | None) -> PeriodFacts:
    """Facts of `window` from its inventory report and that report's batches."""
    totals = ghg.totals

    def total(q: str) -> Decimal:
        return totals[q][0] if q in totals else Decimal(0)

    pv, export = total("pv_generation"), total("pv_export")
    if "electricity" in totals:
        consumption = total("electricity") + total("aux_grid")
    else:
        consumption = ghg.electricity_kwh + max(Decimal(0), pv - export)
    quality: dict[str, int] = {}
    covered = Decimal(0)
    batches: list[StoredBatch] = ghg.batches
    for b in batches:
        for k, v in b.quality.items():
            quality[k] = quality.get(k, 0) + int(v)
        covered += Decimal((b.period_end - b.period_start).total_seconds()) / 3600
    return PeriodFacts(window, ghg, devices, consumption, pv, export,
                       totals["heat"][0] if "heat" in totals else None, covered, quality,
                       output)


@dataclass(frozen=True)
class Kpi:
    key: str
    unit: str
    current: Decimal | None
    baseline: Decimal | None
    change_pct: Decimal | None
    definition: str


@dataclass
class KpiReport:
    current: PeriodFacts
    baseline: PeriodFacts
    output_unit: str
    kpis: list[Kpi]

    def to_dict(self) -> dict[str, Any]:
        def text(v: Decimal | None) -> str | None:
            return None if v is None else str(v)

        ghg = self.current.ghg
        return {
            "report": "kpi",
            "organisation": ghg.request.organisation, "site": ghg.request.site,
            "period": {"first_day": self.current.window.first.isoformat(),
                       "last_day": self.current.window.last.isoformat()},
            "baseline": {"first_day": self.baseline.window.first.isoformat(),
                         "last_day": self.baseline.window.last.isoformat()},
            "devices": list(self.current.devices),
            "generated_by": ghg.generated_by, "generated_at": ghg.generated_at.isoformat(),
            "kpis": [{"key": k.key, "unit": k.unit, "current": text(k.current),
                      "baseline": text(k.baseline), "change_pct": text(k.change_pct),
                      "definition": k.definition} for k in self.kpis],
            "not_computed": {"current": ghg.to_dict()["not_computed"],
                             "baseline": self.baseline.ghg.to_dict()["not_computed"]},
            "factors": [f.as_row() for f in ghg.factors()],
            "baseline_factors": [f.as_row() for f in self.baseline.ghg.factors()],
            "batches": [b.batch_id for b in ghg.batches],
            "baseline_batches": [b.batch_id for b in self.baseline.ghg.batches],
            "ledger": ghg.ledger.to_dict(),
        }


_UNITS = {"emissions_kg": "kg-CO2", "consumption_kwh": "kWh",
          "intensity_kg_per_kwh": "kg-CO2/kWh", "intensity_kg_per_gj_heat": "kg-CO2/GJ",
          "renewable_share_pct": "%", "pv_generation_kwh": "kWh", "data_coverage_pct": "%",
          "reading_acceptance_pct": "%"}


def build_kpi(current: PeriodFacts, baseline: PeriodFacts, output_unit: str = "") -> KpiReport:
    """Every KPI for both periods, with the change against the baseline."""
    now, base = current.values(), baseline.values()
    kpis = []
    for key, definition in DEFINITIONS.items():
        if key == "intensity_kg_per_output" and current.output is None:
            continue
        if key == "intensity_kg_per_gj_heat" and current.heat_gj is None:
            continue
        places = _PLACES.get(key, 2)
        c, b = now[key], base[key]
        change = None if c is None else _ratio((c - b) * 100, b) if b is not None else None
        unit = _UNITS.get(key, f"kg-CO2/{output_unit or 'unit'}")
        kpis.append(Kpi(key, unit, _round(c, places), _round(b, places), _round(change),
                        definition))
    return KpiReport(current, baseline, output_unit, kpis)
