"""Which emission factor values a report uses, and where each came from.

Why a module: every figure must be traceable to a factor version. Fuel factors come from
the built-in genesis set `jp-fuel-ordinance-table1` (the data governance registers on the
ledger); grid factors come, in order, from a value the user types (with its source), from
the portal's ``REPORT_GRID_FACTORS`` setting (``{fiscal_year: {"value", "source", "set",
"version"}}``), or from the built-in `jp-grid-electricity` set, whose entries carry no
verified value. When no valued grid factor exists the caller gets the reason, never a
number.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from envalue.chaincode.domain.factors import FUEL_FACTOR_SET, GRID_FACTOR_SET, FuelFactor
from envalue.chaincode.domain.measurement.quantities import (
    FUEL_QUANTITY_OF_UNIT,
    fuel_in_factor_unit,
)
from envalue.chaincode.domain.quantity import to_exact
from envalue.ingest.decimals import decimal_text

from .offchain import Window

__all__ = ["FUEL_CHOICES", "FactorUse", "FuelLine", "fiscal_year", "fuel_line", "resolve_grid",
           "user_factor"]

#: metered fuel quantity -> the built-in fuel factor keys measured in its unit.
FUEL_CHOICES: dict[str, tuple[str, ...]] = {
    quantity: tuple(f.key for f in FUEL_FACTOR_SET.entries
                    if isinstance(f, FuelFactor) and f.unit == unit)
    for unit, (quantity, _canonical, _exp) in FUEL_QUANTITY_OF_UNIT.items()
}


@dataclass(frozen=True)
class FactorUse:
    """One factor value as used in a report: value text, unit and provenance."""

    name: str
    value: str
    unit: str
    source: str
    version: str
    note: str = ""

    def as_row(self) -> dict[str, str]:
        return {"factor": self.name, "value": self.value, "unit": self.unit,
                "source": self.source, "version": self.version, "note": self.note}


@dataclass(frozen=True)
class FuelLine:
    """A scope 1 line: a metered fuel total in its factor's unit and the factor used."""

    quantity: str
    metered_total: Decimal
    metered_unit: str
    factor: FuelFactor
    amount: Decimal

    def inputs(self) -> dict[str, str]:
        """The `inventory` methodology's fuel line (exact strings)."""
        return {"fuel": self.factor.fuel, "amount": str(self.amount),
                "hv": str(self.factor.hv_gj_per_unit), "cef": self.factor.cef_expression}

    def factor_use(self) -> FactorUse:
        f = self.factor
        return FactorUse(
            f"{self.quantity}: {f.key}",
            f"hv {f.hv_gj_per_unit} GJ/{f.unit}; cef {f.cef_expression} t-CO2/GJ",
            f"GJ/{f.unit}; t-CO2/GJ", f.source,
            f"{FUEL_FACTOR_SET.name} v{FUEL_FACTOR_SET.version}", f.note)


def fiscal_year(day: date) -> int:
    """Japanese fiscal year (1 April – 31 March) containing `day`."""
    return day.year if day.month >= 4 else day.year - 1


def fuel_line(quantity: str, total: Decimal, unit: str, key: str) -> FuelLine:
    """The fuel line for a metered `quantity` burnt as fuel `key` (one of FUEL_CHOICES)."""
    factor = next(f for f in FUEL_FACTOR_SET.entries
                  if isinstance(f, FuelFactor) and f.key == key)
    amount = Decimal(decimal_text(fuel_in_factor_unit(total, factor.unit)))
    return FuelLine(quantity, total, unit, factor, amount)


def user_factor(name: str, text: str, unit: str, source: str, who: str) -> FactorUse:
    """A factor value typed by the user, checked as an exact non-negative number."""
    value = to_exact(text.strip(), name)
    if value < 0:
        from envalue.chaincode.domain.errors import ValidationError

        raise ValidationError(name, text, "non-negative", "must not be negative")
    return FactorUse(name, text.strip(), unit, source.strip() or "not stated",
                     f"supplied by {who}")


def resolve_grid(window: Window, config: Mapping[str, Any]
                 ) -> tuple[FactorUse | None, str]:
    """The registered grid factor for `window`, or None and the reason there is none."""
    years = {fiscal_year(window.first), fiscal_year(window.last)}
    if len(years) > 1:
        return None, (f"the period spans fiscal years {min(years)}–{max(years)}, whose grid "
                      "factors differ: report each fiscal year separately or enter the "
                      "factor to apply")
    year = years.pop()
    configured = (config.get("REPORT_GRID_FACTORS") or {})
    entry = configured.get(year) or configured.get(str(year))
    if entry and entry.get("value"):
        return FactorUse("ef_grid", str(entry["value"]), "t-CO2/kWh",
                         str(entry.get("source", "portal setting REPORT_GRID_FACTORS")),
                         f"{entry.get('set', 'REPORT_GRID_FACTORS')} "
                         f"v{entry.get('version', '?')} FY{year}"), ""
    for grid in GRID_FACTOR_SET.entries:
        if getattr(grid, "fiscal_year", None) == year:
            if grid.value_t_co2_per_kwh is not None:  # type: ignore[union-attr]
                return FactorUse("ef_grid", str(grid.value_t_co2_per_kwh),  # type: ignore[union-attr]
                                 "t-CO2/kWh", grid.source,
                                 f"{GRID_FACTOR_SET.name} v{GRID_FACTOR_SET.version} "
                                 f"{grid.key}"), ""
            return None, (f"no valued grid factor for FY{year}: {GRID_FACTOR_SET.name} "
                          f"v{GRID_FACTOR_SET.version} entry {grid.key} has no registered "
                          "value (only the published range); enter the supplier's factor")
    return None, (f"no grid factor is registered for FY{year}; enter the supplier's factor")
