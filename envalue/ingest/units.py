"""Units: which spellings are accepted, their dimension, and exact conversion factors.

Why pint: it is the unit registry (definitions, dimensionality) so that nothing here
hand-codes "1 kWh = 3.6 MJ". pint runs in Decimal mode, the factors to SI base units of the
accepted units are exact decimals, and a conversion factor is their exact ratio (a
`Fraction`). A conversion is applied only when that ratio is a terminating decimal
(kWh → GJ = 0.0036 is; GJ → kWh = 277.77… is not and is rejected as inexact); the
multiplication is done in Decimal, so no float ever touches a value.

`Nm3` (normal cubic metre, gas volume at 0 °C and 101.325 kPa) is its own dimension: it
cannot be converted to or from `m3` without temperature and pressure, so a gas quantity
declared in Nm3 rejects m3 readings as a unit mismatch.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cache

import pint

from envalue.ingest.decimals import EXACT

__all__ = [
    "ACCEPTED_UNITS",
    "Conversion",
    "canonical_symbol",
    "conversion",
    "dimension_name",
]

_REGISTRY = pint.UnitRegistry(non_int_type=Decimal)
_REGISTRY.define("normal_cubic_meter = [normal_volume] = Nm3")

# accepted symbol -> pint expression
ACCEPTED_UNITS: dict[str, str] = {
    "Wh": "Wh",
    "kWh": "kWh",
    "MWh": "MWh",
    "MJ": "MJ",
    "GJ": "GJ",
    "m3": "m**3",
    "Nm3": "Nm3",
    "L": "L",
    "kL": "kL",
    "kg": "kg",
    "t": "t",
}
# Case-insensitive spellings (all unambiguous within the accepted set) and ³ / ^3.
_ALIASES: dict[str, str] = {s.casefold(): s for s in ACCEPTED_UNITS}
_ALIASES.update({"l": "L", "ℓ": "L", "kl": "kL", "ton": "t", "tonne": "t"})

_DIMENSION_NAMES = {
    "[length] ** 3": "volume",
    "[mass]": "mass",
    "[mass] * [length] ** 2 / [time] ** 2": "energy",
    "[normal_volume]": "normal volume",
}


def canonical_symbol(unit: str) -> str | None:
    """The accepted symbol for a spelling (``KWH`` → ``kWh``, ``m³`` → ``m3``), else None."""
    text = unit.strip().replace("³", "3").replace("^3", "3").replace("**3", "3")
    if text in ACCEPTED_UNITS:
        return text
    return _ALIASES.get(text.casefold())


@cache
def _base(symbol: str) -> tuple[Fraction, str]:
    q = _REGISTRY.Quantity(Decimal(1), ACCEPTED_UNITS[symbol]).to_base_units()
    return Fraction(q.magnitude), str(q.dimensionality)


def dimension_name(symbol: str) -> str:
    """Human name of the unit's dimension (energy, volume, mass, normal volume)."""
    dim = _base(symbol)[1]
    return _DIMENSION_NAMES.get(dim, dim)


class Conversion:
    """An exact conversion ``source → target``; `factor` is None when impossible."""

    __slots__ = ("source", "target", "factor", "reason")

    def __init__(self, source: str, target: str) -> None:
        self.source, self.target = source, target
        (fa, da), (fb, db) = _base(source), _base(target)
        self.factor: Decimal | None = None
        self.reason = ""
        if da != db:
            self.reason = (
                f"{source} is {dimension_name(source)} but the quantity is measured in "
                f"{target} ({dimension_name(target)})"
            )
            return
        ratio = fa / fb
        den = ratio.denominator
        for p in (2, 5):
            while den % p == 0:
                den //= p
        if den != 1:
            self.reason = f"{source} → {target} has no exact decimal factor"
            return
        self.factor = EXACT.divide(Decimal(ratio.numerator), Decimal(ratio.denominator))

    def apply(self, value: Decimal) -> Decimal:
        """``value`` in the target unit, exactly."""
        assert self.factor is not None, self.reason
        if self.factor == 1:
            return value
        return EXACT.multiply(value, self.factor)


@cache
def conversion(source: str, target: str) -> Conversion:
    """Cached exact conversion between two accepted symbols."""
    return Conversion(source, target)
