"""One upload end to end: parse → convert → validate → totals → batches.

`ingest` never drops a row silently: it asserts accepted + rejected + duplicate = input
rows before returning.
"""

from __future__ import annotations

import hashlib
import os
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

import pandas as pd

from envalue.ingest.batch import MeasurementBatch
from envalue.ingest.config import FORMATS, IngestConfig
from envalue.ingest.convert import convert
from envalue.ingest.decimals import decimal_text, exact_sum
from envalue.ingest.model import IngestError, QualityCounts, Reading, Rejection
from envalue.ingest.parse_json import parse_json
from envalue.ingest.parse_long import parse_long
from envalue.ingest.parse_wide import parse_wide
from envalue.ingest.periods import Period, assign_periods, check_tz
from envalue.ingest.raw import RawTable
from envalue.ingest.validate import Duplicate, Gap, Reset, Validated, validate

__all__ = ["IngestResult", "PeriodTotal", "detect_format", "ingest", "parse", "use_fast_path"]


@dataclass(frozen=True, slots=True)
class PeriodTotal:
    """Sum of accepted deltas of one quantity whose interval ends in the period."""

    quantity: str
    unit: str
    period: Period
    value: Decimal

    def contract(self) -> dict[str, str]:
        return {
            "quantity": self.quantity,
            "unit": self.unit,
            "period_start": self.period.start.isoformat(),
            "period_end": self.period.end.isoformat(),
            "value": decimal_text(self.value),
        }


@dataclass(slots=True)
class IngestResult:
    """Everything one upload produced; `dry_run()` is the contract JSON object.

    `readings` are the accepted unique readings sorted by (timestamp, device, quantity).
    """

    source: str
    format: str
    device_id: str | None
    upload_hash: str
    input_rows: int
    readings: list[Reading]
    rejected: list[Rejection]
    duplicates: list[Duplicate]
    resets: list[Reset]
    gaps: list[Gap]
    quality: QualityCounts
    totals: list[PeriodTotal]
    batches: list[MeasurementBatch]
    ignored_columns: list[str] = field(default_factory=list)

    def dry_run(self) -> dict[str, object]:
        """``{"device", "quality", "totals"}`` exactly as methodologies.md specifies."""
        return {
            "device": self.device_id,
            "quality": self.quality.contract(),
            "totals": [t.contract() for t in self.totals],
        }


def detect_format(data: bytes, source: str = "") -> str:
    """json when the content starts with ``[`` or ``{``; long when the CSV header has
    value and unit columns; wide otherwise."""
    head = data[:4096].lstrip(b"\xef\xbb\xbf \t\r\n")
    if head[:1] in (b"[", b"{") or source.lower().endswith(".json"):
        return "json"
    first = head.split(b"\n", 1)[0].decode("utf-8", "replace").casefold()
    names = {n.strip().strip('"') for n in first.split(",")}
    return "long" if {"value", "unit", "timestamp"} <= names else "wide"


def parse(data: bytes, config: IngestConfig, source: str = "") -> tuple[str, RawTable]:
    """Split the upload with the parser for its format."""
    fmt = config.format or detect_format(data, source)
    if fmt not in FORMATS:
        raise IngestError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}",
                          source=source, rule="format")
    if fmt == "long":
        return fmt, parse_long(data, source=source, device_id=config.device_id)
    if fmt == "json":
        return fmt, parse_json(data, source=source, device_id=config.device_id)
    return fmt, parse_wide(data, source=source, device_id=config.device_id,
                           registry=config.registry, naive_tz=config.naive_tz)


def _readings(frame: pd.DataFrame) -> list[Reading]:
    return [
        Reading(ts.to_pydatetime(), d, q, v, u, k, int(r))
        for ts, d, q, v, u, k, r in zip(
            frame["ts"], frame["device_id"], frame["quantity"], frame["value"],
            frame["unit"], frame["kind"], frame["row"], strict=True)
    ]


def use_fast_path() -> bool:
    """Default engine: the fast path unless ``ENVALUE_INGEST_ENGINE=reference``."""
    return os.environ.get("ENVALUE_INGEST_ENGINE", "fast").strip().lower() != "reference"


def ingest(data: bytes, config: IngestConfig | None = None, *, source: str = "",
           fast: bool | None = None) -> IngestResult:
    """Parse, validate, total and batch one upload (no storage; see `store`).

    A canonical long CSV goes through `envalue.ingest.fast` (same result, vectorised)
    unless `fast` is False (or, when `fast` is None, ``ENVALUE_INGEST_ENGINE=reference``);
    the fast path hands anything it cannot decide exactly back to this reference path.
    """
    config = config or IngestConfig()
    try:
        check_tz(config.tz)
        if config.naive_tz:
            check_tz(config.naive_tz)
        assign_periods(pd.Series([], dtype="datetime64[ns, UTC]"), config.period, config.tz)
    except ValueError as exc:
        raise IngestError(str(exc), source=source, rule="config") from None
    upload_hash = hashlib.sha256(data).hexdigest()
    if (use_fast_path() if fast is None else fast) and (
            config.format or detect_format(data, source)) == "long":
        from envalue.ingest.fast import fast_ingest

        result = fast_ingest(data, config, source=source, upload_hash=upload_hash)
        if result is not None:
            return result
    fmt, table = parse(data, config, source)
    converted = convert(table, registry=config.registry, device_id=config.device_id)
    checked = validate(converted.frame, config)
    rejected = converted.rejected + checked.rejected
    rejected.sort(key=lambda r: r.row)
    readings = sorted(_readings(checked.accepted),
                      key=lambda r: (r.timestamp, r.device_id, r.quantity, r.kind))

    quality = QualityCounts(
        accepted=len(readings),
        duplicate=len(checked.duplicates),
        conflict=len(checked.conflict_rows),
        reset=len(checked.resets),
        gap=sum(g.missing for g in checked.gaps),
        rejected=len(rejected),
        out_of_order=checked.out_of_order,
    )
    if quality.accepted + quality.rejected + quality.duplicate != table.input_rows:
        raise AssertionError(
            f"row accounting broken: {quality.accepted} accepted + {quality.rejected} "
            f"rejected + {quality.duplicate} duplicate != {table.input_rows} input rows")

    # totals per quantity and period
    deltas = checked.deltas
    deltas = deltas.assign(period=assign_periods(deltas["ts"], config.period, config.tz))
    totals: list[PeriodTotal] = []
    by_batch: dict[tuple[str, Period], dict[str, tuple[Decimal, str]]] = defaultdict(dict)
    for (dev, qty, unit, period), grp in deltas.groupby(
            ["device_id", "quantity", "unit", "period"], sort=False):
        value = exact_sum(grp["value"])
        totals.append(PeriodTotal(qty, unit, period, value))
        by_batch[(dev, period)][qty] = (value, unit)
    totals.sort(key=lambda t: (t.period.start, t.quantity))
    merged: dict[tuple[str, Period], PeriodTotal] = {}
    for t in totals:  # several devices (no device given): one total per quantity/period
        k = (t.quantity, t.period)
        merged[k] = (PeriodTotal(t.quantity, t.unit, t.period,
                                 exact_sum([merged[k].value, t.value]))
                     if k in merged else t)
    totals = list(merged.values())

    batches = _batches(readings, checked, by_batch, config, upload_hash)
    device = config.device_id
    if device is None:
        devices = sorted({r.device_id for r in readings})
        device = devices[0] if len(devices) == 1 else None
    return IngestResult(source, fmt, device, upload_hash, table.input_rows, readings,
                        rejected, checked.duplicates, checked.resets, checked.gaps, quality,
                        totals, batches, table.ignored_columns)


def _period_of(ts: list[datetime], config: IngestConfig) -> list[Period]:
    series = pd.Series(pd.to_datetime(ts, utc=True), dtype="datetime64[ns, UTC]")
    return list(assign_periods(series, config.period, config.tz))


def _batches(
    readings: list[Reading],
    checked: Validated,
    by_batch: dict[tuple[str, Period], dict[str, tuple[Decimal, str]]],
    config: IngestConfig,
    upload_hash: str,
) -> list[MeasurementBatch]:
    """Group accepted readings per device and period; attribute quality events to the
    period of their timestamp (rows without a usable timestamp count only per upload)."""
    groups: dict[tuple[str, Period], list[Reading]] = defaultdict(list)
    for r, p in zip(readings, _period_of([r.timestamp for r in readings], config),
                    strict=True):
        groups[(r.device_id, p)].append(r)
    quality: dict[tuple[str, Period], QualityCounts] = defaultdict(QualityCounts)
    for key, rs in groups.items():
        quality[key].accepted = len(rs)
    events = [
        ("duplicate", [(d.device_id, d.timestamp) for d in checked.duplicates]),
        ("reset", [(x.device_id, x.timestamp) for x in checked.resets]),
        ("conflict", list(zip(checked.conflict_rows["device_id"],
                              [t.to_pydatetime() for t in checked.conflict_rows["ts"]],
                              strict=True))),
        ("rejected", list(zip(checked.implausible_rows["device_id"],
                              [t.to_pydatetime() for t in checked.implausible_rows["ts"]],
                              strict=True))),
    ]
    for name, items in events:
        periods = _period_of([t for _, t in items], config)
        for (dev, _), p in zip(items, periods, strict=True):
            k = (dev or config.device_id or "", p)
            if k in groups:
                setattr(quality[k], name, getattr(quality[k], name) + 1)
    for g in checked.gaps:
        k = (g.device_id, _period_of([g.before], config)[0])
        if k in groups:
            quality[k].gap += g.missing
    for k in groups:
        quality[k].rejected += quality[k].conflict
    return [
        MeasurementBatch(dev, period, rs, by_batch.get((dev, period), {}),
                         quality[(dev, period)], upload_hash)
        for (dev, period), rs in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0]))
    ]
