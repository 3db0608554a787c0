"""Uploads as bytes in the formats envalue.ingest reads: long CSV, JSON, wide CSV.

- long: ``timestamp,device_id,quantity,value,unit,kind`` (methodologies.md "Counter data"),
  ISO 8601 timestamps with the +09:00 offset;
- json: a list of objects with the same keys, values as JSON numbers written exactly;
- wide: one column per quantity as boiler-monitoring exports write them
  (``日時,燃料使用量[L],蒸発量[kg],出力熱量[GJ],蒸気圧力[MPa]``, counters prefixed 積算),
  timestamps ``2024/4/1 0:30`` without offset (ingest with ``naive_tz="Asia/Tokyo"``),
  plus a steam-pressure column that ingestion does not read.
Malformed rows are written truncated (CSV) or as a bare string (JSON).
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal

from envalue.chaincode.domain.merkle import decimal_text
from envalue.edge.defects import Upload

__all__ = ["CONTENT_TYPES", "FORMATS", "render", "WIDE_NAMES"]

FORMATS = ("long", "json", "wide")
CONTENT_TYPES = {"long": "text/csv", "wide": "text/csv", "json": "application/json"}

# quantity -> wide column name (Japanese, as i-Labo style exports label them)
WIDE_NAMES = {"fuel": "燃料使用量", "fuel_gas": "ガス使用量", "steam": "蒸発量",
              "heat": "出力熱量", "water": "給水量", "electricity": "電力量",
              "pv_generation": "発電量", "pv_export": "売電量",
              "battery_discharge": "放電量"}


def _num(v: Decimal) -> str:
    return decimal_text(v)


def _long(up: Upload) -> bytes:
    out = ["timestamp,device_id,quantity,value,unit,kind"]
    for ln in up.lines:
        ts = ln.ts.isoformat()
        for q, v in ln.cells.items():
            if ln.tag == "malformed":
                out.append(f"{ts},{up.device_id},{q}")
            else:
                out.append(f"{ts},{up.device_id},{q},{_num(v)},{up.units[q]},{up.kinds[q]}")
    return ("\n".join(out) + "\n").encode()


def _json(up: Upload) -> bytes:
    items: list[str] = []
    for ln in up.lines:
        for q, v in ln.cells.items():
            if ln.tag == "malformed":
                items.append(json.dumps(f"{ln.ts.isoformat()} {q} <garbled>"))
                continue
            head = json.dumps({"timestamp": ln.ts.isoformat(), "device_id": up.device_id,
                               "quantity": q}, ensure_ascii=False)[:-1]
            tail = json.dumps({"unit": up.units[q], "kind": up.kinds[q]})[1:]
            items.append(f"{head}, \"value\": {_num(v)}, {tail}")
    return ("[\n" + ",\n".join(items) + "\n]\n").encode()


def _wide_time(ts: datetime) -> str:
    return f"{ts.year}/{ts.month}/{ts.day} {ts.hour}:{ts.minute:02d}"


def _wide(up: Upload) -> bytes:
    qs = list(up.units)
    header = ["日時"]
    for q in qs:
        prefix = "積算" if up.kinds[q] == "cumulative" else ""
        header.append(f"{prefix}{WIDE_NAMES.get(q, q)}[{up.units[q]}]")
    header.append("蒸気圧力[MPa]")
    out = [",".join(header)]
    for n, ln in enumerate(up.lines):
        if ln.tag == "malformed":
            out.append(f"{_wide_time(ln.ts)},{_num(next(iter(ln.cells.values())))}")
            continue
        cells = [_num(ln.cells[q]) for q in qs]
        out.append(",".join([_wide_time(ln.ts), *cells, f"0.{68 + n % 5}"]))
    return ("\n".join(out) + "\n").encode()


def render(up: Upload, fmt: str) -> bytes:
    """The upload's bytes in `fmt` (long | json | wide)."""
    if fmt == "long":
        return _long(up)
    if fmt == "json":
        return _json(up)
    if fmt == "wide":
        return _wide(up)
    raise ValueError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
