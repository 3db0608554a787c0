"""Typing the scanned rows: the fast decisions, and the reference `convert` for the rest.

A row is typed here only when every field is certainly fine: the device, quantity, unit
and kind texts are judged once per distinct text with the reference's own functions, and
the timestamp and value must have the plain forms `timestamps` and `values` parse
exactly. Every other row (and every line the scan set aside) goes through the reference
`parse_long` + `convert`, which gives its rejection (or, rarely, a typed row that is then
merged). So rejections of typing are always the reference's own.
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from decimal import Decimal

import numpy as np
import pandas as pd

from envalue.chaincode.domain.merkle import text_problem
from envalue.ingest.config import IngestConfig
from envalue.ingest.convert import convert
from envalue.ingest.decimals import parse_decimal
from envalue.ingest.fast.scan import Scan
from envalue.ingest.fast.timestamps import parse_iso_split
from envalue.ingest.fast.values import LIMIT, parse_plain, scaled_of_decimal
from envalue.ingest.model import Rejection
from envalue.ingest.parse_long import parse_long
from envalue.ingest.units import canonical_symbol, conversion

__all__ = ["KINDS", "Typed", "type_rows"]

KINDS = ("interval", "cumulative")
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
MAX_SCALE = 18


class Names:
    """Interned names → small int codes (first-seen order)."""

    def __init__(self) -> None:
        self.names: list[str] = []
        self._index: dict[str, int] = {}

    def code(self, name: str) -> int:
        c = self._index.get(name)
        if c is None:
            c = self._index[name] = len(self.names)
            self.names.append(name)
        return c


@dataclass(slots=True)
class Typed:
    """Typed rows in row order as arrays, plus what is needed to materialise any row."""

    scan: Scan
    row: np.ndarray  # line numbers
    ts: np.ndarray  # UTC ns
    dev: np.ndarray
    qty: np.ndarray
    kind: np.ndarray  # index into KINDS
    val: np.ndarray  # value × 10^scale, canonical unit
    vexp: np.ndarray  # the reference Decimal's exponent
    scale: int
    dev_names: list[str]
    qty_names: list[str]
    qty_units: list[str]
    rejected: list[Rejection]
    input_rows: int
    # materialisation: fast rows point into the scan, slow rows into `slow`
    fast_pos: np.ndarray  # scan record index, or -1
    slow_pos: np.ndarray  # index into slow_* lists, or -1
    unit_of: np.ndarray  # fast rows: index into unit_symbols
    unit_symbols: list[str]
    value_col: int
    slow_raw: list[str]
    slow_source: list[str]
    slow_value: list[Decimal]

    def __len__(self) -> int:
        return len(self.row)

    def raw(self, i: int) -> str:
        p = int(self.fast_pos[i])
        if p < 0:
            return self.slow_raw[int(self.slow_pos[i])]
        return self.scan.buffer.text(int(self.scan.line_start[p]), int(self.scan.line_end[p]))

    def source_value(self, i: int) -> str:
        p = int(self.fast_pos[i])
        if p < 0:
            return self.slow_source[int(self.slow_pos[i])]
        c = self.value_col
        return self.scan.buffer.text(int(self.scan.starts[p, c]), int(self.scan.ends[p, c]))

    def decimal(self, i: int) -> Decimal:
        """The value exactly as the reference computes it (same Decimal, same exponent)."""
        p = int(self.fast_pos[i])
        if p < 0:
            return self.slow_value[int(self.slow_pos[i])]
        value, _ = parse_decimal(self.source_value(i))
        assert value is not None
        unit = self.unit_symbols[int(self.unit_of[i])]
        return conversion(unit, self.qty_units[int(self.qty[i])]).apply(value)

    def timestamp(self, i: int) -> datetime:
        return _EPOCH + timedelta(microseconds=int(self.ts[i]) // 1000)


def _field(scan: Scan, name: str) -> tuple[np.ndarray, np.ndarray] | None:
    j = scan.columns.get(name)
    if j is None:
        return None
    s = scan.starts[:, j]
    return s, scan.ends[:, j] - s


def _device_name(text: str, device_id: str | None) -> str | None:
    v = text.strip()
    if device_id is not None and v == "":
        v = device_id
    v = unicodedata.normalize("NFC", v)
    if v == "" or (device_id is not None and v != device_id) or text_problem(v):
        return None
    return v


def _quantity_name(text: str, config: IngestConfig) -> str | None:
    v = unicodedata.normalize("NFC", text.strip())
    if v == "" or text_problem(v) or config.registry.get(v) is None:
        return None
    return v


def _kind_code(text: str | None) -> int:
    v = "" if text is None else text.strip()
    v = "interval" if v == "" else v.casefold()
    return KINDS.index(v) if v in KINDS else -1


def _categorical(scan: Scan, name: str, judge) -> tuple[np.ndarray, list]:  # noqa: ANN001
    """Per-row verdict codes: judge() is applied once per distinct text."""
    field = _field(scan, name)
    n = len(scan.line)
    if field is None:
        return np.zeros(n, dtype=np.int64), [judge(None)]
    got = scan.buffer.factorize(*field)
    if got is None:
        return np.full(n, -1, dtype=np.int64), []
    codes, texts = got
    return codes, [judge(t) for t in texts]


def _reference(scan: Scan, lines: list[tuple[int, str]], config: IngestConfig,
               source: str) -> tuple[pd.DataFrame, list[Rejection], int]:
    """`parse_long` + `convert` of `lines` (line number, text), with real row numbers."""
    if not lines:
        return pd.DataFrame(), [], 0
    lines.sort()
    text = scan.header + "\n" + "\n".join(t for _, t in lines) + "\n"
    table = parse_long(text.encode("ascii"), source=source, device_id=config.device_id)
    real = np.array([0, 0] + [n for n, _ in lines], dtype=np.int64)
    table.frame["row"] = real[table.frame["row"].to_numpy(dtype=np.int64)]
    table.rejected = [replace(r, row=int(real[r.row])) for r in table.rejected]
    done = convert(table, registry=config.registry, device_id=config.device_id)
    return done.frame, done.rejected, table.input_rows


def type_rows(scan: Scan, config: IngestConfig, source: str) -> Typed | None:
    """The `Typed` rows of `scan`, or None when the values do not fit the int64 scale."""
    names_dev, names_qty = Names(), Names()
    device_id = config.device_id

    dcodes, dverdict = _categorical(scan, "device_id", lambda t: _device_name(
        "" if t is None else t, device_id))
    dev_map = np.array([-1 if v is None else names_dev.code(v) for v in dverdict] + [-1],
                       dtype=np.int64)
    dev = dev_map[dcodes]
    qcodes, qverdict = _categorical(scan, "quantity", lambda t: _quantity_name(
        "" if t is None else t, config))
    qty_map = np.array([-1 if v is None else names_qty.code(v) for v in qverdict] + [-1],
                       dtype=np.int64)
    qty = qty_map[qcodes]
    kcodes, kverdict = _categorical(scan, "kind", _kind_code)
    kind = np.array(kverdict + [-1], dtype=np.int64)[kcodes]
    ucodes, uverdict = _categorical(scan, "unit", lambda t: canonical_symbol(t or "") if (
        t or "").strip() else None)
    unit_symbols = sorted({u for u in uverdict if u is not None})
    unit_map = np.array([-1 if u is None else unit_symbols.index(u) for u in uverdict]
                        + [-1], dtype=np.int64)
    unit = unit_map[ucodes]

    ok = (dev >= 0) & (qty >= 0) & (kind >= 0) & (unit >= 0)
    qty_units = [config.registry.get(q).unit for q in names_qty.names]  # type: ignore[union-attr]
    # exact factor per (unit, quantity): fnum × 10^-fexp, and its Decimal exponent
    n_u, n_q = max(1, len(unit_symbols)), max(1, len(names_qty.names))
    fnum = np.zeros(n_u * n_q, dtype=np.int64)
    fexp = np.zeros(n_u * n_q, dtype=np.int64)
    fgood = np.zeros(n_u * n_q, dtype=bool)
    for ui, u in enumerate(unit_symbols):
        for qi, target in enumerate(qty_units):
            factor = conversion(u, target).factor
            if factor is None:
                continue
            _, digits, exp = factor.as_tuple()
            assert isinstance(exp, int)
            fnum[ui * n_q + qi] = int("".join(map(str, digits)))
            fexp[ui * n_q + qi] = -exp
            fgood[ui * n_q + qi] = len(digits) <= 7
    pair = np.where(ok, unit * n_q + qty, 0)
    ok &= fgood[pair]

    ts_ok, ts = parse_iso_split(scan.buffer, *_field(scan, "timestamp"))  # type: ignore[misc]
    ok &= ts_ok
    v_ok, mantissa, fd = parse_plain(scan.buffer, *_field(scan, "value"))  # type: ignore[misc]
    ok &= v_ok

    slow_lines = list(scan.slow_lines)
    for p in np.flatnonzero(~ok):
        slow_lines.append((int(scan.line[p]), scan.buffer.text(int(scan.line_start[p]),
                                                                int(scan.line_end[p]))))
    frame, rejected, slow_input = _reference(scan, slow_lines, config, source)

    # the common scale: every fast row, every slow typed row, the counter capacities
    f_exp = fexp[pair]
    scale = int((fd + f_exp)[ok].max()) if ok.any() else 0
    slow_values = list(frame["value"]) if len(frame) else []
    for v in slow_values:
        scale = max(scale, -int(v.as_tuple().exponent))
    caps = config.counter_capacity
    cap_values = ([] if caps is None else [caps] if isinstance(caps, Decimal)
                  else list(caps.values()))
    for c in cap_values:
        if c.is_finite():
            scale = max(scale, -int(c.as_tuple().exponent))
    if scale > MAX_SCALE:
        return None
    shift = scale - fd - f_exp
    f_num = fnum[pair]
    estimate = mantissa.astype(np.float64) * f_num * np.power(10.0, np.where(ok, shift, 0))
    if np.any(estimate[ok] >= LIMIT / 2):
        return None
    val = np.where(ok, mantissa * f_num * np.power(10, np.where(ok, shift, 0),
                                                   dtype=np.int64), 0)
    vexp = np.where(mantissa == 0, 0, -fd) - f_exp

    fast = np.flatnonzero(ok)
    m = len(frame)
    slow_scaled = [scaled_of_decimal(v, scale) for v in slow_values]
    if any(s is None for s in slow_scaled):
        return None
    s_dev = np.array([names_dev.code(d) for d in frame["device_id"]] if m else [],
                     dtype=np.int64)
    s_qty = np.array([names_qty.code(q) for q in frame["quantity"]] if m else [],
                     dtype=np.int64)
    qty_units = [config.registry.get(q).unit for q in names_qty.names]  # type: ignore[union-attr]
    s_kind = np.array([KINDS.index(k) for k in frame["kind"]] if m else [], dtype=np.int64)
    s_ts = np.array([pd.Timestamp(x).value for x in frame["ts"]] if m else [],
                    dtype=np.int64)
    s_row = frame["row"].to_numpy(dtype=np.int64) if m else np.zeros(0, dtype=np.int64)

    row = np.concatenate([scan.line[fast], s_row])
    order = np.argsort(row, kind="stable")
    k = len(fast)

    def merged(a: np.ndarray, b: np.ndarray | list) -> np.ndarray:
        return np.concatenate([a, np.asarray(b, dtype=np.int64)])[order]

    fast_pos = merged(fast, np.full(m, -1))
    slow_pos = merged(np.full(k, -1), np.arange(m))
    return Typed(
        scan=scan, row=row[order], ts=merged(ts[fast], s_ts), dev=merged(dev[fast], s_dev),
        qty=merged(qty[fast], s_qty), kind=merged(kind[fast], s_kind),
        val=merged(val[fast], np.array(slow_scaled, dtype=np.int64)),
        vexp=merged(vexp[fast], [int(v.as_tuple().exponent) for v in slow_values]),
        scale=scale, dev_names=names_dev.names, qty_names=names_qty.names,
        qty_units=qty_units, rejected=rejected, input_rows=k + slow_input,
        fast_pos=fast_pos, slow_pos=slow_pos, unit_of=merged(unit[fast], np.full(m, -1)),
        unit_symbols=unit_symbols, value_col=scan.columns["value"],
        slow_raw=list(frame["raw"]) if m else [],
        slow_source=[str(v) for v in frame["source_value"]] if m else [],
        slow_value=slow_values,
    )
