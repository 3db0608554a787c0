"""The metered quantities the ledger knows, their canonical units, and fuel unit scaling.

Same names and units as the ingestion's `envalue.ingest.quantities.DEFAULT_QUANTITIES`
(a unit test keeps the two lists equal): batch totals arrive in these units, and meters
register their channels in them. Fuel factors are per ``kL`` / ``thousand Nm3`` / ``t``
while the ingestion totals fuel in ``L`` / ``Nm3`` / ``kg``; `FUEL_QUANTITY_OF_UNIT`
relates them (exactly ÷ 1000).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from envalue.chaincode.domain.errors import ValidationError

__all__ = [
    "CANONICAL_UNITS",
    "FUEL_QUANTITY_OF_UNIT",
    "FUEL_UNITS",
    "check_quantity_unit",
    "fuel_in_factor_unit",
]

#: quantity -> canonical unit.
CANONICAL_UNITS: dict[str, str] = {
    "electricity": "kWh",
    "electricity_import": "kWh",
    "electricity_export": "kWh",
    "pv_generation": "kWh",
    "pv_export": "kWh",
    "aux_grid": "kWh",
    "battery_charge_pv": "kWh",
    "battery_charge_grid": "kWh",
    "battery_discharge": "kWh",
    "heat": "GJ",
    "fuel": "L",
    "fuel_gas": "Nm3",
    "fuel_mass": "kg",
    "steam": "kg",
    "water": "m3",
}

#: Fuel factor unit -> (metered fuel quantity, its canonical unit, decimal exponent of
#: the factor unit in canonical units: 1 kL = 10**3 L).
FUEL_QUANTITY_OF_UNIT: dict[str, tuple[str, str, int]] = {
    "kL": ("fuel", "L", 3),
    "thousand Nm3": ("fuel_gas", "Nm3", 3),
    "t": ("fuel_mass", "kg", 3),
}
FUEL_UNITS: tuple[str, ...] = tuple(FUEL_QUANTITY_OF_UNIT)


def check_quantity_unit(quantity: Any, unit: Any, path: str) -> None:
    """`quantity` is known and `unit` is its canonical unit."""
    if quantity not in CANONICAL_UNITS:
        raise ValidationError(
            f"{path}.quantity", quantity, "known-quantity",
            f"{quantity!r} is not a platform quantity ({', '.join(sorted(CANONICAL_UNITS))})",
        )
    expected = CANONICAL_UNITS[quantity]
    if unit != expected:
        raise ValidationError(
            f"{path}.unit", unit, "canonical-unit",
            f"{quantity} is recorded in {expected}, not {unit!r}",
        )


def fuel_in_factor_unit(total: Decimal, factor_unit: str) -> Decimal:
    """A metered fuel total (L, Nm3, kg) in its factor's unit (kL, thousand Nm3, t), exactly."""
    _quantity, _unit, exponent = FUEL_QUANTITY_OF_UNIT[factor_unit]
    return total.scaleb(-exponent)
