"""Canonical long CSV: ``timestamp,device_id,quantity,value,unit[,kind]``.

Header names are matched case-insensitively and in any order; `device_id` may be left
out when the caller names the device, `kind` defaults to `interval`; other columns are
ignored and listed in `RawTable.ignored_columns`. Row numbers are line numbers (header
= line 1).
"""

from __future__ import annotations

from envalue.ingest.model import IngestError, Rejection, Rule
from envalue.ingest.parse_csv import read_records
from envalue.ingest.raw import FIELDS, RawTable, decode_text

__all__ = ["parse_long"]

REQUIRED = ("timestamp", "quantity", "value", "unit")


def parse_long(data: bytes, *, source: str = "", device_id: str | None = None) -> RawTable:
    """Split a long CSV into a `RawTable` (no typing yet; see `convert`)."""
    records = read_records(decode_text(data, source))
    header = next(records, None)
    if header is None or header.fields is None:
        raise IngestError("the file has no header line", source=source, row=1,
                          rule="missing_header")
    names = [h.strip().casefold() for h in header.fields]
    missing = [c for c in REQUIRED if c not in names]
    if device_id is None and "device_id" not in names:
        missing.append("device_id")
    if missing:
        raise IngestError(
            f"header lacks column(s) {', '.join(missing)}; expected "
            "timestamp,device_id,quantity,value,unit[,kind]",
            source=source, row=header.line, field=",".join(missing), rule="missing_column",
        )
    index = {n: names.index(n) for n in FIELDS if n in names}
    ignored = [h for h, n in zip(header.fields, names, strict=True) if n not in index]
    width = len(names)
    rows: list[dict[str, object]] = []
    rejected: list[Rejection] = []
    for rec in records:
        if rec.fields is None or len(rec.fields) != width:
            got = "unreadable" if rec.fields is None else f"{len(rec.fields)} fields"
            rejected.append(Rejection(
                rec.line, rec.raw, "*", rec.raw[:200], Rule.MALFORMED_ROW,
                rec.error or f"{got}, header has {width}",
            ))
            continue
        row: dict[str, object] = {"row": rec.line, "raw": rec.raw}
        for name in FIELDS:
            row[name] = rec.fields[index[name]] if name in index else None
        rows.append(row)
    return RawTable(RawTable.build(rows), rejected, ignored_columns=ignored)
