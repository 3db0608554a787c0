"""Quality checks on typed rows, and the deltas that periods are totalled from.

Order of work (each step only sees what the previous one kept):
0. a device's quantity has one kind: rows whose kind differs from the kind of the
   quantity's first row are rejected (`mixed_kind`), as totalling both would double count;
1. out-of-order rows are counted (then everything is sorted by time);
2. same device, quantity and timestamp: identical value and kind → one reading, the later
   rows are duplicates (reported, not counted); different values → conflict, every row
   of that timestamp is rejected;
3. implausible values are rejected: an interval amount above max rate × interval, a
   counter reading above the counter's capacity;
4. gaps: missing expected intervals between consecutive readings of a series;
5. deltas: interval amounts as they are; counters through `counter_deltas` (wraps,
   resets).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_CEILING, Context, Decimal

import pandas as pd

from envalue.ingest.config import IngestConfig
from envalue.ingest.counters import counter_deltas
from envalue.ingest.decimals import decimal_text
from envalue.ingest.model import Rejection, Rule

__all__ = ["Duplicate", "Gap", "Reset", "Validated", "validate"]

SERIES = ["device_id", "quantity", "kind"]
_BOUND = Context(prec=40, rounding=ROUND_CEILING)


@dataclass(frozen=True, slots=True)
class Duplicate:
    """A row that repeated an earlier row (same timestamp and value): not counted."""

    row: int
    raw: str
    kept_row: int
    device_id: str
    timestamp: datetime


@dataclass(frozen=True, slots=True)
class Reset:
    """A counter interval flagged as a reset and not counted."""

    device_id: str
    quantity: str
    timestamp: datetime
    row: int
    rule: Rule
    previous: Decimal
    value: Decimal


@dataclass(frozen=True, slots=True)
class Gap:
    """Expected readings missing between two consecutive readings of a series."""

    device_id: str
    quantity: str
    after: datetime
    before: datetime
    missing: int


@dataclass(slots=True)
class Validated:
    """Accepted unique rows (sorted), deltas to total, and everything reported."""

    accepted: pd.DataFrame
    deltas: pd.DataFrame  # device_id, quantity, unit, ts, value (Decimal), row
    rejected: list[Rejection]
    duplicates: list[Duplicate]
    resets: list[Reset]
    gaps: list[Gap]
    out_of_order: int
    conflict_rows: pd.DataFrame  # rows rejected as conflict (row, ts) for attribution
    implausible_rows: pd.DataFrame


def _reject(
    frame: pd.DataFrame, field: str, rule: Rule, messages: pd.Series
) -> list[Rejection]:
    values = frame["source_value"] if field == "value" else frame[field]
    return [
        Rejection(int(r), str(raw), field, str(v), rule, str(m))
        for r, raw, v, m in zip(frame["row"], frame["raw"], values, messages, strict=True)
    ]


def _inferred_interval(ts: pd.Series) -> pd.Timedelta | None:
    diffs = ts.diff().dropna()
    diffs = diffs[diffs > pd.Timedelta(0)]
    if diffs.empty:
        return None
    counts = diffs.value_counts()
    top = counts[counts == counts.max()].index
    return pd.Timedelta(min(top))


def _bound(rate: Decimal | None, span: pd.Timedelta | timedelta | None) -> Decimal | None:
    if rate is None or span is None:
        return None
    seconds = Decimal(int(pd.Timedelta(span).value)).scaleb(-9)  # exact: ns → s
    return _BOUND.divide(_BOUND.multiply(rate, seconds), Decimal(3600))


def validate(frame: pd.DataFrame, config: IngestConfig) -> Validated:
    """Run the checks in the module docstring on the typed rows of `convert`."""
    max_rate: Mapping[str, Decimal] = config.max_rate
    f = frame.sort_values("row", kind="stable").reset_index(drop=True)
    key = ["device_id", "quantity", "ts"]

    # 0. one kind per device and quantity
    first_kind = f.groupby(["device_id", "quantity"], sort=False)["kind"].transform("first")
    mixed = f["kind"] != first_kind
    rejected = _reject(f[mixed], "kind", Rule.MIXED_KIND, "the first row of this quantity is "
                       + first_kind[mixed].astype(str))
    f = f[~mixed].reset_index(drop=True)

    # 1. out of order: earlier than a timestamp already seen in the same series
    seen = f.groupby(SERIES, sort=False)["ts"].cummax()
    prev_seen = seen.groupby([f[c] for c in SERIES], sort=False).shift()
    out_of_order = int((f["ts"] < prev_seen).sum())

    # 2. duplicates and conflicts
    f["vkey"] = f["kind"] + "|" + f["value"].map(decimal_text)
    distinct = f.groupby(key, sort=False)["vkey"].transform("nunique")
    conflict = distinct > 1
    rejected += _reject(f[conflict], "value", Rule.CONFLICT, pd.Series(
        "another row has the same device, quantity and timestamp with a different value",
        index=f.index[conflict]))
    kept_row = f.groupby(key, sort=False)["row"].transform("min")
    dup = ~conflict & f.duplicated(key, keep="first")
    duplicates = [
        Duplicate(int(r), str(raw), int(k), str(dev), ts.to_pydatetime())
        for r, raw, k, dev, ts in zip(f.loc[dup, "row"], f.loc[dup, "raw"], kept_row[dup],
                                      f.loc[dup, "device_id"], f.loc[dup, "ts"], strict=True)
    ]
    conflict_rows = f.loc[conflict, ["row", "ts", "device_id"]]
    u = f[~conflict & ~dup].sort_values([*SERIES, "ts"], kind="stable").reset_index(drop=True)

    # 3. implausible values
    implausible = pd.Series(False, index=u.index)
    messages = pd.Series("", index=u.index, dtype=object)
    intervals: dict[tuple[str, str, str], pd.Timedelta | None] = {}
    for (dev, qty, kind), idx in u.groupby(SERIES, sort=False).groups.items():
        interval = config.interval or _inferred_interval(u.loc[idx, "ts"])
        intervals[(dev, qty, kind)] = interval
        if kind == "interval":
            bound = _bound(max_rate.get(qty), interval)
            if bound is not None:
                bad = u.loc[idx, "value"].map(lambda v, b=bound: v > b)
                implausible[idx] |= bad
                messages[idx[bad.to_numpy()]] = (
                    f"above max rate: {decimal_text(bound)} per interval")
        else:
            cap = config.capacity_for(qty)
            if cap is not None:
                bad = u.loc[idx, "value"].map(lambda v, c=cap: v > c)
                implausible[idx] |= bad
                messages[idx[bad.to_numpy()]] = f"above counter capacity {decimal_text(cap)}"
    rejected += _reject(u[implausible], "value", Rule.IMPLAUSIBLE_VALUE, messages[implausible])
    implausible_rows = u.loc[implausible, ["row", "ts", "device_id"]]
    u = u[~implausible].reset_index(drop=True)

    # 4. gaps and 5. deltas, per series
    gaps: list[Gap] = []
    resets: list[Reset] = []
    parts: list[pd.DataFrame] = []
    for (dev, qty, kind), idx in u.groupby(SERIES, sort=False).groups.items():
        s = u.loc[idx]
        interval = intervals.get((dev, qty, kind))
        ts = s["ts"]
        if interval is not None:
            step = int(pd.Timedelta(interval).value)
            diffs = ts.diff().dropna()
            for pos in diffs.index[diffs > interval]:
                d = int(diffs[pos].value)
                missing = -(-d // step) - 1
                gaps.append(Gap(dev, qty, ts[pos - 1].to_pydatetime(),
                                ts[pos].to_pydatetime(), missing))
        if kind == "interval":
            parts.append(s[["device_id", "quantity", "unit", "ts", "value", "row"]])
            continue
        values = list(s["value"])
        tsl = list(ts)
        rate = max_rate.get(qty)
        bounds = [None] + [_bound(rate, tsl[i] - tsl[i - 1]) for i in range(1, len(tsl))]
        steps = counter_deltas(values, capacity=config.capacity_for(qty), max_deltas=bounds)
        rows = list(s["row"])
        keep_ts, keep_val, keep_row = [], [], []
        for st in steps:
            if st.delta is None:
                assert st.reset is not None
                resets.append(Reset(dev, qty, tsl[st.index].to_pydatetime(),
                                    int(rows[st.index]), st.reset, values[st.index - 1],
                                    values[st.index]))
            else:
                keep_ts.append(tsl[st.index])
                keep_val.append(st.delta)
                keep_row.append(rows[st.index])
        unit = s["unit"].iloc[0]
        parts.append(pd.DataFrame({
            "device_id": dev, "quantity": qty, "unit": unit,
            "ts": pd.Series(keep_ts, dtype="datetime64[ns, UTC]"),
            "value": pd.Series(keep_val, dtype=object),
            "row": pd.Series(keep_row, dtype="int64"),
        }))
    columns = ["device_id", "quantity", "unit", "ts", "value", "row"]
    deltas = (pd.concat(parts, ignore_index=True) if parts
              else pd.DataFrame({c: pd.Series(dtype=object) for c in columns}))
    return Validated(u, deltas, rejected, duplicates, resets, gaps, out_of_order,
                     conflict_rows, implausible_rows)
