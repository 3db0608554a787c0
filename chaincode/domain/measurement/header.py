"""The canonical batch header: the exact bytes an edge device signs for one batch.

One pure builder (`encode_header`) used by the edge simulator, the chaincode and
`envalue verify`, and its inverse (`decode_header`). The bytes are UTF-8 text, one
``name=value`` line per field, each line ended by LF (``\\n``), in this order::

    envalue-batch-header-v1
    batch_id=<64 lower-case hex: content id, see batch_content_id>
    device_id=<edge device id>
    meter_id=<meter id>
    period_start=<YYYY-MM-DDTHH:MM:SS.ffffffZ>
    period_end=<YYYY-MM-DDTHH:MM:SS.ffffffZ>
    reading_count=<integer, no sign, no leading zeros>
    merkle_root=<64 lower-case hex>
    upload_hash=<64 lower-case hex: SHA-256 of the raw upload>
    quality=accepted:<n>,conflict:<n>,duplicate:<n>,gap:<n>,rejected:<n>,reset:<n>
    total=<quantity>:<value>:<unit>        (one line per quantity, sorted by quantity)

- ids match ``[A-Za-z0-9][A-Za-z0-9._:-]*`` (at most 128 characters);
- timestamps are UTC with six fractional digits (`merkle.format_timestamp`), the period
  is ``(period_start, period_end]`` as in the ingestion;
- `value` is the exact non-negative decimal in plain notation without trailing zeros
  (`merkle.decimal_text`), `quantity` matches ``[a-z][a-z0-9_]*``, `unit`
  ``[A-Za-z][A-Za-z0-9]*``; a quantity appears at most once;
- there is no trailing blank line; any other byte sequence is not a header.

`batch_content_id` is the ingestion's batch id (``envalue.ingest.batch.batch_id``):
SHA-256 hex of ``envalue-batch-v1|device_id|period_start|period_end|root|q=v u;…``
(totals sorted by quantity). It depends on the readings and how they were totalled, not
on the file they came in, which makes re-anchoring idempotent.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from envalue.chaincode.domain.merkle import decimal_text, format_timestamp

__all__ = [
    "HEADER_MAGIC",
    "QUALITY_KEYS",
    "BatchHeader",
    "HeaderError",
    "batch_content_id",
    "decode_header",
    "encode_header",
]

HEADER_MAGIC = "envalue-batch-header-v1"
#: The quality counts a header carries, in header order.
QUALITY_KEYS: tuple[str, ...] = ("accepted", "conflict", "duplicate", "gap", "rejected", "reset")

_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
_HEX64 = re.compile(r"^[0-9a-f]{64}$")
_TS = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$")
_INT = re.compile(r"^(0|[1-9][0-9]{0,17})$")
_QUANTITY = re.compile(r"^[a-z][a-z0-9_]{0,63}$")
_UNIT = re.compile(r"^[A-Za-z][A-Za-z0-9]{0,15}$")
_DECIMAL = re.compile(r"^(0|[1-9][0-9]*)(\.[0-9]*[1-9])?$|^0\.[0-9]*[1-9]$")
_FIELDS: tuple[str, ...] = (
    "batch_id", "device_id", "meter_id", "period_start", "period_end", "reading_count",
    "merkle_root", "upload_hash", "quality",
)


class HeaderError(ValueError):
    """Not a canonical header, or a field that cannot be put in one."""


@dataclass(frozen=True)
class BatchHeader:
    """The signed facts of one batch (all text already in canonical form).

    `totals` maps quantity -> (decimal text, unit); `quality` maps each of
    `QUALITY_KEYS` to a count.
    """

    batch_id: str
    device_id: str
    meter_id: str
    period_start: str
    period_end: str
    reading_count: int
    merkle_root: str
    upload_hash: str
    quality: Mapping[str, int]
    totals: Mapping[str, tuple[str, str]] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        *,
        device_id: str,
        meter_id: str,
        period_start: datetime,
        period_end: datetime,
        reading_count: int,
        merkle_root: str,
        upload_hash: str,
        quality: Mapping[str, int],
        totals: Mapping[str, tuple[Decimal, str]],
    ) -> BatchHeader:
        """Canonicalise raw values (datetimes, Decimals) and derive the batch id."""
        start, end = format_timestamp(period_start), format_timestamp(period_end)
        texts = {q: (decimal_text(v), u) for q, (v, u) in totals.items()}
        header = cls(
            batch_id=batch_content_id(device_id, start, end, merkle_root, texts),
            device_id=device_id, meter_id=meter_id, period_start=start, period_end=end,
            reading_count=reading_count, merkle_root=merkle_root, upload_hash=upload_hash,
            quality={k: quality.get(k, 0) for k in QUALITY_KEYS}, totals=texts,
        )
        encode_header(header)  # checks every field
        return header


def batch_content_id(
    device_id: str, period_start: str, period_end: str, merkle_root: str,
    totals: Mapping[str, tuple[str, str]],
) -> str:
    """The content-derived batch id (module docstring); timestamps in canonical form."""
    summed = ";".join(f"{q}={v} {u}" for q, (v, u) in sorted(totals.items()))
    text = "|".join(("envalue-batch-v1", device_id, period_start, period_end, merkle_root,
                     summed))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _check(name: str, value: str, pattern: re.Pattern[str]) -> str:
    if not isinstance(value, str) or not pattern.match(value):
        raise HeaderError(f"{name}: {value!r} is not in canonical form")
    return value


def _check_int(name: str, value: object) -> str:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0 or value >= 10**18:
        raise HeaderError(f"{name}: {value!r} is not a count")
    return str(value)


def encode_header(header: BatchHeader) -> bytes:
    """The canonical bytes (module docstring); HeaderError if a field is not canonical."""
    if set(header.quality) != set(QUALITY_KEYS):
        raise HeaderError(f"quality: must have exactly {', '.join(QUALITY_KEYS)}")
    if header.period_end <= header.period_start:
        raise HeaderError("period_end: must be later than period_start")
    lines = [
        HEADER_MAGIC,
        f"batch_id={_check('batch_id', header.batch_id, _HEX64)}",
        f"device_id={_check('device_id', header.device_id, _ID)}",
        f"meter_id={_check('meter_id', header.meter_id, _ID)}",
        f"period_start={_check('period_start', header.period_start, _TS)}",
        f"period_end={_check('period_end', header.period_end, _TS)}",
        f"reading_count={_check_int('reading_count', header.reading_count)}",
        f"merkle_root={_check('merkle_root', header.merkle_root, _HEX64)}",
        f"upload_hash={_check('upload_hash', header.upload_hash, _HEX64)}",
        "quality=" + ",".join(
            f"{k}:{_check_int(f'quality.{k}', header.quality[k])}" for k in QUALITY_KEYS
        ),
    ]
    for quantity in sorted(header.totals):
        value, unit = header.totals[quantity]
        lines.append(
            f"total={_check('totals', quantity, _QUANTITY)}:"
            f"{_check(f'totals.{quantity}', value, _DECIMAL)}:"
            f"{_check(f'totals.{quantity}.unit', unit, _UNIT)}"
        )
    return ("\n".join(lines) + "\n").encode("utf-8")


def decode_header(data: bytes) -> BatchHeader:
    """Parse canonical header bytes; HeaderError unless re-encoding gives the same bytes."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise HeaderError("header is not UTF-8") from exc
    if not text.endswith("\n"):
        raise HeaderError("header must end with a line feed")
    lines = text[:-1].split("\n")
    if lines[0] != HEADER_MAGIC or len(lines) < 1 + len(_FIELDS):
        raise HeaderError(f"header must start with {HEADER_MAGIC!r} and have every field")
    values: dict[str, str] = {}
    for name, line in zip(_FIELDS, lines[1:], strict=False):
        prefix = f"{name}="
        if not line.startswith(prefix):
            raise HeaderError(f"line {line!r}: expected field {name}")
        values[name] = line[len(prefix):]
    quality: dict[str, int] = {}
    for part in values["quality"].split(","):
        key, _, count = part.partition(":")
        if key in quality or not _INT.match(count):
            raise HeaderError(f"quality: {values['quality']!r} is not in canonical form")
        quality[key] = int(count)
    totals: dict[str, tuple[str, str]] = {}
    for line in lines[1 + len(_FIELDS):]:
        if not line.startswith("total="):
            raise HeaderError(f"line {line!r}: expected a total")
        parts = line[len("total="):].split(":")
        if len(parts) != 3 or parts[0] in totals:
            raise HeaderError(f"line {line!r}: not a canonical total")
        totals[parts[0]] = (parts[1], parts[2])
    if not _INT.match(values["reading_count"]):
        raise HeaderError(f"reading_count: {values['reading_count']!r} is not a count")
    header = BatchHeader(
        batch_id=values["batch_id"], device_id=values["device_id"],
        meter_id=values["meter_id"], period_start=values["period_start"],
        period_end=values["period_end"], reading_count=int(values["reading_count"]),
        merkle_root=values["merkle_root"], upload_hash=values["upload_hash"],
        quality=quality, totals=totals,
    )
    if encode_header(header) != data:
        raise HeaderError("header is not in canonical form (field order, sorting or spelling)")
    return header
