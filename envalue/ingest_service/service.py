"""The one ingestion path behind HTTP and MQTT: check the device and its signature, pick
the format from the content type, run `envalue.ingest`, store, and report.

Signature policy: when the device's public key is known, a valid signature over the exact
body is required (401 otherwise); when it is not known the upload is accepted unsigned
unless `require_signature` is set. Nothing is anchored on a ledger here: the report says
so (`anchored: false`), because anchoring batch roots needs the Fabric network.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pandas as pd
from cryptography.hazmat.primitives.asymmetric import ec

from envalue.chaincode.domain.measurement.header import encode_header
from envalue.chaincode.domain.measurement.signature import verify_header_signature
from envalue.chaincode.domain.merkle import text_problem
from envalue.edge.batch_signing import decode_batch_signatures, header_of
from envalue.edge.signing import SignatureError, public_pem, verify_body
from envalue.ingest.config import FORMATS, IngestConfig
from envalue.ingest.decimals import parse_decimal
from envalue.ingest.model import IngestError
from envalue.ingest.periods import PERIODS
from envalue.ingest.pipeline import IngestResult, detect_format, ingest
from envalue.ingest.store import BatchOverlapError, IngestStore
from envalue.ingest_service.problems import Problem

__all__ = ["ANCHOR_NOTE", "DEVICE_ID_PATTERN", "IngestService", "ServiceConfig",
           "format_for"]

ANCHOR_NOTE = ("stored off-chain only: anchoring batch roots on the ledger needs the Fabric "
               "network, which is not available yet")
DEVICE_ID_PATTERN = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._:-]{0,127}$")
MAX_REPORTED_ROWS = 1000
_JSON_TYPES = {"application/json", "text/json"}
_CSV_TYPES = {"text/csv", "application/csv", "text/plain"}


@dataclass(frozen=True)
class ServiceConfig:
    """Limits and defaults of the front ends (per-request options may override some)."""

    max_body_bytes: int = 16 * 1024 * 1024
    require_signature: bool = False
    period: str = "day"
    tz: str = "Asia/Tokyo"
    naive_tz: str | None = None
    counter_capacity: Decimal | None = None


def format_for(content_type: str | None, body: bytes, requested: str | None = None) -> str:
    """The ingest format for a body: JSON types → json; CSV types → long or wide by the
    header; no type → detected. An explicit `requested` format must agree."""
    mime = (content_type or "").split(";", 1)[0].strip().casefold()
    detected = detect_format(body)
    if mime in _JSON_TYPES:
        fmt = "json"
    elif mime in _CSV_TYPES:
        if detected == "json":
            raise Problem(400, "Body is not CSV", "the content type says CSV but the body "
                          "starts like JSON", "content_type_mismatch", "Content-Type", mime)
        fmt = detected
    elif mime in ("", "application/octet-stream"):
        fmt = detected
    else:
        raise Problem(415, "Unsupported media type",
                      "send application/json, text/csv or multipart/form-data",
                      "unsupported_media_type", "Content-Type", mime)
    if requested is not None:
        if requested not in FORMATS:
            raise Problem(400, "Unknown format", f"expected one of {', '.join(FORMATS)}",
                          "format", "format", requested)
        if (requested == "json") != (fmt == "json"):
            raise Problem(400, "Format does not match the content type",
                          f"format {requested} with content type {mime or 'none'}",
                          "content_type_mismatch", "format", requested)
        fmt = requested
    return fmt


def check_device(device: str | None) -> str:
    """A device id usable in batch keys and MQTT topics (no ``/ + #``)."""
    if not device:
        raise Problem(400, "Device missing", "name the device (?device=ID or the topic)",
                      "missing_device", "device", "")
    if not DEVICE_ID_PATTERN.match(device) or text_problem(device):
        raise Problem(400, "Invalid device id", "letters, digits and . _ : - only, "
                      "at most 128, starting with a letter or digit", "invalid_identifier",
                      "device", device)
    return device


def _option_decimal(options: Mapping[str, str], name: str) -> Decimal | None:
    text = options.get(name)
    if text is None:
        return None
    value, reason = parse_decimal(text)
    if value is None or value < 0:
        raise Problem(400, "Invalid option", reason or "must not be negative",
                      "invalid_option", name, text)
    return value


def _option_interval(options: Mapping[str, str]) -> timedelta | None:
    text = options.get("interval")
    if text is None:
        return None
    try:
        value = pd.Timedelta(text)
    except ValueError:
        value = None
    if value is None or value <= pd.Timedelta(0):
        raise Problem(400, "Invalid option", "a positive duration such as 30min or 1h",
                      "invalid_option", "interval", text)
    return value.to_pytimedelta()


def _truthy(text: str | None) -> bool:
    return (text or "").casefold() in ("1", "true", "yes", "on")


class IngestService:
    """Runs uploads through `envalue.ingest` and `IngestStore` (one writer at a time)."""

    def __init__(self, store: IngestStore | None,
                 keys: Mapping[str, ec.EllipticCurvePublicKey] | None = None,
                 config: ServiceConfig | None = None) -> None:
        self.store = store
        self.keys = keys if keys is not None else {}
        self.config = config or ServiceConfig()
        self._lock = threading.Lock()

    def check_signature(self, device: str, body: bytes, signature: str | None) -> str:
        """"verified" or "unsigned"; `Problem` 401 when the policy is not met."""
        key = self.keys.get(device)
        if key is None:
            if self.config.require_signature:
                raise Problem(401, "Unknown device", "no public key is registered for this "
                              "device and signatures are required", "unknown_device",
                              "device", device)
            if signature:
                return "unverified (device key not known)"
            return "unsigned"
        if not signature:
            raise Problem(401, "Signature required", "this device has a registered key: "
                          "sign the body (X-Envalue-Signature)", "signature_required",
                          "X-Envalue-Signature", "")
        try:
            verify_body(key, body, signature)
        except SignatureError as exc:
            raise Problem(401, "Bad signature", str(exc), "signature_invalid",
                          "X-Envalue-Signature", signature) from None
        return "verified"

    def _config(self, device: str, fmt: str, options: Mapping[str, str]) -> IngestConfig:
        period = options.get("period", self.config.period)
        if period not in PERIODS:
            raise Problem(400, "Invalid option", f"expected one of {', '.join(PERIODS)}",
                          "invalid_option", "period", period)
        capacity = _option_decimal(options, "counter_capacity")
        return IngestConfig(
            device_id=device, format=fmt, period=period,
            tz=options.get("tz", self.config.tz),
            interval=_option_interval(options),
            counter_capacity=capacity if capacity is not None else self.config.counter_capacity,
            naive_tz=options.get("assume_tz", self.config.naive_tz),
        )

    def check_batch_signatures(self, device: str, result: IngestResult,
                               signatures: str | None, meter_id: str | None
                               ) -> dict[str, dict[str, str]]:
        """Per batch id: its canonical header text and the state of the device's
        signature over it ("verified", "missing", "unverified (device key not known)").
        A signature that does not verify refuses the whole upload (401)."""
        given: dict[str, str] = {}
        if signatures:
            try:
                given = decode_batch_signatures(signatures)
            except ValueError as exc:
                raise Problem(400, "Bad batch signatures", str(exc),
                              "batch_signatures_malformed", "X-Envalue-Batch-Signatures",
                              signatures) from None
        key = self.keys.get(device)
        pem = public_pem(key).decode("ascii") if key is not None else None
        out: dict[str, dict[str, str]] = {}
        for b in result.batches:
            header = header_of(b, meter_id)
            text = encode_header(header)
            sig = given.get(header.batch_id)
            if sig is None:
                state = "missing"
            elif pem is None:
                state = "unverified (device key not known)"
            elif verify_header_signature(pem, text, sig):
                state = "verified"
            else:
                raise Problem(401, "Bad batch signature", "the device's signature does not "
                              "verify over the canonical header of this batch (computed "
                              "with the request's ingest options)", "batch_signature_invalid",
                              "batch_id", header.batch_id)
            out[b.batch_id] = {"header": text.decode("utf-8"), "header_signature": state}
            if sig is not None:
                out[b.batch_id]["signature"] = sig
        unknown = sorted(set(given) - set(out))
        if unknown:
            raise Problem(401, "Batch signature for no batch", "a batch signature names a "
                          "batch this upload does not produce (different ingest options?)",
                          "batch_signature_invalid", "batch_id", unknown[0])
        return out

    def handle(self, *, device: str | None, body: bytes, content_type: str | None,
               signature: str | None, source: str = "",
               options: Mapping[str, str] | None = None,
               batch_signatures: str | None = None) -> dict[str, Any]:
        """Ingest one upload and return the report; raise `Problem` when refused."""
        options = options or {}
        device = check_device(device)
        if len(body) > self.config.max_body_bytes:
            raise Problem(413, "Upload too large", f"at most {self.config.max_body_bytes} "
                          "bytes per upload; split it by period", "body_too_large",
                          "body", str(len(body)))
        if not body.strip():
            raise Problem(400, "Empty upload", "the body is empty", "empty_body", "body", "")
        signed = self.check_signature(device, body, signature)
        fmt = format_for(content_type, body, options.get("format"))
        config = self._config(device, fmt, options)
        dry_run = _truthy(options.get("dry_run")) or self.store is None
        try:
            result = ingest(body, config, source=source or f"upload:{device}")
            headers = self.check_batch_signatures(device, result, batch_signatures,
                                                  options.get("meter"))
            stored = None
            if not dry_run:
                assert self.store is not None
                with self._lock:
                    stored = self.store.add(result)
        except BatchOverlapError as exc:
            raise Problem(409, "Overlapping batch", exc.message, exc.rule or "batch_overlap",
                          exc.field, exc.value) from None
        except IngestError as exc:
            raise Problem(422, "Upload not readable", exc.message, exc.rule or "ingest",
                          exc.field, exc.value,
                          {"row": exc.row} if exc.row is not None else {}) from None
        return self.report(result, signed, stored, dry_run, headers)

    @staticmethod
    def report(result: IngestResult, signature: str, stored: Any, dry_run: bool,
               headers: Mapping[str, Mapping[str, str]] | None = None) -> dict[str, Any]:
        """The JSON answer: quality, rejected rows with reasons, totals, batches."""
        q = result.quality
        created = set(stored.created) if stored is not None else set()
        batches = []
        for b in result.batches:
            status = ("not stored (dry run)" if dry_run else
                      "stored" if b.batch_id in created else "already stored")
            batches.append(b.summary() | {"status": status}
                           | dict((headers or {}).get(b.batch_id, {})))
        rejected = [{"row": r.row, "field": r.field, "value": r.value[:200],
                     "rule": r.rule.value, "message": r.message}
                    for r in result.rejected[:MAX_REPORTED_ROWS]]
        return {
            "device": result.device_id,
            "source": result.source,
            "format": result.format,
            "upload_hash": result.upload_hash,
            "signature": signature,
            "input_rows": result.input_rows,
            "quality": q.contract() | {"out_of_order": q.out_of_order},
            "rejected": rejected,
            "rejected_truncated": len(result.rejected) > MAX_REPORTED_ROWS,
            "resets": [{"quantity": r.quantity, "timestamp": r.timestamp.isoformat(),
                        "row": r.row, "rule": r.rule.value, "previous": str(r.previous),
                        "value": str(r.value)} for r in result.resets[:MAX_REPORTED_ROWS]],
            "gaps": [{"quantity": g.quantity, "after": g.after.isoformat(),
                      "before": g.before.isoformat(), "missing": g.missing}
                     for g in result.gaps[:MAX_REPORTED_ROWS]],
            "ignored_columns": result.ignored_columns,
            "totals": [t.contract() for t in result.totals],
            "batches": batches,
            "stored": stored is not None,
            "upload_id": stored.upload_id if stored is not None else None,
            "anchored": False,
            "note": ANCHOR_NOTE,
        }
