"""JSON: a list of objects with the long format's keys (or ``{"readings": [...]}``).

Numbers are parsed as `Decimal` (never float) and kept as their exact text; NaN and
Infinity literals become text that `convert` rejects. Row numbers are 1-based list
positions.
"""

from __future__ import annotations

import json
from decimal import Decimal

from envalue.ingest.model import IngestError, Rejection, Rule
from envalue.ingest.raw import FIELDS, RawTable, decode_text

__all__ = ["parse_json"]


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, Decimal):
        return str(value)
    return json.dumps(value, default=str, ensure_ascii=False)


def parse_json(data: bytes, *, source: str = "", device_id: str | None = None) -> RawTable:
    """Split a JSON document into a `RawTable`."""
    text = decode_text(data, source)
    try:
        doc = json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=str)
    except json.JSONDecodeError as exc:
        raise IngestError(f"invalid JSON: {exc.msg} (line {exc.lineno} column {exc.colno})",
                          source=source, rule="invalid_json") from None
    except RecursionError:
        raise IngestError("invalid JSON: nested too deeply", source=source,
                          rule="invalid_json") from None
    if isinstance(doc, dict) and isinstance(doc.get("readings"), list):
        doc = doc["readings"]
    if not isinstance(doc, list):
        raise IngestError("expected a JSON list of readings (or {\"readings\": [...]})",
                          source=source, rule="invalid_json")
    rows: list[dict[str, object]] = []
    rejected: list[Rejection] = []
    for position, item in enumerate(doc, start=1):
        raw = json.dumps(item, default=str, ensure_ascii=False)
        if not isinstance(item, dict):
            rejected.append(Rejection(position, raw, "*", raw[:200], Rule.MALFORMED_ROW,
                                      "not a JSON object"))
            continue
        row: dict[str, object] = {"row": position, "raw": raw}
        for name in FIELDS:
            row[name] = _text(item.get(name))
        rows.append(row)
    return RawTable(RawTable.build(rows), rejected)
