"""Typing a `RawTable`: text fields → timestamps, exact Decimals in canonical units.

Why one module: every format shares these checks, and doing them column-wise with pandas
keeps large files fast. Each row is checked in a fixed order and rejected with the first
rule it breaks (field, value and rule recorded); rows that pass all checks are returned
as a typed frame.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pandas as pd

from envalue.chaincode.domain.merkle import text_problem
from envalue.ingest.decimals import parse_decimal
from envalue.ingest.model import Rejection, Rule
from envalue.ingest.quantities import QuantityRegistry
from envalue.ingest.raw import RawTable
from envalue.ingest.units import canonical_symbol, conversion

__all__ = ["Converted", "convert"]

_OFFSET_RE = r"(?:[Zz]|[+-]\d{2}(?::?\d{2})?)$"

TYPED_COLUMNS = ("row", "raw", "ts", "device_id", "quantity", "value", "unit", "kind",
                 "source_value", "source_unit")

#: Readings must fall in these years (well inside pandas' nanosecond range).
MIN_YEAR, MAX_YEAR = 1900, 2200


@dataclass(slots=True)
class Converted:
    """Typed rows (`TYPED_COLUMNS`; `ts` UTC, `value` Decimal in the canonical unit) and
    the rows rejected on the way."""

    frame: pd.DataFrame
    rejected: list[Rejection]


class _Checks:
    """Keeps the mask of rows still accepted and records the first failure of each row."""

    def __init__(self, frame: pd.DataFrame) -> None:
        self.frame = frame
        self.ok = pd.Series(True, index=frame.index)
        self.rejected: list[Rejection] = []

    def fail(self, mask: pd.Series, field: str, rule: Rule, message: object = "") -> None:
        """Reject rows where `mask` holds (among those still ok). `message` may be a
        Series of per-row messages."""
        mask = mask.reindex(self.frame.index, fill_value=False).astype(bool) & self.ok
        if not mask.any():
            return
        sub = self.frame.loc[mask]
        messages = (message.reindex(sub.index) if isinstance(message, pd.Series)
                    else pd.Series(str(message), index=sub.index))
        for row, raw, value, msg in zip(sub["row"], sub["raw"], sub[field], messages,
                                        strict=True):
            self.rejected.append(Rejection(int(row), str(raw), field,
                                           "" if value is None else str(value), rule,
                                           str(msg)))
        self.ok &= ~mask


def _omap(series: pd.Series, fn: Callable[[Any], Any]) -> pd.Series:
    """`series.map(fn)` as object dtype: no inference, so None stays None (not NaN)."""
    return pd.Series([fn(v) for v in series], index=series.index, dtype=object)


def _stripped(series: pd.Series) -> pd.Series:
    return _omap(series, lambda v: None if v is None else str(v).strip())


def convert(
    table: RawTable,
    *,
    registry: QuantityRegistry | None = None,
    device_id: str | None = None,
) -> Converted:
    """Type and normalise every row of `table`; see module docstring."""
    registry = registry or QuantityRegistry()
    f = table.frame.copy()
    for col in ("timestamp", "device_id", "quantity", "value", "unit", "kind"):
        f[col] = _stripped(f[col])
    if device_id is not None:
        f["device_id"] = _omap(f["device_id"], lambda v: device_id if v in (None, "") else v)
    f["kind"] = _omap(f["kind"], lambda v: "interval" if v in (None, "") else v.casefold())
    for col in ("device_id", "quantity"):
        f[col] = _omap(f[col], lambda v: v if v is None else unicodedata.normalize("NFC", v))
    checks = _Checks(f)

    for col in ("timestamp", "device_id", "quantity", "value", "unit"):
        checks.fail(f[col].map(lambda v: v is None or v == ""), col, Rule.MISSING_FIELD,
                    "empty or absent")
    if device_id is not None:
        checks.fail(f["device_id"] != device_id, "device_id", Rule.DEVICE_MISMATCH,
                    f"this upload is for device {device_id!r}")
    for col in ("device_id", "quantity"):
        problems = _omap(f[col], lambda v: text_problem(v) if isinstance(v, str) else "")
        checks.fail(problems != "", col, Rule.INVALID_IDENTIFIER, problems)
    checks.fail(~f["kind"].isin(["interval", "cumulative"]), "kind", Rule.UNKNOWN_KIND,
                "expected interval or cumulative")
    known = f["quantity"].map(lambda q: registry.get(str(q)) is not None)
    checks.fail(~known, "quantity", Rule.UNKNOWN_QUANTITY,
                f"known quantities: {', '.join(registry.names())}")

    # timestamps: an offset is required (unless the table names a zone for naive ones)
    ts_text = f["timestamp"].astype(str)
    has_offset = ts_text.str.contains(_OFFSET_RE, regex=True) & ts_text.str.contains(
        r"\d[T ]\d", regex=True)
    if table.naive_tz is None:
        checks.fail(~has_offset, "timestamp", Rule.NAIVE_TIMESTAMP,
                    "no UTC offset; write e.g. 2024-04-01T00:30:00+09:00")
    # pandas holds nanosecond timestamps (years 1677-2262): refuse what it cannot hold
    # instead of letting the whole upload fail
    year = pd.to_numeric(ts_text.str.extract(r"^\s*(\d{4})-", expand=False), errors="coerce")
    checks.fail(checks.ok & ((year < MIN_YEAR) | (year > MAX_YEAR)), "timestamp",
                Rule.INVALID_TIMESTAMP, f"outside the supported years {MIN_YEAR}-{MAX_YEAR}")
    ts = pd.Series(pd.NaT, index=f.index, dtype="datetime64[ns, UTC]")
    live = checks.ok & has_offset
    if live.any():
        ts[live] = pd.to_datetime(ts_text[live], format="ISO8601", utc=True, errors="coerce")
    naive = checks.ok & ~has_offset
    if naive.any() and table.naive_tz is not None:
        local = pd.to_datetime(ts_text[naive], format="ISO8601", errors="coerce")
        ts[naive] = local.dt.tz_localize(table.naive_tz, ambiguous="NaT",
                                         nonexistent="NaT").dt.tz_convert("UTC")
    checks.fail(ts.isna(), "timestamp", Rule.INVALID_TIMESTAMP,
                "not an ISO 8601 date-time (or ambiguous/nonexistent local time)")
    checks.fail(ts.dt.nanosecond != 0, "timestamp", Rule.INVALID_TIMESTAMP,
                "sub-microsecond precision is not supported")

    # units and values
    units = _omap(f["unit"], lambda u: None if u is None else canonical_symbol(u))
    checks.fail(units.isna(), "unit", Rule.UNKNOWN_UNIT,
                "accepted: kWh, Wh, MWh, GJ, MJ, m3, Nm3, L, kL, kg, t")
    parsed = pd.Series([(None, "")] * len(f), index=f.index, dtype=object)
    live = checks.ok
    parsed[live] = [parse_decimal(v) for v in f.loc[live, "value"]]
    reason = parsed.map(lambda p: p[1])
    checks.fail(reason == "not a decimal number", "value", Rule.INVALID_DECIMAL, reason)
    checks.fail(reason != "", "value", Rule.VALUE_OUT_OF_RANGE, reason)
    values = _omap(parsed, lambda p: p[0])

    target = _omap(f["quantity"], lambda q: getattr(registry.get(str(q)), "unit", None))
    convs = {
        (u, t): conversion(u, t)
        for u, t in set(zip(units[checks.ok], target[checks.ok], strict=True))
    }
    conv = pd.Series([convs.get((u, t)) for u, t in zip(units, target, strict=True)],
                     index=f.index, dtype=object)
    no_factor = conv.map(lambda c: c is not None and c.factor is None)
    mismatch = no_factor & conv.map(lambda c: c is not None and "no exact" not in c.reason)
    reasons = conv.map(lambda c: "" if c is None else c.reason)
    checks.fail(mismatch, "unit", Rule.UNIT_MISMATCH, reasons)
    checks.fail(no_factor, "unit", Rule.INEXACT_CONVERSION, reasons)
    live = checks.ok
    normalised = pd.Series(None, index=f.index, dtype=object)
    normalised[live] = [c.apply(v) for c, v in zip(conv[live], values[live], strict=True)]
    checks.fail(normalised.map(lambda v: v is not None and v < 0), "value",
                Rule.NEGATIVE_VALUE, "readings cannot be negative")

    ok = checks.ok
    out = pd.DataFrame({
        "row": f.loc[ok, "row"].astype("int64"),
        "raw": f.loc[ok, "raw"],
        "ts": ts[ok],
        "device_id": f.loc[ok, "device_id"],
        "quantity": f.loc[ok, "quantity"],
        "value": normalised[ok],
        "unit": target[ok],
        "kind": f.loc[ok, "kind"],
        "source_value": f.loc[ok, "value"],
        "source_unit": units[ok],
    })
    return Converted(out.reset_index(drop=True), table.rejected + checks.rejected)
