"""`verify_lineage`: every check of one token's lineage, from a trace and the store.

Input (a) is the trace document exactly as the chaincode's ``measurement:trace`` query
returns it (`envalue.chaincode.domain.measurement.trace`), input (b) the off-chain
store. Nothing here talks to a network: the CLI fetches the trace (or reads it from a
file) and hands it over, so the same function serves online and offline audits.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from envalue.ingest.store import IngestStore

from .batches import check_merkle, check_off_chain_record, check_signature, check_totals
from .calculation import (
    check_batches,
    check_factors,
    check_inputs,
    check_methodology,
    check_mint,
    check_recompute,
    check_transactions,
)
from .leaves import OffChainBatch, load_batch
from .report import Check, LineageReport, failed

__all__ = ["TraceFormatError", "verify_lineage"]

_TRACE_KEYS = ("calculation", "batches", "edge_devices", "meters", "equipment",
               "methodology", "factors", "transactions")


class TraceFormatError(ValueError):
    """The document is not a trace (a usage error, not a failed check)."""


def _guard(name: str, subject: str, run: Callable[[], Check]) -> Check:
    """A record too broken to check fails its check instead of stopping the audit."""
    try:
        return run()
    except (KeyError, ValueError, TypeError, AttributeError, ArithmeticError) as exc:
        return failed(name, subject, f"cannot be checked, the record is malformed: "
                      f"{type(exc).__name__}: {exc}")


def _previous(store: IngestStore, off: OffChainBatch) -> OffChainBatch | None:
    """The batch before `off` of the same device and upload, when contiguous (cumulative
    counters chain across it, as they did at ingest)."""
    if off.record is None or not any(r.kind == "cumulative" for r in off.readings):
        return None
    ids = store.batch_ids(str(off.record["device_id"]))
    if off.batch_id not in ids or ids.index(off.batch_id) == 0:
        return None
    before = load_batch(store, ids[ids.index(off.batch_id) - 1])
    if before.record is None or before.record["period_end"] != off.record["period_start"] \
            or before.record["upload_id"] != off.record["upload_id"]:
        return None
    return before


def check_trace_shape(trace: Any) -> None:
    """Raise TraceFormatError unless `trace` looks like a trace document."""
    if not isinstance(trace, Mapping):
        raise TraceFormatError("a trace is a JSON object")
    missing = [k for k in _TRACE_KEYS if k not in trace]
    if missing:
        raise TraceFormatError(f"not a trace document: missing {', '.join(missing)}")
    if not isinstance(trace["calculation"], Mapping) or not isinstance(trace["batches"], list):
        raise TraceFormatError("not a trace document: calculation must be an object and "
                               "batches a list")


def verify_lineage(trace: Mapping[str, Any], store: IngestStore, *,
                   token_supply: Mapping[str, Any] | None = None) -> LineageReport:
    """Check the lineage in `trace` against `store` (see `envalue.verify`).

    `token_supply` is the token ledger's supply audit of the lot (``tokens:audit``); when
    given, its issued quantity must equal the reduction.
    """
    check_trace_shape(trace)
    calc: Mapping[str, Any] = trace["calculation"]
    lot = trace.get("lot") or {}
    report = LineageReport(lot_id=str(lot.get("lot_id", "")),
                           calculation_id=str(calc.get("calculation_id", "")))
    devices = {str(d.get("device_id")): d for d in trace["edge_devices"]}
    meters = {str(m.get("meter_id")): m for m in trace["meters"]}
    for batch in trace["batches"]:
        subject = f"batch:{batch.get('batch_id', '?')}"
        off = load_batch(store, str(batch.get("batch_id", "")))
        report.checks.append(_guard("batch.signature", subject,
                                    lambda b=batch: check_signature(b, devices)))
        report.checks.append(_guard("batch.off_chain_record", subject,
                                    lambda b=batch, o=off: check_off_chain_record(b, o)))
        try:
            merkle, tampered = check_merkle(batch, off)
        except (KeyError, ValueError, TypeError) as exc:
            merkle, tampered = failed("batch.merkle_root", subject, f"cannot be checked, "
                                      f"the record is malformed: {exc}"), []
        report.checks.append(merkle)
        report.tampered.extend(tampered)
        capacity = meters.get(str(batch.get("meter_id")), {}).get("counter_capacity")
        report.checks.append(_guard("batch.totals", subject, lambda b=batch, o=off, c=capacity:
                                    check_totals(b, o, _previous(store, o), c)))
    subject = f"calculation:{calc.get('calculation_id', '?')}"
    batches, equipment = trace["batches"], trace["equipment"]
    report.checks += [
        _guard("calculation.batches", subject, lambda: check_batches(calc, batches)),
        _guard("calculation.methodology", subject,
               lambda: check_methodology(calc, trace["methodology"])),
        _guard("calculation.factors", subject,
               lambda: check_factors(calc, equipment, trace["factors"])),
        _guard("calculation.inputs", subject, lambda: check_inputs(
            calc, equipment, trace["meters"], batches, trace["factors"])),
        _guard("calculation.recompute", subject, lambda: check_recompute(calc)),
        _guard("lot.mint", f"lot:{report.lot_id}", lambda: check_mint(trace, token_supply)),
        _guard("ledger.transactions", subject, lambda: check_transactions(trace)),
    ]
    return report
