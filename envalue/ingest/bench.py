"""Throughput helper for `envalue bench ingest`: readings per second through parsing,
validation and Merkle batching of a synthetic long CSV (no storage, no timing asserts).

`run` uses the default engine (the fast long-CSV path); ``fast=False`` times the
reference path."""

from __future__ import annotations

import time
from datetime import datetime, timedelta, timezone

from envalue.ingest.config import IngestConfig
from envalue.ingest.pipeline import ingest

__all__ = ["run", "synthetic_csv"]


def synthetic_csv(readings: int, device_id: str = "bench-1") -> bytes:
    """A long CSV of `readings` half-hourly rows: alternating interval kWh and a
    cumulative counter, so both delta paths are exercised."""
    start = datetime(2024, 4, 1, tzinfo=timezone(timedelta(hours=9)))
    lines = ["timestamp,device_id,quantity,value,unit,kind"]
    counter = 0
    for i in range(readings):
        ts = (start + timedelta(minutes=30 * (i // 2 + 1))).isoformat()
        if i % 2:
            counter += 3
            lines.append(f"{ts},{device_id},pv_generation,{counter},kWh,cumulative")
        else:
            lines.append(f"{ts},{device_id},electricity,{1000 + i % 7}.5,Wh,interval")
    return ("\n".join(lines) + "\n").encode()


def run(readings: int = 100_000, fast: bool | None = None) -> float:
    """Readings per second for `readings` synthetic rows through `ingest`."""
    data = synthetic_csv(readings)
    began = time.perf_counter()
    result = ingest(data, IngestConfig(device_id="bench-1"), source="bench", fast=fast)
    elapsed = time.perf_counter() - began
    assert result.quality.accepted == readings
    return readings / elapsed if elapsed > 0 else float("inf")
