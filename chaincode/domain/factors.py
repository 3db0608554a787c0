"""Built-in emission factor sets: the genesis data governance registers on the ledger.

Factors are never constants of a calculation: every methodology takes them as inputs, and
on the ledger they are versioned, sourced parameters. This module only holds the initial
sets, each entry with its source, validity and, where the reference could not verify a
figure, a ``note`` saying so (figures from /work/shared/reference/domain.md).

Fuel factors (calculation ordinance, table 1): heating value in GJ per fuel unit and
carbon content in t-C/GJ; the CO2 factor is derived exactly as ``t-C/GJ × 44/12``
(kept as the exact expression string ``"0.0193*44/12"`` and as a Fraction, because its
decimal expansion does not terminate). Grid factors are per supplier and fiscal year; the
reference gives only a published range, so the built-in entries carry that range and no
single value: governance must register the supplier's figure before it can be used.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from fractions import Fraction
from typing import Any

from .errors import NotFoundError
from .quantity import decimal_str

__all__ = [
    "BUILTIN_FACTOR_SETS",
    "CO2_PER_C",
    "FUEL_FACTOR_SET",
    "GRID_FACTOR_SET",
    "FactorSet",
    "FuelFactor",
    "GridFactor",
    "genesis_records",
    "get_fuel_factor",
    "get_grid_factor",
]

#: Molar mass ratio CO2/C, exact.
CO2_PER_C = Fraction(44, 12)

ORDINANCE_SOURCE = (
    "Ordinance on the calculation of greenhouse gas emissions (算定省令), table 1, current "
    "table: jplaws.app/d/418M60001400003-a.html"
)
TOKYO_GAS_SOURCE = "Tokyo Gas FAQ 8954 (city gas heating value, Tokyo Gas basis)"
MOE_GRID_SOURCE = (
    "Ministry of the Environment, emission factors per electricity retailer and fiscal "
    "year (adjusted factors)"
)


@dataclass(frozen=True)
class FuelFactor:
    """Heating value and carbon content of one fuel, with the exactly derived CO2 factor."""

    key: str
    fuel: str
    unit: str
    hv_gj_per_unit: Decimal
    carbon_t_c_per_gj: Decimal
    published_t_co2_per_unit: Decimal
    older_table_t_co2_per_unit: Decimal | None
    source: str
    valid_from: date | None = None
    valid_to: date | None = None
    note: str = ""

    @property
    def cef_expression(self) -> str:
        """Exact expression of the CO2 factor, accepted by the methodologies' ``cef`` inputs."""
        return f"{self.carbon_t_c_per_gj}*44/12"

    @property
    def cef_t_co2_per_gj(self) -> Fraction:
        """CO2 emission factor in t-CO2/GJ, exactly ``t-C/GJ × 44/12``."""
        return Fraction(self.carbon_t_c_per_gj) * CO2_PER_C

    @property
    def t_co2_per_unit(self) -> Fraction:
        """CO2 per fuel unit, exactly ``hv × cef`` (the table prints it to 2 decimals)."""
        return Fraction(self.hv_gj_per_unit) * self.cef_t_co2_per_gj

    def to_record(self) -> dict[str, Any]:
        """JSON-ready record for registration (decimal strings, exact cef expression)."""
        return {
            "kind": "fuel",
            "key": self.key,
            "fuel": self.fuel,
            "unit": self.unit,
            "hv_gj_per_unit": str(self.hv_gj_per_unit),
            "carbon_t_c_per_gj": str(self.carbon_t_c_per_gj),
            "cef_t_co2_per_gj": self.cef_expression,
            "cef_t_co2_per_gj_decimal": decimal_str(self.cef_t_co2_per_gj),
            "published_t_co2_per_unit": str(self.published_t_co2_per_unit),
            "older_table_t_co2_per_unit": (
                None
                if self.older_table_t_co2_per_unit is None
                else str(self.older_table_t_co2_per_unit)
            ),
            "source": self.source,
            "valid_from": None if self.valid_from is None else self.valid_from.isoformat(),
            "valid_to": None if self.valid_to is None else self.valid_to.isoformat(),
            "note": self.note,
        }


@dataclass(frozen=True)
class GridFactor:
    """Grid electricity factor for one fiscal year, a registered parameter.

    ``value_t_co2_per_kwh`` is ``None`` when the reference gives no verified single
    figure; ``range_t_co2_per_kwh`` then records the published range for orientation.
    """

    key: str
    fiscal_year: int
    value_t_co2_per_kwh: Decimal | None
    range_t_co2_per_kwh: tuple[Decimal, Decimal] | None
    source: str
    registered_parameter: bool = True
    note: str = ""

    @property
    def valid_from(self) -> date:
        """Japanese fiscal years start on 1 April."""
        return date(self.fiscal_year, 4, 1)

    @property
    def valid_to(self) -> date:
        """...and end on 31 March of the next calendar year."""
        return date(self.fiscal_year + 1, 3, 31)

    def to_record(self) -> dict[str, Any]:
        """JSON-ready record for registration."""
        return {
            "kind": "grid",
            "key": self.key,
            "fiscal_year": self.fiscal_year,
            "value_t_co2_per_kwh": (
                None if self.value_t_co2_per_kwh is None else str(self.value_t_co2_per_kwh)
            ),
            "range_t_co2_per_kwh": (
                None
                if self.range_t_co2_per_kwh is None
                else [str(bound) for bound in self.range_t_co2_per_kwh]
            ),
            "unit": "t-CO2/kWh",
            "source": self.source,
            "registered_parameter": self.registered_parameter,
            "valid_from": self.valid_from.isoformat(),
            "valid_to": self.valid_to.isoformat(),
            "note": self.note,
        }


@dataclass(frozen=True)
class FactorSet:
    """A named, versioned set of factors, registered as a whole."""

    name: str
    version: str
    description: str
    entries: tuple[FuelFactor, ...] | tuple[GridFactor, ...]

    def to_record(self) -> dict[str, Any]:
        """JSON-ready record of the set and its entries."""
        return {
            "name": self.name,
            "version": self.version,
            "description": self.description,
            "entries": [entry.to_record() for entry in self.entries],
        }


_ORDINANCE_NOTE = (
    "Effective date of the current ordinance table not verified (valid_from unset). "
    "Do not mix higher and lower heating values."
)


def _fuel(
    key: str,
    fuel: str,
    unit: str,
    hv: str,
    carbon: str,
    published: str,
    older: str | None,
    *,
    source: str = ORDINANCE_SOURCE,
    note: str = _ORDINANCE_NOTE,
) -> FuelFactor:
    return FuelFactor(
        key=key,
        fuel=fuel,
        unit=unit,
        hv_gj_per_unit=Decimal(hv),
        carbon_t_c_per_gj=Decimal(carbon),
        published_t_co2_per_unit=Decimal(published),
        older_table_t_co2_per_unit=None if older is None else Decimal(older),
        source=source,
        note=note,
    )


FUEL_FACTOR_SET = FactorSet(
    name="jp-fuel-ordinance-table1",
    version="1",
    description="Fuel heating values and carbon contents, current ordinance table 1 (Japan)",
    entries=(
        _fuel("a_heavy_oil", "A heavy oil", "kL", "38.9", "0.0193", "2.75", "2.71"),
        _fuel("kerosene", "kerosene", "kL", "36.5", "0.0187", "2.50", "2.49"),
        _fuel("diesel", "diesel", "kL", "38.0", "0.0188", "2.62", "2.62"),
        _fuel("lpg", "LPG", "t", "50.1", "0.0163", "2.99", "3.00"),
        _fuel("lng", "LNG", "t", "54.7", "0.0139", "2.79", "2.70"),
        _fuel(
            "city_gas",
            "city gas",
            "thousand Nm3",
            "40.0",
            "0.0140",
            "2.05",
            None,
            source=f"{ORDINANCE_SOURCE}; heating value: {TOKYO_GAS_SOURCE}",
            note=(
                "Heating value 40.0 GJ/thousand Nm3 is the Tokyo Gas basis; other city-gas "
                "suppliers publish their own and must be registered separately. " + _ORDINANCE_NOTE
            ),
        ),
    ),
)

_GRID_RANGE = (Decimal("0.000457"), Decimal("0.000464"))
_GRID_NOTE = (
    "Not verified: the reference gives only the range of adjusted factors of retailers for "
    "FY2023-2024 (0.457-0.464 kg-CO2/kWh), not a per-supplier value, and the J-Credit "
    "default could not be verified. Governance must register the supplier's published "
    "value for the fiscal year in which the reduction occurred before use."
)

GRID_FACTOR_SET = FactorSet(
    name="jp-grid-electricity",
    version="1",
    description="Grid electricity factors per fiscal year (registered parameters)",
    entries=(
        GridFactor("jp-grid-fy2023", 2023, None, _GRID_RANGE, MOE_GRID_SOURCE, note=_GRID_NOTE),
        GridFactor("jp-grid-fy2024", 2024, None, _GRID_RANGE, MOE_GRID_SOURCE, note=_GRID_NOTE),
    ),
)

#: All built-in factor sets, keyed by (name, version).
BUILTIN_FACTOR_SETS: dict[tuple[str, str], FactorSet] = {
    (s.name, s.version): s for s in (FUEL_FACTOR_SET, GRID_FACTOR_SET)
}


def get_fuel_factor(key: str) -> FuelFactor:
    """The built-in fuel factor ``key`` (e.g. ``"a_heavy_oil"``)."""
    for entry in FUEL_FACTOR_SET.entries:
        if isinstance(entry, FuelFactor) and entry.key == key:
            return entry
    raise NotFoundError("fuel", key, "known-fuel", f"{key!r} is not a built-in fuel factor")


def get_grid_factor(fiscal_year: int) -> GridFactor:
    """The built-in grid factor entry for a fiscal year (its value may be unregistered)."""
    for entry in GRID_FACTOR_SET.entries:
        if isinstance(entry, GridFactor) and entry.fiscal_year == fiscal_year:
            return entry
    raise NotFoundError(
        "fiscal_year", fiscal_year, "known-year", f"{fiscal_year} has no built-in grid factor"
    )


def genesis_records() -> list[dict[str, Any]]:
    """Every built-in factor set as JSON-ready records, in registration order."""
    return [factor_set.to_record() for factor_set in BUILTIN_FACTOR_SETS.values()]
