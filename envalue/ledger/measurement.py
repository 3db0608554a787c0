"""Measurement on the ledger from a client: anchor signed batches, calculate, review, mint,
trace.

A batch is anchored with the canonical header of `chaincode/domain/measurement/header.py`,
rebuilt here from the off-chain store's batch row and totals (`stored_header`: the very
facts the ingestion committed to, meter id defaulting to the device id as the edge
device signs it, see `envalue.edge.batch_signing.header_of`) and signed with the edge
device's key (`measurement.signature.sign_header`). `anchor_call` checks the message
with the chaincode's own `msg_anchor_batch.validate`, which recomputes the content id.

Builders are pure (``*_call``); `submit_measurement` runs one in a `LedgerSession`.
"""

from __future__ import annotations

import json
from datetime import datetime
from decimal import Decimal
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec

from envalue.chaincode.domain.errors import NotFoundError, ValidationError
from envalue.chaincode.domain.measurement import (
    msg_anchor_batch,
    msg_approve_calculation,
    msg_calculate,
    msg_mint,
    msg_reject_calculation,
)
from envalue.chaincode.domain.measurement.header import BatchHeader, HeaderError, encode_header
from envalue.chaincode.domain.measurement.msg_anchor_batch import MsgAnchorBatch
from envalue.chaincode.domain.measurement.signature import sign_header
from envalue.chaincode.domain.measurement.state import BatchRecord, CalculationRecord
from envalue.chaincode.domain.quantity import loads
from envalue.chaincode.domain.registry.fields import require_id
from envalue.ingest.store import IngestStore

from .messages import LedgerCall, TxResult, query_call, submit_call
from .session import LedgerSession

__all__ = [
    "anchor_call",
    "anchor_message",
    "approve_calculation_call",
    "batch_call",
    "calculate_call",
    "calculation_call",
    "mint_call",
    "reject_calculation_call",
    "signed_anchor",
    "stored_header",
    "submit_measurement",
    "trace_call",
]

MEASUREMENT = "measurement"


# -- batch headers from the off-chain store ----------------------------------------------
def _utc(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00"))


def stored_header(store: IngestStore, batch_id: str, meter_id: str | None = None
                  ) -> BatchHeader:
    """The canonical header of stored batch `batch_id` (meter id: the device id unless
    given). Raises NotFoundError when the store has no such batch, ValidationError when
    the stored facts no longer give the stored batch id (an edited row)."""
    row = store.batch_of(batch_id)
    if row is None:
        raise NotFoundError("batch_id", batch_id, "stored",
                            f"the off-chain store has no batch {batch_id}")
    totals: dict[str, tuple[Decimal, str]] = store.totals_of(batch_id)
    try:
        header = BatchHeader.build(
            device_id=str(row["device_id"]), meter_id=meter_id or str(row["device_id"]),
            period_start=_utc(str(row["period_start"])), period_end=_utc(str(row["period_end"])),
            reading_count=int(row["count"]),  # type: ignore[call-overload]
            merkle_root=str(row["merkle_root"]), upload_hash=str(row["upload_hash"]),
            quality=json.loads(str(row["quality"])), totals=totals)
    except HeaderError as exc:
        raise ValidationError("batch_id", batch_id, "canonical-header",
                              f"stored batch {batch_id} gives no canonical header: {exc}"
                              ) from exc
    if header.batch_id != batch_id:
        raise ValidationError("batch_id", batch_id, "content-id",
                              f"the stored facts of batch {batch_id} give content id "
                              f"{header.batch_id}: the stored row was altered")
    return header


def anchor_message(header: BatchHeader, signature: str) -> MsgAnchorBatch:
    """The anchoring message carrying `header`'s facts and the device's signature."""
    return MsgAnchorBatch(
        device_id=header.device_id, meter_id=header.meter_id,
        period_start=header.period_start, period_end=header.period_end,
        reading_count=header.reading_count, merkle_root=header.merkle_root,
        upload_hash=header.upload_hash, quality=dict(header.quality),
        totals=[{"quantity": q, "value": v, "unit": u}
                for q, (v, u) in sorted(header.totals.items())],
        signature=signature, batch_id=header.batch_id)


def signed_anchor(header: BatchHeader, key: ec.EllipticCurvePrivateKey) -> MsgAnchorBatch:
    """`anchor_message` signed by the edge device holding `key` (the device side)."""
    return anchor_message(header, sign_header(key, encode_header(header)))


# -- builders ---------------------------------------------------------------------------
def anchor_call(message: MsgAnchorBatch) -> LedgerCall[Any]:
    """Anchor one signed batch; the same batch again commits nothing new
    (`EventBatchAlreadyAnchored`)."""
    return submit_call(MEASUREMENT, "anchor_batch", message, msg_anchor_batch.validate)


def calculate_call(equipment_id: str, period_start: str, period_end: str,
                   supersedes: str = "", reason: str = "") -> LedgerCall[Any]:
    message = msg_calculate.MsgCalculate(equipment_id, period_start, period_end, supersedes,
                                         reason)
    return submit_call(MEASUREMENT, "calculate", message, msg_calculate.validate)


def approve_calculation_call(calculation_id: str, comment: str = "") -> LedgerCall[Any]:
    message = msg_approve_calculation.MsgApproveCalculation(calculation_id, comment)
    return submit_call(MEASUREMENT, "approve_calculation", message,
                       msg_approve_calculation.validate)


def reject_calculation_call(calculation_id: str, comment: str) -> LedgerCall[Any]:
    message = msg_reject_calculation.MsgRejectCalculation(calculation_id, comment)
    return submit_call(MEASUREMENT, "reject_calculation", message,
                       msg_reject_calculation.validate)


def mint_call(calculation_id: str, lot_id: str = "") -> LedgerCall[Any]:
    """Mint an approved reduction as lot `lot_id` (default ``lot-<calculation hex>``)."""
    message = msg_mint.MsgMintReduction(calculation_id, lot_id)
    return submit_call(MEASUREMENT, "mint", message, msg_mint.validate)


def batch_call(batch_id: str) -> LedgerCall[BatchRecord]:
    return query_call(MEASUREMENT, "get_batch", require_id(batch_id, "batch_id"),
                      decode=lambda raw: BatchRecord.from_dict(loads(raw)))


def calculation_call(calculation_id: str) -> LedgerCall[CalculationRecord]:
    return query_call(MEASUREMENT, "get_calculation",
                      require_id(calculation_id, "calculation_id"),
                      decode=lambda raw: CalculationRecord.from_dict(loads(raw)))


def trace_call(lot_id: str = "", calculation_id: str = "") -> LedgerCall[dict[str, Any]]:
    """Everything behind a lot or a calculation (give exactly one)."""
    if bool(lot_id) == bool(calculation_id):
        raise ValidationError("", None, "one-of", "give exactly one of lot_id, calculation_id")
    if lot_id:
        require_id(lot_id, "lot_id")
    else:
        require_id(calculation_id, "calculation_id")
    return query_call(MEASUREMENT, "trace", lot_id, calculation_id)


# -- domain function --------------------------------------------------------------------
def submit_measurement(session: LedgerSession, call: LedgerCall[Any]) -> TxResult:
    """Submit a measurement call built above as the session's identity."""
    if call.contract != MEASUREMENT or not call.submit:
        raise ValueError(f"{call.operation} is not a measurement transaction")
    return session.submit(call)
