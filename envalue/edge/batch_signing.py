"""Signing the canonical batch headers of an upload, on the device side.

Why: the ledger's batch record carries the edge device's signature over the canonical
header (`envalue.chaincode.domain.measurement.header`), and the chaincode checks it
against the device's registered key. The device computes the header with the very
ingestion code the platform runs (`envalue.ingest.ingest` with the same options), so the
Merkle root, totals and quality counts it signs are byte-identical to the platform's.

Wire form: ``X-Envalue-Batch-Signatures: base64(JSON [{"batch_id", "signature"}])``
(signature as lower-case DER hex, as `measurement.signature.sign_header` writes it); the
same text as MQTT user property ``x-envalue-batch-signatures`` or multipart field
``batch_signatures``.
"""

from __future__ import annotations

import base64
import binascii
import json

from cryptography.hazmat.primitives.asymmetric import ec

from envalue.chaincode.domain.measurement.header import BatchHeader, encode_header
from envalue.chaincode.domain.measurement.signature import sign_header
from envalue.ingest.batch import MeasurementBatch
from envalue.ingest.config import IngestConfig
from envalue.ingest.pipeline import ingest

__all__ = [
    "BATCH_SIGNATURES_HEADER",
    "decode_batch_signatures",
    "encode_batch_signatures",
    "header_of",
    "sign_batches",
]

BATCH_SIGNATURES_HEADER = "X-Envalue-Batch-Signatures"


def header_of(batch: MeasurementBatch, meter_id: str | None = None) -> BatchHeader:
    """The canonical header of an ingested batch (meter defaults to the device id)."""
    return BatchHeader.build(
        device_id=batch.device_id, meter_id=meter_id or batch.device_id,
        period_start=batch.period.start, period_end=batch.period.end,
        reading_count=batch.count, merkle_root=batch.merkle_root,
        upload_hash=batch.upload_hash, quality=batch.quality.contract(),
        totals=batch.totals,
    )


def sign_batches(key: ec.EllipticCurvePrivateKey, body: bytes, config: IngestConfig,
                 meter_id: str | None = None) -> list[dict[str, str]]:
    """Ingest `body` locally and sign every batch header; ``[{batch_id, signature}]``."""
    result = ingest(body, config, source="device")
    out = []
    for b in result.batches:
        header = header_of(b, meter_id)
        out.append({"batch_id": header.batch_id,
                    "signature": sign_header(key, encode_header(header))})
    return out


def encode_batch_signatures(items: list[dict[str, str]]) -> str:
    """The header value for `items`."""
    text = json.dumps(items, separators=(",", ":"), sort_keys=True)
    return base64.b64encode(text.encode()).decode("ascii")


def decode_batch_signatures(value: str) -> dict[str, str]:
    """batch id -> signature hex; ValueError when the value is not the wire form."""
    try:
        items = json.loads(base64.b64decode(value.strip(), validate=True))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ValueError("not base64 JSON") from None
    if not isinstance(items, list) or not all(
            isinstance(i, dict) and isinstance(i.get("batch_id"), str)
            and isinstance(i.get("signature"), str) for i in items):
        raise ValueError("expected a list of {batch_id, signature}")
    return {i["batch_id"]: i["signature"] for i in items}
