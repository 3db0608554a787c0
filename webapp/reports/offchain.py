"""Read-only queries over the ingestion store: stored batches with totals and quality.

Why here rather than `IngestStore.totals_of` per batch: a dashboard over weeks of 70+
devices has thousands of batches, so one join over the store's own tables
(`envalue.ingest.store`) replaces a query per batch. Only SELECTs are issued; the store
stays append-only and is the single source of every off-chain figure.

Periods are the store's half-open ``(start, end]`` UTC spans; a report window selects the
batches lying wholly inside it and names the ones that straddle its bounds.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from zoneinfo import ZoneInfo

from sqlalchemy import select

from envalue.chaincode.domain.merkle import format_timestamp
from envalue.ingest.store import IngestStore, batch_totals, batches

__all__ = ["REPORT_TZ", "StoredBatch", "Window", "device_ids", "load_batches", "parse_stored_ts"]

#: Periods of reports and charts are local days in Japan, like the ingestion's default.
REPORT_TZ = ZoneInfo("Asia/Tokyo")


def parse_stored_ts(text: str) -> datetime:
    """The store's fixed-format UTC text (``YYYY-MM-DDTHH:MM:SS.ffffffZ``) as a datetime."""
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%fZ").replace(tzinfo=UTC)


@dataclass(frozen=True)
class Window:
    """Local days ``first``…``last`` (inclusive) as the UTC span ``[start, end)``."""

    first: date
    last: date

    @property
    def start(self) -> datetime:
        return datetime.combine(self.first, time(), REPORT_TZ).astimezone(UTC)

    @property
    def end(self) -> datetime:
        return datetime.combine(self.last + timedelta(days=1), time(), REPORT_TZ).astimezone(UTC)

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1

    def label(self) -> str:
        return f"{self.first.isoformat()} – {self.last.isoformat()}"


@dataclass
class StoredBatch:
    """One stored batch: device, period, quality counts and totals per quantity."""

    batch_id: str
    device_id: str
    period_start: datetime
    period_end: datetime
    count: int
    merkle_root: str
    quality: dict[str, int]
    totals: dict[str, tuple[Decimal, str]] = field(default_factory=dict)

    @property
    def local_day(self) -> date:
        """The local (Asia/Tokyo) day the period starts on: the chart's bucket."""
        return self.period_start.astimezone(REPORT_TZ).date()


def device_ids(store: IngestStore) -> list[str]:
    """Every device with at least one stored batch, sorted."""
    q = select(batches.c.device_id).distinct().order_by(batches.c.device_id)
    with store.engine.connect() as conn:
        return [str(r[0]) for r in conn.execute(q)]


def load_batches(store: IngestStore, *, devices: Iterable[str] | None = None,
                 start: datetime | None = None, end: datetime | None = None,
                 overlapping: bool = False) -> list[StoredBatch]:
    """Batches (with totals) of `devices` (all when None) in ``[start, end)``.

    With ``overlapping=False`` only batches wholly inside the span are returned; with
    ``True`` every batch that overlaps it (callers use this to name straddling batches).
    Ordered by period start, then device.
    """
    q = select(batches).order_by(batches.c.period_start, batches.c.device_id)
    wanted = None if devices is None else sorted(set(devices))
    if wanted is not None:
        q = q.where(batches.c.device_id.in_(wanted))
    if start is not None:
        s = format_timestamp(start)
        q = q.where(batches.c.period_end > s if overlapping else batches.c.period_start >= s)
    if end is not None:
        e = format_timestamp(end)
        q = q.where(batches.c.period_start < e if overlapping else batches.c.period_end <= e)
    found: dict[str, StoredBatch] = {}
    with store.engine.connect() as conn:
        for row in conn.execute(q):
            found[row.batch_id] = StoredBatch(
                batch_id=row.batch_id, device_id=row.device_id,
                period_start=parse_stored_ts(row.period_start),
                period_end=parse_stored_ts(row.period_end), count=int(row.count),
                merkle_root=row.merkle_root, quality=json.loads(row.quality))
        if found:
            ids = list(found)
            for chunk in (ids[i:i + 500] for i in range(0, len(ids), 500)):
                totals_q = select(batch_totals).where(batch_totals.c.batch_id.in_(chunk))
                for t in conn.execute(totals_q):
                    found[t.batch_id].totals[t.quantity] = (t.value, t.unit)
    return list(found.values())
