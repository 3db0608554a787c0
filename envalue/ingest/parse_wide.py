"""Wide CSV exports of monitoring systems: one timestamp column, one column per quantity.

Header convention (as boiler-monitoring systems such as i-Labo export it)::

    日時,燃料使用量[L],蒸発量[t],給水量[m3],蒸気圧力[MPa]
    timestamp,fuel_consumption[L],steam[t],electricity[kWh]

- the timestamp column is the one named timestamp / datetime / time / 日時 / 日付時刻 /
  計測日時 / 時刻 (case-insensitive), else the first column;
- a quantity column is ``name[unit]`` (also ``name(unit)``, full-width ``［］`` ``（）``,
  spaces allowed); ``name`` is mapped to a quantity by `QuantityRegistry.for_column`
  (e.g. 燃料使用量 / fuel_consumption → fuel, 蒸発量 → steam); a name prefixed with
  ``積算`` or ``cumulative_`` is a cumulative counter, otherwise values are interval
  amounts;
- columns that are not mapped or carry no unit (pressures, temperatures, status flags)
  are not read; they are listed in `RawTable.ignored_columns` with the reason;
- dates may be written ``2024/4/1 0:30``; timestamps without an offset are rejected
  unless `naive_tz` names the zone the export is in.

Each cell of a mapped column is one input row (row number = line number, header = 1),
so a line with three quantity columns is three rows; a malformed line is rejected once
per quantity column.
"""

from __future__ import annotations

import re

from envalue.ingest.model import IngestError, Rejection, Rule
from envalue.ingest.parse_csv import read_records
from envalue.ingest.quantities import QuantityRegistry, normalise_column_name
from envalue.ingest.raw import RawTable, decode_text

__all__ = ["parse_wide", "split_header"]

_TIME_NAMES = {"timestamp", "datetime", "date_time", "time", "日時", "日付時刻", "計測日時",
               "時刻", "年月日時刻"}
_HEADER_RE = re.compile(r"^\s*(?P<name>.*?)\s*[\[［(（]\s*(?P<unit>[^\]］)）]+?)\s*[\]］)）]\s*$")
_CUMULATIVE_PREFIXES = ("積算", "cumulative_")
_SLASH_DATE = re.compile(
    r"^\s*(\d{4})[/.](\d{1,2})[/.](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}(?:\.\d+)?))?)?"
)


def split_header(column: str) -> tuple[str, str | None]:
    """``"燃料使用量[L]"`` → ``("燃料使用量", "L")``; no unit → ``(column, None)``."""
    m = _HEADER_RE.match(column)
    return (m["name"], m["unit"].strip()) if m else (column.strip(), None)


def _iso(text: str) -> str:
    m = _SLASH_DATE.match(text)
    if not m:
        return text
    y, mo, d, h, mi, s = m.groups()
    out = f"{y}-{int(mo):02d}-{int(d):02d}"
    if h is not None:
        out += f"T{int(h):02d}:{mi}:{s or '00'}"
    return out + text[m.end():]


def parse_wide(
    data: bytes,
    *,
    source: str = "",
    device_id: str | None = None,
    registry: QuantityRegistry | None = None,
    naive_tz: str | None = None,
) -> RawTable:
    """Split a wide CSV into a `RawTable` with one row per quantity cell."""
    if device_id is None:
        raise IngestError("a wide CSV has no device column: name the device", source=source,
                          field="device_id", rule="missing_device")
    registry = registry or QuantityRegistry()
    records = read_records(decode_text(data, source))
    header = next(records, None)
    if header is None or header.fields is None or len(header.fields) < 2:
        raise IngestError("the file has no header with a timestamp and quantity columns",
                          source=source, row=1, rule="missing_header")
    names = [normalise_column_name(h) for h in header.fields]
    ts_col = next((i for i, n in enumerate(names) if n in _TIME_NAMES), 0)
    columns: list[tuple[int, str, str, str, str]] = []  # index, header, quantity, unit, kind
    ignored: list[str] = []
    for i, column in enumerate(header.fields):
        if i == ts_col:
            continue
        name, unit = split_header(column)
        kind = "interval"
        for prefix in _CUMULATIVE_PREFIXES:
            if normalise_column_name(name).startswith(prefix):
                name, kind = name.strip()[len(prefix):], "cumulative"
        quantity = registry.for_column(name)
        if quantity is None:
            ignored.append(f"{column} (not a known quantity)")
        elif unit is None:
            ignored.append(f"{column} (no unit in header)")
        else:
            columns.append((i, column, quantity, unit, kind))
    if not columns:
        raise IngestError(
            "no quantity column recognised; expected headers like fuel_consumption[L] "
            f"(ignored: {', '.join(ignored) or 'none'})",
            source=source, row=header.line, rule="missing_column",
        )
    width = len(header.fields)
    rows: list[dict[str, object]] = []
    rejected: list[Rejection] = []
    for rec in records:
        if rec.fields is None or len(rec.fields) != width:
            got = "unreadable" if rec.fields is None else f"{len(rec.fields)} fields"
            for _, column, _, _, _ in columns:
                rejected.append(Rejection(rec.line, rec.raw, column, rec.raw[:200],
                                          Rule.MALFORMED_ROW,
                                          rec.error or f"{got}, header has {width}"))
            continue
        ts = _iso(rec.fields[ts_col])
        for i, _column, quantity, unit, kind in columns:
            rows.append({
                "row": rec.line, "raw": rec.raw, "timestamp": ts, "device_id": device_id,
                "quantity": quantity, "value": rec.fields[i], "unit": unit, "kind": kind,
            })
    return RawTable(RawTable.build(rows), rejected, naive_tz=naive_tz, ignored_columns=ignored)
