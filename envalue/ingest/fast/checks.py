"""The quality checks of `envalue.ingest.validate`, vectorised over `Typed` arrays.

Same steps, same order, same results (see that module's docstring): one kind per device
and quantity, out-of-order count, duplicates and conflicts, implausible values, gaps, and
the deltas (interval amounts as they are, counters through the wrap/reset rules of
`envalue.ingest.counters`). Values are exact integers at `Typed.scale`, so every
comparison with a Decimal bound is exact: ``v > b ⇔ v > floor(b × 10^scale)`` for an
integer v. Only what is reported (rejections, duplicates, resets, gaps) becomes Python
objects.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

import numpy as np
import pandas as pd

from envalue.ingest.config import IngestConfig
from envalue.ingest.decimals import decimal_text
from envalue.ingest.fast.typed import KINDS, Typed
from envalue.ingest.model import Rejection, Rule
from envalue.ingest.validate import Duplicate, Gap, Reset, _bound

__all__ = ["Checked", "check"]

_NONE = np.iinfo(np.int64).max  # "no bound"
_CONFLICT = "another row has the same device, quantity and timestamp with a different value"


@dataclass(slots=True)
class Checked:
    """Accepted rows (positions into `Typed`), deltas, and everything reported."""

    accepted: np.ndarray
    rejected: list[Rejection]
    duplicates: list[Duplicate]
    dup_pos: np.ndarray
    resets: list[Reset]
    reset_pos: np.ndarray
    gaps: list[Gap]
    gap_pos: np.ndarray  # position of the reading after each gap
    out_of_order: int
    conflict_pos: np.ndarray
    implausible_pos: np.ndarray
    delta_pos: np.ndarray  # the row whose interval the delta is
    delta_val: np.ndarray
    delta_exp: np.ndarray


def _floor_scaled(bound: Decimal, scale: int) -> int:
    v = int(bound.scaleb(scale).to_integral_value(rounding=ROUND_FLOOR))
    return max(min(v, _NONE - 1), -_NONE)


def _reject(t: Typed, pos: np.ndarray, field: str, rule: Rule, messages: list[str]
            ) -> list[Rejection]:
    out = []
    for p, m in zip(pos.tolist(), messages, strict=True):
        value = KINDS[int(t.kind[p])] if field == "kind" else t.source_value(p)
        out.append(Rejection(int(t.row[p]), t.raw(p), field, value, rule, m))
    return out


def _inferred(ts: np.ndarray, sid: np.ndarray, n_series: int) -> np.ndarray:
    """Per series the most frequent positive spacing (ties: the smallest), or -1."""
    out = np.full(n_series, -1, dtype=np.int64)
    if len(ts) < 2:
        return out
    d = ts[1:] - ts[:-1]
    keep = (sid[1:] == sid[:-1]) & (d > 0)
    s, d = sid[1:][keep], d[keep]
    if not len(s):
        return out
    o = np.lexsort((d, s))
    s, d = s[o], d[o]
    new = np.r_[True, (s[1:] != s[:-1]) | (d[1:] != d[:-1])]
    starts = np.flatnonzero(new)
    counts = np.diff(np.r_[starts, len(s)])
    rs, rd = s[starts], d[starts]
    best = np.lexsort((rd, -counts, rs))
    first = np.r_[True, rs[best][1:] != rs[best][:-1]]
    out[rs[best][first]] = rd[best][first]
    return out


def check(t: Typed, config: IngestConfig) -> Checked:
    """Run the checks; see module docstring."""
    n = len(t)
    scale = t.scale
    nq = max(1, len(t.qty_names))
    g = t.dev * nq + t.qty
    rejected: list[Rejection] = []

    # 0. one kind per device and quantity (the kind of its first row)
    if n:
        _, first, inv = np.unique(g, return_index=True, return_inverse=True)
        first_kind = t.kind[first][inv]
    else:
        first_kind = t.kind
    mixed = np.flatnonzero(t.kind != first_kind)
    rejected += _reject(t, mixed, "kind", Rule.MIXED_KIND, [
        "the first row of this quantity is " + KINDS[int(first_kind[p])] for p in mixed])
    live = np.flatnonzero(t.kind == first_kind)

    # 1. out of order: earlier than the latest timestamp already seen in the series
    o = live[np.argsort(g[live], kind="stable")]
    seen = pd.Series(t.ts[o]).groupby(g[o]).cummax().to_numpy()
    same = g[o][1:] == g[o][:-1]
    out_of_order = int(np.count_nonzero(same & (t.ts[o][1:] < seen[:-1])))

    # 2. duplicates (same value: later rows) and conflicts (different values: all rows)
    a = live[np.lexsort((live, t.ts[live], g[live]))]
    new = np.r_[True, (g[a][1:] != g[a][:-1]) | (t.ts[a][1:] != t.ts[a][:-1])] if len(a) \
        else np.zeros(0, dtype=bool)
    gid = np.cumsum(new) - 1
    heads = a[new]
    differs = t.val[a] != t.val[heads][gid]
    bad_group = np.zeros(len(heads), dtype=bool)
    bad_group[gid[differs]] = True
    in_conflict = bad_group[gid]
    conflict_pos = np.sort(a[in_conflict])
    rejected += _reject(t, conflict_pos, "value", Rule.CONFLICT,
                        [_CONFLICT] * len(conflict_pos))
    is_dup = ~in_conflict & ~new
    dup_order = np.argsort(a[is_dup], kind="stable")
    dup_pos = a[is_dup][dup_order]
    kept = t.row[heads][gid][is_dup][dup_order]
    duplicates = [Duplicate(int(t.row[p]), t.raw(p), int(k), t.dev_names[int(t.dev[p])],
                            t.timestamp(p)) for p, k in zip(dup_pos.tolist(), kept.tolist(),
                                                             strict=True)]
    u = a[~in_conflict & new]
    dev_rank = np.argsort(np.argsort(np.array(t.dev_names, dtype=object)))
    qty_rank = np.argsort(np.argsort(np.array(t.qty_names, dtype=object)))
    if len(u):
        u = u[np.lexsort((t.ts[u], qty_rank[t.qty[u]], dev_rank[t.dev[u]]))]
    gu = g[u]
    snew = np.r_[True, gu[1:] != gu[:-1]] if len(u) else np.zeros(0, dtype=bool)
    sid = np.cumsum(snew) - 1
    heads_s = u[snew]
    n_series = len(heads_s)

    # 3. implausible values; the interval is inferred before they are removed
    if config.interval:
        interval = np.full(n_series, int(pd.Timedelta(config.interval).value), dtype=np.int64)
    else:
        interval = _inferred(t.ts[u], sid, n_series)
    threshold = np.full(n_series, _NONE, dtype=np.int64)
    message: list[str] = [""] * n_series
    for s, h in enumerate(heads_s.tolist()):
        qty = t.qty_names[int(t.qty[h])]
        if KINDS[int(t.kind[h])] == "interval":
            span = pd.Timedelta(int(interval[s])) if interval[s] >= 0 else None
            bound = _bound(config.max_rate.get(qty), span)
            if bound is not None:
                threshold[s] = _floor_scaled(bound, scale)
                message[s] = f"above max rate: {decimal_text(bound)} per interval"
        else:
            cap = config.capacity_for(qty)
            if cap is not None:
                threshold[s] = _floor_scaled(cap, scale)
                message[s] = f"above counter capacity {decimal_text(cap)}"
    implausible = t.val[u] > threshold[sid]
    implausible_pos = u[implausible]
    order = np.argsort(implausible_pos, kind="stable")
    rejected += _reject(t, implausible_pos[order], "value", Rule.IMPLAUSIBLE_VALUE,
                        [message[s] for s in sid[implausible][order].tolist()])
    implausible_pos = np.sort(implausible_pos)
    u, sid = u[~implausible], sid[~implausible]

    # 4. gaps
    ts_u = t.ts[u]
    d = ts_u[1:] - ts_u[:-1] if len(u) else np.zeros(0, dtype=np.int64)
    same = sid[1:] == sid[:-1]
    step = interval[sid[1:]] if len(u) else d
    gap_at = np.flatnonzero(same & (step >= 0) & (d > step))
    gaps = []
    for i in gap_at.tolist():
        p, q = int(u[i]), int(u[i + 1])
        missing = -(-int(d[i]) // int(step[i])) - 1
        gaps.append(Gap(t.dev_names[int(t.dev[p])], t.qty_names[int(t.qty[p])],
                        t.timestamp(p), t.timestamp(q), missing))
    gap_pos = u[gap_at + 1]

    # 5. deltas
    cum = t.kind[u] == KINDS.index("cumulative")
    pair = np.flatnonzero(same & cum[1:])  # pair i: readings u[i] → u[i + 1]
    prev, cur = t.val[u[pair]], t.val[u[pair + 1]]
    e_prev, e_cur = t.vexp[u[pair]], t.vexp[u[pair + 1]]
    span = d[pair]
    q_of = t.qty[u[pair + 1]]
    bound = np.full(len(pair), _NONE, dtype=np.int64)
    cap_s = np.full(len(pair), -1, dtype=np.int64)
    cap_e = np.zeros(len(pair), dtype=np.int64)
    has_cap = np.zeros(len(pair), dtype=bool)
    for qi, qty in enumerate(t.qty_names):
        here = q_of == qi
        if not here.any():
            continue
        rate = config.max_rate.get(qty)
        if rate is not None:
            codes, spans = pd.factorize(span[here])
            per = np.array([_floor_scaled(_bound(rate, pd.Timedelta(int(x))), scale)
                            for x in spans], dtype=np.int64)
            bound[here] = per[codes]
        cap = config.capacity_for(qty)
        if cap is not None:
            cap_s[here] = _floor_scaled(cap, scale)  # exact: the scale covers capacities
            cap_e[here] = int(cap.as_tuple().exponent)
            has_cap[here] = True
    has_bound = bound != _NONE
    unit = 10 ** scale
    rising = cur >= prev
    delta = cur - prev
    jump = rising & has_bound & (delta > bound)
    wrapped = cap_s + unit - prev + cur
    wrap_bad = np.where(has_bound, wrapped > bound, 2 * wrapped > cap_s + unit)
    fall = ~rising & ~has_cap
    wrap_reset = ~rising & has_cap & wrap_bad
    value = np.where(rising, delta, wrapped)
    exp = np.where(rising, np.minimum(e_cur, e_prev),
                   np.minimum(np.minimum(cap_e, 0), np.minimum(e_prev, e_cur)))
    is_reset = jump | fall | wrap_reset
    rules = np.where(jump, 0, np.where(fall, 1, 2))
    names = (Rule.RESET_IMPLAUSIBLE_JUMP, Rule.RESET_FALL, Rule.RESET_IMPLAUSIBLE_WRAP)
    resets = []
    reset_pos = u[pair[is_reset] + 1]
    for i, r in zip(pair[is_reset].tolist(), rules[is_reset].tolist(), strict=True):
        p, q = int(u[i]), int(u[i + 1])
        resets.append(Reset(t.dev_names[int(t.dev[q])], t.qty_names[int(t.qty[q])],
                            t.timestamp(q), int(t.row[q]), names[r], t.decimal(p),
                            t.decimal(q)))
    # delta rows in series order: interval rows as they are, counter steps kept
    take = np.zeros(len(u), dtype=bool)
    take[~cum] = True
    dval = t.val[u].copy()
    dexp = t.vexp[u].copy()
    kept = pair[~is_reset] + 1
    take[kept] = True
    dval[kept] = value[~is_reset]
    dexp[kept] = exp[~is_reset]
    return Checked(
        accepted=u, rejected=rejected, duplicates=duplicates, dup_pos=dup_pos,
        resets=resets, reset_pos=reset_pos, gaps=gaps, gap_pos=gap_pos,
        out_of_order=out_of_order, conflict_pos=conflict_pos,
        implausible_pos=implausible_pos, delta_pos=u[take], delta_val=dval[take],
        delta_exp=dexp[take])
