"""Quantities the platform meters, their canonical units, and wide-CSV column names.

Why: totals are only comparable when each quantity is always expressed in one unit
(electricity in kWh, heat in GJ, a volume in the unit the quantity declares). A quantity
not listed here is rejected (`unknown_quantity`) rather than guessed; pass your own
`QuantityRegistry` to extend it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from envalue.chaincode.domain.measurement.quantities import CANONICAL_UNITS

__all__ = [
    "DEFAULT_QUANTITIES",
    "DEFAULT_WIDE_COLUMNS",
    "QuantityRegistry",
    "QuantitySpec",
    "normalise_column_name",
]


@dataclass(frozen=True, slots=True)
class QuantitySpec:
    """A metered quantity and the unit every value of it is normalised to."""

    name: str
    unit: str
    description: str = ""


_DESCRIPTIONS: dict[str, str] = {
    "heat": "heat delivered",
    "fuel": "liquid fuel consumed (heavy oil, kerosene, diesel)",
    "fuel_gas": "gaseous fuel consumed (city gas), normal volume",
    "fuel_mass": "fuel consumed by mass (LPG, LNG)",
    "steam": "steam evaporated",
    "water": "feed water",
}

# The platform's quantity vocabulary is defined once, beside the chaincode that maps
# quantities onto methodology inputs; ingestion adds only descriptions.
DEFAULT_QUANTITIES: tuple[QuantitySpec, ...] = tuple(
    QuantitySpec(name, unit, _DESCRIPTIONS.get(name, "electricity" if unit == "kWh" else ""))
    for name, unit in CANONICAL_UNITS.items()
)

# Wide-CSV column names (normalised with `normalise_column_name`) → quantity.
DEFAULT_WIDE_COLUMNS: dict[str, str] = {
    **{n: n for n in (s.name for s in DEFAULT_QUANTITIES)},
    "fuel_consumption": "fuel",
    "燃料使用量": "fuel",
    "燃料消費量": "fuel",
    "ガス使用量": "fuel_gas",
    "蒸発量": "steam",
    "蒸気量": "steam",
    "熱量": "heat",
    "出力熱量": "heat",
    "給水量": "water",
    "電力量": "electricity",
    "使用電力量": "electricity",
    "消費電力量": "electricity",
    "発電量": "pv_generation",
    "売電量": "pv_export",
    "充電量": "battery_charge_pv",
    "放電量": "battery_discharge",
    "power": "electricity",
    "energy": "electricity",
}


def normalise_column_name(name: str) -> str:
    """Case-folded, trimmed, inner spaces and hyphens as underscores."""
    return re.sub(r"[\s\-]+", "_", name.strip()).casefold()


class QuantityRegistry:
    """Lookup of quantity specs by name, and of wide-CSV column names to quantities."""

    def __init__(
        self,
        specs: Iterable[QuantitySpec] = DEFAULT_QUANTITIES,
        wide_columns: Mapping[str, str] = DEFAULT_WIDE_COLUMNS,
    ) -> None:
        self._specs = {s.name: s for s in specs}
        self._columns = {normalise_column_name(k): v for k, v in wide_columns.items()}

    def get(self, name: str) -> QuantitySpec | None:
        return self._specs.get(name)

    def names(self) -> list[str]:
        return sorted(self._specs)

    def for_column(self, column: str) -> str | None:
        """The quantity a wide-CSV column name maps to, or None."""
        return self._columns.get(normalise_column_name(column))
