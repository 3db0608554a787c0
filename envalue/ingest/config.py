"""Settings of one ingestion run (what the CLI options map to)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from decimal import Decimal

from envalue.ingest.quantities import QuantityRegistry

__all__ = ["FORMATS", "IngestConfig"]

FORMATS = ("long", "json", "wide")


@dataclass(frozen=True)
class IngestConfig:
    """How to read, validate and total one upload.

    - `device_id`: the device the upload is for; rows naming another device are rejected.
    - `format`: long | json | wide; None detects it from the content.
    - `period`, `tz`: reporting periods (hour | day | month) in this zone.
    - `interval`: the expected reading interval for gap detection; None infers it per
      series as the most frequent spacing.
    - `counter_capacity`: largest counter value before it wraps, in the quantity's
      canonical unit; one value for every cumulative quantity or a mapping per quantity.
    - `max_rate`: per quantity, the largest plausible amount per hour (canonical unit).
    - `naive_tz`: zone assumed for wide-CSV timestamps without offset (None: reject them).
    """

    device_id: str | None = None
    format: str | None = None
    period: str = "day"
    tz: str = "Asia/Tokyo"
    interval: timedelta | None = None
    counter_capacity: Decimal | Mapping[str, Decimal] | None = None
    max_rate: Mapping[str, Decimal] = field(default_factory=dict)
    naive_tz: str | None = None
    registry: QuantityRegistry = field(default_factory=QuantityRegistry)

    def capacity_for(self, quantity: str) -> Decimal | None:
        cap = self.counter_capacity
        if cap is None or isinstance(cap, Decimal):
            return cap
        return cap.get(quantity)
