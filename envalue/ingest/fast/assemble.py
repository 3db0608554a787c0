"""From checked arrays to the `IngestResult` the reference pipeline returns.

Periods, per-period totals (exact integer sums, turned into Decimals with the exponent the
reference's Decimal additions would give), batches with their canonical leaves and Merkle
roots (hashed for all batches at once), batch quality, and the report lists.
"""

from __future__ import annotations

import gc
import time
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from envalue.ingest.batch import MeasurementBatch, batch_id
from envalue.ingest.config import IngestConfig
from envalue.ingest.decimals import exact_sum
from envalue.ingest.fast.checks import Checked
from envalue.ingest.fast.lazy import LazyList
from envalue.ingest.fast.timestamps import format_utc
from envalue.ingest.fast.tree import hash_prefixed_leaves, segment_roots
from envalue.ingest.fast.typed import KINDS, Typed
from envalue.ingest.fast.values import decimal_texts
from envalue.ingest.model import QualityCounts, Reading
from envalue.ingest.periods import Period, assign_periods, check_tz
from envalue.ingest.pipeline import IngestResult, PeriodTotal

__all__ = ["assemble"]

_FREQ = {"hour": "h", "day": "D"}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def _periods(ts: np.ndarray, config: IngestConfig) -> tuple[np.ndarray, list[Period]]:
    """Period code of each timestamp and the periods (computed by `assign_periods` on one
    timestamp per period; the grouping is the same wall-clock floor it uses)."""
    if not len(ts):
        return np.zeros(0, dtype=np.int64), []
    uniq, inv = np.unique(ts, return_inverse=True)
    zone = check_tz(config.tz)
    series = pd.Series(uniq.astype("datetime64[ns]")).dt.tz_localize("UTC")
    local = series.dt.tz_convert(zone).dt.tz_localize(None) - pd.Timedelta(1, "ns")
    if config.period == "month":
        starts = local.dt.to_period("M").dt.start_time
    else:
        starts = local.dt.floor(_FREQ[config.period])
    keys = starts.to_numpy().astype("datetime64[ns]").astype(np.int64)
    codes, _ = pd.factorize(keys)
    top = np.maximum.accumulate(codes)
    reps = uniq[np.flatnonzero(np.r_[True, top[1:] > top[:-1]])]
    rep_series = pd.Series(reps.astype("datetime64[ns]")).dt.tz_localize("UTC")
    periods = list(assign_periods(rep_series, config.period, config.tz))
    return codes[inv].astype(np.int64), periods


def _exact_sums(codes: np.ndarray, values: np.ndarray, exps: np.ndarray, groups: int,
                scale: int) -> list[Decimal]:
    """Per group the exact Decimal sum, exponent min(0, member exponents)."""
    if not len(codes):
        return []
    order = np.argsort(codes, kind="stable")
    c = codes[order]
    starts = np.flatnonzero(np.r_[True, c[1:] != c[:-1]])
    v = values[order]
    lo = np.add.reduceat(v & 0xFFFFFFFF, starts)
    hi = np.add.reduceat(v >> 32, starts)
    ex = np.minimum(np.minimum.reduceat(exps[order], starts), 0)
    out: list[Decimal] = [Decimal(0)] * groups
    for g, h, low, x in zip(c[starts].tolist(), hi.tolist(), lo.tolist(), ex.tolist(),
                            strict=True):
        total = (h << 32) + low
        q = total // 10 ** (scale + x)
        out[g] = Decimal(f"{q}E{x}")
    return out


class _Readings:
    """Builds the accepted `Reading`s once, column by column, for the result and for
    every batch (the same objects, as in the reference path).

    Values are rebuilt from the exact scaled integer and the tracked exponent
    (``coefficient E exponent``), which is the reference's Decimal digit for digit.
    """

    def __init__(self, t: Typed, order: np.ndarray) -> None:
        self._t, self._order = t, order
        self._items: list[Reading] | None = None

    def all(self) -> list[Reading]:
        if self._items is None:
            was = gc.isenabled()
            gc.disable()  # millions of new tracked objects: no collections meanwhile
            try:
                self._items = self._build()
            finally:
                if was:
                    gc.enable()
        return self._items

    def take(self, idx: np.ndarray):  # noqa: ANN201
        return lambda: [self.all()[i] for i in idx.tolist()]

    def _build(self) -> list[Reading]:
        t, pos = self._t, self._order
        ts_codes, ts_uniq = pd.factorize(t.ts[pos])
        stamps = np.array([_EPOCH + timedelta(microseconds=int(x) // 1000)
                           for x in ts_uniq.tolist()], dtype=object)[ts_codes].tolist()
        devs = np.array(t.dev_names, dtype=object)[t.dev[pos]].tolist()
        qtys = np.array(t.qty_names, dtype=object)[t.qty[pos]].tolist()
        units = np.array(t.qty_units, dtype=object)[t.qty[pos]].tolist()
        kinds = np.array(KINDS, dtype=object)[t.kind[pos]].tolist()
        exps = t.vexp[pos]
        coef = t.val[pos] // np.power(10, t.scale + exps, dtype=np.int64)
        values = [Decimal(f"{c}E{e}") for c, e in zip(coef.tolist(), exps.tolist(),
                                                       strict=True)]
        slow = np.flatnonzero(t.fast_pos[pos] < 0)
        for i in slow.tolist():  # rows typed by the reference: its own Decimal
            values[i] = t.decimal(int(pos[i]))
        return list(map(Reading, stamps, devs, qtys, values, units, kinds,
                        t.row[pos].tolist()))


def _leaf_factory(prefixed: list[bytes], a: int, b: int):  # noqa: ANN202
    return lambda: [x[1:] for x in prefixed[a:b]]


def _leaves(t: Typed, pos: np.ndarray) -> list[bytes]:
    """``0x00 ‖ canonical reading bytes`` of each position (the leaf-hash input)."""
    if not len(pos):
        return []
    ts_codes, ts_uniq = pd.factorize(t.ts[pos])
    ts_text = np.array(format_utc(ts_uniq, b"\x00", b"|").tolist(), dtype=object)[ts_codes]
    nq = max(1, len(t.qty_names))
    combo = t.dev[pos] * nq + t.qty[pos]
    c_codes, c_uniq = pd.factorize(combo)
    kinds = np.zeros(len(c_uniq), dtype=np.int64)
    kinds[c_codes] = t.kind[pos]
    mids, tails = [], []
    for c, k in zip(c_uniq.tolist(), kinds.tolist(), strict=True):
        d, q = divmod(c, nq)
        mids.append(f"{t.dev_names[d]}|{t.qty_names[q]}|".encode())
        tails.append(f"|{t.qty_units[q]}|{KINDS[k]}".encode())
    v_codes, v_uniq = pd.factorize(t.val[pos])
    values = np.array(decimal_texts(v_uniq, t.scale), dtype=object)[v_codes]
    mid = np.array(mids, dtype=object)[c_codes]
    tail = np.array(tails, dtype=object)[c_codes]
    return list(map(b"".join, zip(ts_text.tolist(), mid.tolist(), values.tolist(),
                                  tail.tolist(), strict=True)))


def assemble(t: Typed, c: Checked, config: IngestConfig, *, source: str,
             upload_hash: str, timings: dict[str, float] | None = None) -> IngestResult:
    """The `IngestResult` of the checked rows; see module docstring. The seconds spent
    on leaves and hashing are added to ``timings["merkle"]`` (and ``"_merkle"``)."""
    nq = max(1, len(t.qty_names))
    pcode, periods = _periods(t.ts, config)
    np_ = max(1, len(periods))
    dev_rank = np.argsort(np.argsort(np.array(t.dev_names, dtype=object))).astype(np.int64)
    qty_rank = np.argsort(np.argsort(np.array(t.qty_names, dtype=object))).astype(np.int64)

    # totals per (device, quantity, period) in the order the reference groups them
    dp = c.delta_pos
    key = (t.dev[dp] * nq + t.qty[dp]) * np_ + pcode[dp]
    codes, uniq = pd.factorize(key)
    sums = _exact_sums(codes, c.delta_val, c.delta_exp, len(uniq), t.scale)
    totals: list[PeriodTotal] = []
    by_batch: dict[tuple[str, Period], dict[str, tuple[Decimal, str]]] = defaultdict(dict)
    for k, value in zip(uniq.tolist(), sums, strict=True):
        dq, p = divmod(k, np_)
        d, q = divmod(dq, nq)
        qty, unit, period = t.qty_names[q], t.qty_units[q], periods[p]
        totals.append(PeriodTotal(qty, unit, period, value))
        by_batch[(t.dev_names[d], period)][qty] = (value, unit)
    totals.sort(key=lambda x: (x.period.start, x.quantity))
    merged: dict[tuple[str, Period], PeriodTotal] = {}
    for x in totals:
        k2 = (x.quantity, x.period)
        merged[k2] = (PeriodTotal(x.quantity, x.unit, x.period,
                                  exact_sum([merged[k2].value, x.value]))
                      if k2 in merged else x)
    totals = list(merged.values())

    # readings in (timestamp, device, quantity) order; batches by (period, device)
    u = c.accepted
    rd = u[np.lexsort((qty_rank[t.qty[u]], dev_rank[t.dev[u]], t.ts[u]))]
    p_rank = np.argsort(np.argsort(np.array(periods, dtype=object))).astype(np.int64) \
        if periods else np.zeros(0, dtype=np.int64)
    nd = max(1, len(t.dev_names))

    def batch_key(pos: np.ndarray) -> np.ndarray:
        return p_rank[pcode[pos]] * nd + dev_rank[t.dev[pos]]

    bkeys, bidx = np.unique(batch_key(rd), return_inverse=True)
    perm = np.argsort(bidx, kind="stable")
    in_batch = rd[perm]
    readings_of = _Readings(t, rd)
    counts = np.bincount(bidx, minlength=len(bkeys))
    bounds = np.r_[0, np.cumsum(counts)]
    leaf_rank = np.argsort(np.argsort(np.array([(q + "|").encode() for q in t.qty_names],
                                               dtype=object))).astype(np.int64)
    leaf_order = rd[np.lexsort((leaf_rank[t.qty[rd]], t.ts[rd], bidx))]
    began = time.perf_counter()
    prefixed = _leaves(t, leaf_order)
    digests = hash_prefixed_leaves(prefixed)
    roots = segment_roots(digests, counts)
    if timings is not None:
        spent = time.perf_counter() - began
        timings["merkle"] = timings.get("merkle", 0.0) + spent
        timings["_merkle"] = timings.get("_merkle", 0.0) + spent

    def events(pos: np.ndarray, weights: np.ndarray | None = None) -> np.ndarray:
        if not len(pos):
            return np.zeros(len(bkeys), dtype=np.int64)
        k = batch_key(pos)
        at = np.clip(np.searchsorted(bkeys, k), 0, max(0, len(bkeys) - 1))
        hit = (bkeys[at] == k) if len(bkeys) else np.zeros(len(k), dtype=bool)
        w = np.ones(len(k), dtype=np.int64) if weights is None else weights
        return np.bincount(at[hit], weights=w[hit], minlength=len(bkeys)).astype(np.int64)

    dup_n, reset_n = events(c.dup_pos), events(c.reset_pos)
    conflict_n, impl_n = events(c.conflict_pos), events(c.implausible_pos)
    gap_n = events(c.gap_pos, np.array([g.missing for g in c.gaps], dtype=np.int64))
    batches: list[MeasurementBatch] = []
    firsts = in_batch[bounds[:-1]]
    devs = t.dev[firsts].tolist()
    pers = pcode[firsts].tolist()
    starts_l, counts_l = bounds[:-1].tolist(), counts.tolist()
    columns = zip(dup_n.tolist(), conflict_n.tolist(), reset_n.tolist(), gap_n.tolist(),
                  impl_n.tolist(), strict=True)
    for b, (dup, conflict, reset, gap, impl) in enumerate(columns):
        dev, period = t.dev_names[devs[b]], periods[pers[b]]
        a, n = starts_l[b], counts_l[b]
        quality = QualityCounts(accepted=n, duplicate=dup, conflict=conflict, reset=reset,
                                gap=gap, rejected=impl + conflict)
        totals_b = by_batch.get((dev, period), {})
        root = roots[b]
        mb = object.__new__(MeasurementBatch)  # fields set below; no re-hashing
        mb.device_id, mb.period = dev, period
        mb.readings = LazyList(readings_of.take(perm[a:a + n]),
                               n)  # type: ignore[assignment]
        mb.totals, mb.quality, mb.upload_hash = totals_b, quality, upload_hash
        mb.merkle_root = root.hex()
        mb.batch_id = batch_id(dev, period, root, totals_b)
        mb.leaves = LazyList(_leaf_factory(prefixed, a, a + n), n)  # type: ignore[assignment]
        mb.leaf_digests = digests[a:a + n]
        batches.append(mb)

    rejected = t.rejected + c.rejected
    rejected.sort(key=lambda r: r.row)
    quality = QualityCounts(
        accepted=len(u), duplicate=len(c.duplicates), conflict=len(c.conflict_pos),
        reset=len(c.resets), gap=sum(g.missing for g in c.gaps), rejected=len(rejected),
        out_of_order=c.out_of_order)
    if quality.accepted + quality.rejected + quality.duplicate != t.input_rows:
        raise AssertionError(
            f"row accounting broken: {quality.accepted} accepted + {quality.rejected} "
            f"rejected + {quality.duplicate} duplicate != {t.input_rows} input rows")
    device = config.device_id
    if device is None:
        devices = sorted({t.dev_names[int(i)] for i in np.unique(t.dev[u])})
        device = devices[0] if len(devices) == 1 else None
    readings = LazyList(readings_of.all, len(rd))
    return IngestResult(source, "long", device, upload_hash, t.input_rows,
                        readings,  # type: ignore[arg-type]
                        rejected, c.duplicates, c.resets, c.gaps, quality, totals, batches,
                        list(t.scan.ignored_columns))

