"""Reporting periods in a time zone, and which period an interval end falls in.

A period is the half-open span ``(start, end]``: a value is the amount of the interval
*ending* at its timestamp, so the half hour ending at 00:00 belongs to the day before
(methodologies.md: "the accepted deltas whose interval ends inside it").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import pandas as pd

__all__ = ["PERIODS", "Period", "PeriodKind", "assign_periods", "check_tz"]

PeriodKind = Literal["hour", "day", "month"]
PERIODS: tuple[str, ...] = ("hour", "day", "month")
_FREQ = {"hour": "h", "day": "D", "month": "M"}


@dataclass(frozen=True, slots=True, order=True)
class Period:
    """One reporting period, tz-aware bounds, ``(start, end]``."""

    start: datetime
    end: datetime


def check_tz(tz: str) -> ZoneInfo:
    """The ZoneInfo for `tz`; ValueError naming it when unknown."""
    try:
        return ZoneInfo(tz)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"unknown time zone {tz!r}") from None


def _bounds(start_naive: pd.Timestamp, kind: str, zone: ZoneInfo) -> Period:
    start = start_naive.to_pydatetime()
    if kind == "hour":
        end = start + timedelta(hours=1)
    elif kind == "day":
        end = start + timedelta(days=1)
    else:
        end = (start.replace(day=28) + timedelta(days=4)).replace(day=1)
    return Period(start.replace(tzinfo=zone), end.replace(tzinfo=zone))


def assign_periods(ts: pd.Series, kind: str = "day", tz: str = "Asia/Tokyo") -> pd.Series:
    """The `Period` of each UTC timestamp in `ts` (vectorised over the wall-clock times)."""
    if kind not in PERIODS:
        raise ValueError(f"unknown period {kind!r}; expected one of {', '.join(PERIODS)}")
    zone = check_tz(tz)
    if ts.empty:
        return pd.Series([], index=ts.index, dtype=object)
    # wall-clock time just before the end of the interval, floored to the period start
    local = ts.dt.tz_convert(zone).dt.tz_localize(None) - pd.Timedelta(1, "ns")
    if kind == "month":
        starts = local.dt.to_period("M").dt.start_time
    else:
        starts = local.dt.floor(_FREQ[kind])
    cache = {s: _bounds(s, kind, zone) for s in starts.unique()}
    return starts.map(cache)
