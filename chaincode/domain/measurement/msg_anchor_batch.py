"""MsgAnchorBatch: anchor one signed measurement batch (device × meter × period).

Rules, in order:

1. the fields form a canonical header (`header.encode_header`); a given `batch_id` must
   equal the content id recomputed from them;
2. the device and meter are registered and the device may report for the meter, and the
   caller acts for the equipment's owner organisation (`registry.access`);
3. the signature verifies against the device's registered key over exactly those header
   bytes (ECDSA P-256, SHA-256, DER) — otherwise the batch is refused;
4. every total is a channel of the meter, in its unit;
5. the same batch id again: nothing is written, the existing anchoring is reported
   (`EventBatchAlreadyAnchored`);
6. a batch of the same device whose period overlaps another anchored batch is refused;
7. the batch is flagged ``meter_verification_valid: false`` when the meter's
   verification does not cover the whole period (it is kept, but cannot feed a credit).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from envalue.chaincode.domain.context import TxContext
from envalue.chaincode.domain.errors import (
    ConflictError,
    ForbiddenError,
    ValidationError,
)
from envalue.chaincode.domain.events import DomainEvent
from envalue.chaincode.domain.merkle import format_timestamp
from envalue.chaincode.domain.registry.access import require_acts_for
from envalue.chaincode.domain.registry.fields import (
    message_from_dict,
    parse_timestamp,
    require_decimal,
    require_id,
    require_int,
    require_list,
    require_mapping,
    require_sha256,
    require_timestamp,
)
from envalue.chaincode.domain.registry.state import (
    EdgeDevice,
    Equipment,
    Meter,
    canonical_json,
    load,
    load_or_none,
    save,
)
from envalue.chaincode.domain.store import Store, composite_key

from .header import QUALITY_KEYS, BatchHeader, HeaderError, encode_header
from .quantities import check_quantity_unit
from .signature import MAX_SIGNATURE_HEX, verify_header_signature
from .state import BATCH_OF_DEVICE, BATCH_OF_METER, BatchRecord

__all__ = ["MsgAnchorBatch", "apply", "header_of", "validate"]


@dataclass(frozen=True)
class MsgAnchorBatch:
    device_id: str
    meter_id: str
    period_start: str
    period_end: str
    reading_count: int
    merkle_root: str
    upload_hash: str
    quality: dict[str, int]
    totals: list[dict[str, str]]
    signature: str
    batch_id: str = ""

    @classmethod
    def from_dict(cls, data: Any) -> MsgAnchorBatch:
        return message_from_dict(cls, data)


@dataclass(frozen=True)
class _Checked:
    header: BatchHeader
    header_bytes: bytes
    totals: list[dict[str, str]] = field(default_factory=list)


def _check(msg: MsgAnchorBatch) -> _Checked:
    require_id(msg.device_id, "device_id")
    require_id(msg.meter_id, "meter_id")
    start = require_timestamp(msg.period_start, "period_start")
    end = require_timestamp(msg.period_end, "period_end")
    if end <= start:
        raise ValidationError("period_end", msg.period_end, "after-start",
                              "must be later than period_start")
    require_int(msg.reading_count, "reading_count")
    require_sha256(msg.merkle_root, "merkle_root")
    require_sha256(msg.upload_hash, "upload_hash")
    quality = require_mapping(msg.quality, "quality")
    if set(quality) != set(QUALITY_KEYS):
        raise ValidationError("quality", dict(quality), "quality-keys",
                              f"must have exactly {', '.join(QUALITY_KEYS)}")
    for key in QUALITY_KEYS:
        require_int(quality[key], f"quality.{key}")
    totals: dict[str, tuple[Decimal, str]] = {}
    lines: list[dict[str, str]] = []
    for index, raw in enumerate(require_list(msg.totals, "totals", max_items=32)):
        path = f"totals[{index}]"
        item = require_mapping(raw, path)
        if set(item) != {"quantity", "unit", "value"}:
            raise ValidationError(path, dict(item), "total",
                                  "must have exactly quantity, unit and value")
        check_quantity_unit(item["quantity"], item["unit"], path)
        if item["quantity"] in totals:
            raise ValidationError(f"{path}.quantity", item["quantity"], "unique",
                                  "quantity appears twice")
        value = require_decimal(item["value"], f"{path}.value")
        totals[item["quantity"]] = (Decimal(value), item["unit"])
        lines.append({"quantity": item["quantity"], "unit": item["unit"], "value": value})
    if (not isinstance(msg.signature, str) or not msg.signature
            or len(msg.signature) > MAX_SIGNATURE_HEX):
        raise ValidationError("signature", msg.signature, "signature",
                              "must be the hex DER ECDSA signature of the batch header")
    try:
        header = BatchHeader.build(
            device_id=msg.device_id, meter_id=msg.meter_id,
            period_start=parse_timestamp(start), period_end=parse_timestamp(end),
            reading_count=msg.reading_count, merkle_root=msg.merkle_root,
            upload_hash=msg.upload_hash, quality=dict(quality), totals=totals,
        )
    except HeaderError as exc:
        raise ValidationError("", None, "canonical-header", str(exc)) from exc
    if msg.batch_id and msg.batch_id != header.batch_id:
        raise ValidationError(
            "batch_id", msg.batch_id, "content-id",
            f"does not match the content id of the batch ({header.batch_id})",
        )
    return _Checked(header, encode_header(header),
                    sorted(lines, key=lambda line: line["quantity"]))


def validate(msg: MsgAnchorBatch) -> None:
    """Stateless checks (rule 1)."""
    _check(msg)


def header_of(msg: MsgAnchorBatch) -> bytes:
    """The canonical header bytes the message's signature must cover."""
    return _check(msg).header_bytes


async def apply(store: Store, ctx: TxContext, msg: MsgAnchorBatch) -> list[DomainEvent]:
    """Anchor the batch (module docstring)."""
    checked = _check(msg)
    header = checked.header
    device = await load(store, EdgeDevice, msg.device_id, field_name="device_id",
                        what="edge device")
    meter = await load(store, Meter, msg.meter_id, field_name="meter_id", what="meter")
    if msg.meter_id not in device.meter_ids:
        raise ForbiddenError("meter_id", msg.meter_id, "device-meter",
                             f"edge device {msg.device_id!r} is not registered to report for "
                             f"meter {msg.meter_id!r}")
    equipment = await load(store, Equipment, meter.equipment_id, field_name="meter_id",
                           what="equipment")
    require_acts_for(ctx, equipment.owner_msp, f"anchor batches of meter {msg.meter_id!r}")
    if not verify_header_signature(device.public_key_pem, checked.header_bytes, msg.signature):
        raise ForbiddenError(
            "signature", msg.signature, "device-signature",
            f"does not verify against the key registered for edge device {msg.device_id!r} "
            f"(fingerprint {device.key_fingerprint}): the batch header was not signed by this "
            "device or was altered",
        )
    for index, line in enumerate(checked.totals):
        if meter.unit_of(line["quantity"]) != line["unit"]:
            raise ValidationError(f"totals[{index}].quantity", line["quantity"], "meter-channel",
                                  f"meter {msg.meter_id!r} has no {line['quantity']} channel")
    existing = await load_or_none(store, BatchRecord, header.batch_id)
    if existing is not None:
        return [DomainEvent("EventBatchAlreadyAnchored", {
            "batch_id": existing.batch_id, "tx_id": existing.tx_id,
            "anchored_at": existing.anchored_at,
        })]
    await _refuse_overlap(store, header)
    valid = (meter.verification_valid_from <= header.period_start
             and header.period_end <= meter.verification_valid_until)
    await save(store, BatchRecord(
        batch_id=header.batch_id, device_id=header.device_id, meter_id=header.meter_id,
        equipment_id=meter.equipment_id, period_start=header.period_start,
        period_end=header.period_end, reading_count=header.reading_count,
        merkle_root=header.merkle_root, upload_hash=header.upload_hash,
        quality=dict(header.quality), totals=checked.totals, signature=msg.signature,
        header_sha256=hashlib.sha256(checked.header_bytes).hexdigest(),
        key_fingerprint=device.key_fingerprint, meter_verification_valid=valid,
        anchored_by=ctx.owner_key, anchored_at=format_timestamp(ctx.timestamp),
        tx_id=ctx.tx_id,
    ))
    span = canonical_json({"batch_id": header.batch_id, "period_start": header.period_start,
                           "period_end": header.period_end})
    await store.put(composite_key(BATCH_OF_DEVICE, header.device_id, header.period_start,
                                  header.batch_id), span)
    await store.put(composite_key(BATCH_OF_METER, header.meter_id, header.period_start,
                                  header.batch_id), span)
    return [DomainEvent("EventAnchorBatch", {
        "batch_id": header.batch_id, "device_id": header.device_id,
        "meter_id": header.meter_id, "equipment_id": meter.equipment_id,
        "period_start": header.period_start, "period_end": header.period_end,
        "reading_count": header.reading_count, "merkle_root": header.merkle_root,
        "meter_verification_valid": valid,
    })]


async def _refuse_overlap(store: Store, header: BatchHeader) -> None:
    """A batch of the same device whose period overlaps this one is a conflict."""
    async for _key, raw in store.scan(BATCH_OF_DEVICE, header.device_id):
        other = json.loads(raw)
        if other["period_start"] >= header.period_end:
            break  # index is in period order: no later batch can overlap
        if other["period_end"] > header.period_start:
            raise ConflictError(
                "period_start", header.period_start, "no-overlap",
                f"batch overlaps batch {other['batch_id']} of device {header.device_id!r} "
                f"({other['period_start']}..{other['period_end']}), which is anchored with "
                "other content; a device's batches must not overlap",
            )
