"""Traceability from the read model and the off-chain store, with in-place checks.

Why not the ledger: ``measurement:trace`` needs a peer, and pages must not scan the
ledger. The read model holds copies of the committed records (each with the tx id and
block of its last change) and the off-chain store holds the readings, so a tree from a
retirement, a lot or a credit batch down to single readings is built from those two.
Nothing is made up: a record the read model lacks is a 404 naming its lag.

The checks reuse `envalue.verify` (`check_merkle`, `proof_from_batch`/`verify_inclusion`,
`check_signature`) against what the read model copied from the ledger: the anchored
roots, and for the header signature the batch's signed header fields, signature and key
fingerprint with the edge device's registered public key (`envalue.readmodel.evidence`).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm import Session

from envalue.ingest.store import IngestStore
from envalue.readmodel import queries as rq
from envalue.readmodel.evidence import anchored_batch_record, device_record
from envalue.readmodel.projection import listed
from envalue.readmodel.schema import (
    Calculation,
    CreditBatch,
    CreditRetirement,
    Device,
    MeasurementBatch,
    Retirement,
    TokenLot,
)
from envalue.verify.batches import check_merkle
from envalue.verify.batches import check_signature as verify_header_signature
from envalue.verify.inclusion import ProofError, proof_from_batch, verify_inclusion
from envalue.verify.leaves import OffChainBatch, load_batch

from ..db import PortalUser
from ..errors import PortalError
from ..security import require_permission
from .ingest import ingest_service
from .readmodel import sessions

__all__ = ["PAGE_SIZE", "check_batch", "check_batch_signature", "check_reading", "search",
           "trace_credit_batch", "trace_lot", "trace_retirement"]

PAGE_SIZE = 25  # readings shown per batch and page
_PERMISSION = "trace.view"


def _ref(row: Any) -> dict[str, Any]:
    return {"tx_id": row.tx_id, "block_number": row.block_number}


def _fields(row: Any, *names: str) -> dict[str, Any]:
    return {**{n: getattr(row, n) for n in names}, **_ref(row)}


def _not_found(session: Session, what: str, value: str, field: str) -> PortalError:
    """404 naming the read model's position: the record may be newer than the projection."""
    lag = rq.lag_status(session)
    behind = ("" if lag.behind_blocks is None
              else f", {lag.behind_blocks} block(s) behind the channel")
    return PortalError(
        f"{what} {value!r} is not in the read model (projected {lag.projected_blocks} "
        f"block(s){behind}; listener {lag.state}). It may not exist, or not be projected "
        "yet; the ledger stays the source of truth.", field=field, value=value,
        rule="not_in_read_model", http_status=404, title="Not found")


def _store() -> IngestStore:
    store = ingest_service().store
    if store is None:
        raise PortalError("the portal has no off-chain store configured",
                          rule="store_unavailable", http_status=503,
                          title="Service unavailable")
    return store


def _readings(off: OffChainBatch, offset: int) -> dict[str, Any]:
    rows = off.readings[offset:offset + PAGE_SIZE]
    return {"found": off.found, "total": len(off.readings), "offset": offset,
            "page_size": PAGE_SIZE,
            "rows": [{**r.to_dict(), "problem": r.problem} for r in rows]}


def _batch_node(session: Session, store: IngestStore, batch: MeasurementBatch,
                offset: int) -> dict[str, Any]:
    device = session.get(Device, batch.device_id)
    node = _fields(batch, "batch_id", "device_id", "meter_id", "equipment_id",
                   "period_start", "period_end", "reading_count", "merkle_root",
                   "meter_verification_valid")
    node["device"] = None if device is None else _fields(device, "device_id", "kind",
                                                           "owner_msp", "meter_ids",
                                                           "key_fingerprint")
    node["readings"] = _readings(load_batch(store, batch.batch_id), offset)
    return node


def _calculation_node(session: Session, store: IngestStore, calc: Calculation,
                      offset: int) -> dict[str, Any]:
    node = _fields(calc, "calculation_id", "equipment_id", "site_id", "owner_msp",
                   "period_start", "period_end", "methodology", "methodology_version",
                   "reduction_kg", "state", "review_comment")
    node["factor_versions"] = listed(calc.factor_versions)
    node["batches"] = [_batch_node(session, store, b, offset)
                       for b in rq.calculation_batches(session, calc)]
    missing = rq.missing_batches(session, calc)
    if missing:
        node["missing"] = (f"batch(es) {', '.join(missing)} read by calculation "
                           f"{calc.calculation_id} are not in the read model")
    return node


def _lot_node(session: Session, store: IngestStore, lot: TokenLot, offset: int
              ) -> dict[str, Any]:
    node = _fields(lot, "lot_id", "issued_kg", "vintage_start", "vintage_end", "methodology",
                   "methodology_version", "site_id", "equipment_id", "calculation_id",
                   "tradable_kg", "retired_kg")
    calc = session.get(Calculation, lot.calculation_id) if lot.calculation_id else None
    node["calculation"] = None if calc is None else _calculation_node(session, store, calc,
                                                                       offset)
    if calc is None:
        node["missing"] = (f"calculation {lot.calculation_id or '(none recorded)'} of lot "
                           f"{lot.lot_id} is not in the read model")
    return node


def _lot(session: Session, lot_id: str) -> TokenLot:
    lot = session.get(TokenLot, lot_id)
    if lot is None:
        raise _not_found(session, "token lot", lot_id, "lot_id")
    return lot


def trace_lot(user: PortalUser | None, lot_id: str, offset: int = 0) -> dict[str, Any]:
    """lot → calculation → batches (device, root, tx/block) → a page of readings."""
    require_permission(user, _PERMISSION)
    with sessions()() as session:
        lot = _lot(session, lot_id.strip())
        return {"kind": "lot", "id": lot.lot_id,
                "lots": [_lot_node(session, _store(), lot, offset)]}


def trace_retirement(user: PortalUser | None, serial: str, offset: int = 0
                     ) -> dict[str, Any]:
    """A token retirement (→ its lot) or a credit retirement (→ its credit batch)."""
    require_permission(user, _PERMISSION)
    serial = serial.strip()
    with sessions()() as session:
        row = session.get(Retirement, serial)
        if row is not None:
            return {"kind": "retirement", "id": serial, "retirement": _fields(
                row, "serial", "lot_id", "owner_msp", "quantity_kg", "beneficiary",
                "purpose", "reporting_year", "retired_at", "certificate_id"),
                "lots": [_lot_node(session, _store(), _lot(session, row.lot_id), offset)]}
        credit = session.get(CreditRetirement, serial)
        if credit is None:
            raise _not_found(session, "retirement", serial, "serial")
        tree = _credit_tree(session, credit.batch_id, offset)
        tree.update(kind="retirement", id=serial, retirement=_fields(
            credit, "serial", "batch_id", "quantity_t", "user_name", "use",
            "reporting_year", "retired_at", "certificate_id"))
        return tree


def _credit_tree(session: Session, batch_id: str, offset: int) -> dict[str, Any]:
    batch = session.get(CreditBatch, batch_id)
    if batch is None:
        raise _not_found(session, "credit batch", batch_id, "batch_id")
    try:
        lots = rq.credited_lots(session, batch)
    except rq.CertificateRecordError as exc:
        raise PortalError(str(exc), field="batch_id", value=batch_id, rule=exc.rule,
                          http_status=404, title="Not found") from exc
    store = _store()
    return {"kind": "credit_batch", "id": batch_id, "credit_batch": _fields(
        batch, "batch_id", "program_id", "report_id", "period_start", "period_end",
        "serial", "issued_t", "retired_t", "credited_kg"),
        "lots": [_lot_node(session, store, lot, offset) for lot in lots]}


def trace_credit_batch(user: PortalUser | None, batch_id: str, offset: int = 0
                       ) -> dict[str, Any]:
    """credit batch → the lots it credited → their calculations → batches → readings."""
    require_permission(user, _PERMISSION)
    with sessions()() as session:
        return _credit_tree(session, batch_id.strip(), offset)


def search(user: PortalUser | None, term: str, offset: int = 0) -> dict[str, Any]:
    """Whatever `term` names: a lot id, a retirement serial or a credit batch id."""
    require_permission(user, _PERMISSION)
    term = term.strip()
    if not term:
        raise PortalError("give a lot id, a retirement serial or a credit batch id",
                          field="q", value=term, rule="required")
    with sessions()() as session:
        known = (session.get(TokenLot, term), session.get(Retirement, term) or
                 session.get(CreditRetirement, term), session.get(CreditBatch, term))
        if not any(known):
            raise _not_found(session, "lot, retirement or credit batch", term, "q")
    if known[0] is not None:
        return trace_lot(user, term, offset)
    if known[1] is not None:
        return trace_retirement(user, term, offset)
    return trace_credit_batch(user, term, offset)


# -- in-place checks ----------------------------------------------------------------------
def _anchored(session: Session, batch_id: str) -> MeasurementBatch:
    row = session.get(MeasurementBatch, batch_id)
    if row is None:
        raise _not_found(session, "measurement batch", batch_id, "batch_id")
    return row


def _anchored_view(row: MeasurementBatch) -> dict[str, Any]:
    return {"batch_id": row.batch_id, "merkle_root": row.merkle_root,
            "reading_count": row.reading_count, "tx_id": row.tx_id,
            "block_number": row.block_number}


def check_batch(user: PortalUser | None, batch_id: str) -> dict[str, Any]:
    """Recompute the batch's Merkle root from the stored readings and compare it with the
    root the ledger anchored (`envalue.verify.batches.check_merkle`); a mismatch names the
    altered readings when the leaf hashes recorded at ingest prove them."""
    require_permission(user, _PERMISSION)
    with sessions()() as session:
        anchored = _anchored_view(_anchored(session, batch_id.strip()))
    check, tampered = check_merkle(anchored, load_batch(_store(), anchored["batch_id"]))
    return {**check.to_dict(), "tampered": [t.to_dict() for t in tampered],
            "anchored": anchored}


def check_reading(user: PortalUser | None, batch_id: str, row_id: int) -> dict[str, Any]:
    """The inclusion proof of one stored reading (by row id) against the anchored root."""
    require_permission(user, _PERMISSION)
    with sessions()() as session:
        anchored = _anchored_view(_anchored(session, batch_id.strip()))
    off = load_batch(_store(), anchored["batch_id"])
    subject = f"reading:{anchored['batch_id']}#{row_id}"
    row = next((r for r in off.readings if r.row_id == row_id), None)
    if row is None:
        raise PortalError(f"batch {batch_id} has no stored reading with row id {row_id}",
                          field="row_id", value=row_id, rule="unknown_reading",
                          http_status=404, title="Not found")
    base = {"check": "reading.inclusion", "subject": subject, "reading": row.to_dict(),
            "anchored": anchored}
    if row.leaf is None:
        return {**base, "status": "fail", "ok": False,
                "reason": f"the stored row cannot be encoded as a leaf: {row.problem}"}
    try:
        proof = proof_from_batch(off, off.leaves().index(row.leaf))
    except ProofError as exc:
        return {**base, "status": "fail", "ok": False, "reason": str(exc)}
    ok = verify_inclusion(proof, anchored["merkle_root"])
    recorded = off.recorded.get(row.leaf_index)
    own = row.leaf_hash.hex() if row.leaf_hash else ""
    base["proof"] = proof.to_dict()
    if ok:
        reason = (f"the reading's proof ({len(proof.steps)} steps) leads to the anchored "
                  f"root {anchored['merkle_root'][:16]}… (tx {anchored['tx_id']}, block "
                  f"{anchored['block_number']})")
    elif recorded is not None and recorded != own:
        reason = (f"this reading was altered: it hashes to {own[:16]}…, the leaf recorded "
                  f"at ingest for index {row.leaf_index} is {recorded[:16]}…; its proof "
                  f"leads to {proof.root.hex()[:16]}…, not the anchored root "
                  f"{anchored['merkle_root'][:16]}…")
    else:
        reason = (f"the proof built from the stored batch leads to {proof.root.hex()[:16]}…, "
                  f"not the anchored root {anchored['merkle_root'][:16]}…: another reading "
                  "of the batch differs (run the batch check to name it)")
    return {**base, "status": "pass" if ok else "fail", "ok": ok, "reason": reason}


def check_batch_signature(user: PortalUser | None, batch_id: str) -> dict[str, Any]:
    """The batch header's signature by the edge device's registered key
    (`envalue.verify.batches.check_signature`), on the batch and device records the read
    model copied from the ledger; the result names the transactions they came from."""
    require_permission(user, _PERMISSION)
    with sessions()() as session:
        row = _anchored(session, batch_id.strip())
        batch = anchored_batch_record(row)
        device = session.get(Device, row.device_id)
        devices = {} if device is None else {device.device_id: device_record(device)}
    result = verify_header_signature(batch, devices).to_dict()
    result["anchored"] = {k: batch[k] for k in ("batch_id", "tx_id", "block_number")}
    if device is not None:
        result["device"] = {k: devices[device.device_id][k]
                            for k in ("device_id", "key_fingerprint", "tx_id",
                                      "block_number")}
    return result
