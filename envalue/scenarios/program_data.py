"""Operation data of a program's small PV sites: synthetic, seeded, and read by the real
ingestion so that batch roots and totals are exactly what an upload would give.

Each `SmallSite` is a rooftop PV system with one gateway reading one meter (device id =
meter id) that reports daily PV generation and export in whole Wh. `site_upload` renders
the canonical long CSV (one reading per quantity and day, the interval ending at local
midnight); `site_batches` ingests it (`envalue.ingest.ingest`, Japan time) into one batch
for the month, or one per day when the site's lots are daily.

`generated_sites` draws sites from a seed (capacities 3-15 kW, 2-5 full-load hours a
day, 20-60 % exported): figures of small rooftop systems, not measurements. Everything is
integer Wh, exact decimals on the way in: no binary floats.
"""

from __future__ import annotations

import calendar
import random
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from envalue.chaincode.domain.measurement.header import BatchHeader
from envalue.chaincode.domain.merkle import decimal_text
from envalue.chaincode.domain.registry.state import VALIDITY_TZ
from envalue.edge.batch_signing import header_of
from envalue.ingest import IngestConfig, ingest
from envalue.ingest.batch import MeasurementBatch

__all__ = ["SmallSite", "flat_site", "generated_sites", "site_batches", "site_headers",
           "site_upload"]

QUANTITIES = ("pv_generation", "pv_export")


@dataclass(frozen=True)
class SmallSite:
    """A small PV site of a program: owner identity, capacity and daily figures in Wh
    (from the first day of the month; at most the month's length)."""

    site_id: str
    owner: str
    capacity_kw: Decimal
    generation_wh: tuple[int, ...]
    export_wh: tuple[int, ...]
    daily_lots: bool = False

    @property
    def device_id(self) -> str:
        return f"{self.site_id}-pv"

    def check(self, month: date) -> None:
        days = calendar.monthrange(month.year, month.month)[1]
        if not 0 < len(self.generation_wh) == len(self.export_wh) <= days:
            raise ValueError(f"{self.site_id}: daily figures must cover 1..{days} days, "
                             "generation and export alike")
        if any(e < 0 or e > g for g, e in zip(self.generation_wh, self.export_wh,
                                              strict=True)):
            raise ValueError(f"{self.site_id}: export must lie between 0 and generation")


def flat_site(site_id: str, owner: str, generation_kwh: int, export_kwh: int, month: date,
              *, days: int | None = None) -> SmallSite:
    """A site whose month totals are exactly the given kWh (spread evenly over the days,
    the remainder on the first day), for hand-worked cases."""
    days = days or calendar.monthrange(month.year, month.month)[1]

    def spread(total_wh: int) -> tuple[int, ...]:
        share, rest = divmod(total_wh, days)
        return (share + rest, *([share] * (days - 1)))

    return SmallSite(site_id, owner, Decimal(10), spread(generation_kwh * 1000),
                     spread(export_kwh * 1000))


def generated_sites(count: int, owners: Sequence[str], *, prefix: str, month: date,
                    seed: int = 1, lot_days: int = 0) -> list[SmallSite]:
    """`count` seeded sites, owners taken in turn; `lot_days` > 0 gives each site daily
    lots for the month's first `lot_days` days, 0 one lot for the whole month."""
    days = lot_days or calendar.monthrange(month.year, month.month)[1]
    sites = []
    for index in range(count):
        rng = random.Random(f"{seed}:{prefix}:{index}")
        tenths_kw = rng.randint(30, 150)
        generation = [rng.randint(tenths_kw * 200, tenths_kw * 500) for _ in range(days)]
        export = [rng.randint(g * 20 // 100, g * 60 // 100) for g in generation]
        sites.append(SmallSite(f"{prefix}-{index + 1:04d}", owners[index % len(owners)],
                               Decimal(tenths_kw).scaleb(-1), tuple(generation), tuple(export),
                               daily_lots=lot_days > 0))
    return sites


def _midnight(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=VALIDITY_TZ)


def site_upload(site: SmallSite, month: date) -> bytes:
    """The canonical long CSV a site's gateway would upload for the month."""
    site.check(month)
    lines = ["timestamp,device_id,quantity,value,unit"]
    first = month.replace(day=1)
    for day, values in enumerate(zip(site.generation_wh, site.export_wh, strict=True)):
        end = _midnight(first + timedelta(days=day + 1)).isoformat()
        for quantity, wh in zip(QUANTITIES, values, strict=True):
            lines.append(f"{end},{site.device_id},{quantity},"
                         f"{decimal_text(Decimal(wh).scaleb(-3))},kWh")
    return ("\n".join(lines) + "\n").encode()


def site_batches(site: SmallSite, month: date) -> list[MeasurementBatch]:
    """The site's batches as the ingestion cuts them (month, or days for daily lots)."""
    config = IngestConfig(device_id=site.device_id, format="long",
                          period="day" if site.daily_lots else "month", tz="Asia/Tokyo",
                          interval=timedelta(days=1))
    result = ingest(site_upload(site, month), config, source=f"scenario:{site.site_id}")
    if result.quality.rejected or len(result.readings) != 2 * len(site.generation_wh):
        raise ValueError(f"{site.site_id}: the generated upload was not read whole "
                         f"({result.quality.contract()})")
    return result.batches


def site_headers(site: SmallSite, month: date) -> list[BatchHeader]:
    """The canonical headers of the site's batches (meter id = device id)."""
    return [header_of(b) for b in site_batches(site, month)]
