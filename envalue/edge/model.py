"""What the simulator produces before it is rendered: one device's lines of readings.

Why a line model: an edge gateway sends, per timestamp, one value per quantity it meters
(a row per quantity in the long format, a row with one column per quantity in the wide
format). Defects (duplicates, gaps, swaps) happen to whole transmissions, i.e. to lines,
so they are injected on lines and every quantity of the line is affected alike.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import ROUND_FLOOR, ROUND_HALF_EVEN, Decimal
from typing import Literal

__all__ = ["Kind", "Line", "DeviceSeries", "quantise", "floor_int"]

Kind = Literal["interval", "cumulative"]

_MILLI = Decimal("0.001")


def quantise(value: float | Decimal, step: Decimal = _MILLI, *, down: bool = False
             ) -> Decimal:
    """A model value as an exact decimal with the meter's resolution (default 0.001);
    `down` floors (for limits such as the energy a battery still holds)."""
    d = value if isinstance(value, Decimal) else Decimal(repr(float(value)))
    out = d.quantize(step, rounding=ROUND_FLOOR if down else ROUND_HALF_EVEN)
    return out if out != 0 else Decimal(0).quantize(step)


def floor_int(value: Decimal) -> Decimal:
    """The integer display of a counter (meters show whole units and never round up)."""
    return value.to_integral_value(rounding=ROUND_FLOOR)


@dataclass(frozen=True, slots=True)
class Line:
    """One transmission: the reading timestamp (tz-aware, end of the interval) and one
    value per quantity."""

    ts: datetime
    cells: dict[str, Decimal]


@dataclass(slots=True)
class DeviceSeries:
    """The clean (defect-free) interval amounts one device metered.

    `amounts[q][i]` is the amount of quantity q in the interval ending at `timestamps[i]`,
    in `units[q]` (the ingestion canonical unit).
    """

    device_id: str
    timestamps: list[datetime]
    amounts: dict[str, list[Decimal]]
    units: dict[str, str]
    description: str = ""
    meta: dict[str, object] = field(default_factory=dict)

    @property
    def quantities(self) -> list[str]:
        return list(self.amounts)

    def total(self, quantity: str) -> Decimal:
        return sum(self.amounts[quantity], Decimal(0))
