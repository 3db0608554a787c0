"""Calculations in the portal: anchoring device-signed batches, calculating, the verifier's
review and minting.

Why two halves, as in `services.registry`: lists come from the off-chain read model
(``rm_calculations``, ``rm_measurement_batches``; every row keeps its transaction id and
block), never from a ledger scan; writes are the chaincode's own measurement messages
(``envalue.chaincode.domain.measurement.msg_*``) built by `envalue.ledger.measurement`
(``calculate_call``, ``approve_calculation_call``, ``reject_calculation_call``,
``mint_call``, ``anchor_call``) and submitted as the portal user (`ledger_calls.submit`,
which writes the audit entry). A call is validated before any connection, so bad input
is a 400 even while the ledger is unavailable (503). Who may do what is the chaincode's
rule (see `webapp.roles`); the portal's permissions only keep forms away from roles the
chaincode would refuse.

Anchoring: the edge device signs a batch's canonical header; the portal never holds a
device key. For the stored (off-chain) batches of the user's org's registered devices
that the read model does not list as anchored, `pending_batches` gives the header the
device must sign (`measurement.stored_header`: its exact text and SHA-256), and `anchor`
submits ``anchor_call(anchor_message(header, signature))`` with the signature the device
made (lower-case DER hex, `measurement.signature.sign_header`). The chaincode checks it
against the device's registered key; a batch anchored already commits nothing new.

Scope of the lists: like the registry (`registry.scope_of`): operators, verifiers and
auditors see every org's calculations, the other roles their own org's.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from envalue.chaincode.domain.errors import DomainError
from envalue.chaincode.domain.measurement import (
    msg_approve_calculation,
    msg_calculate,
    msg_mint,
    msg_reject_calculation,
)
from envalue.chaincode.domain.measurement.header import BatchHeader, encode_header
from envalue.chaincode.domain.registry.fields import require_id
from envalue.ingest.store import IngestStore
from envalue.ledger import measurement
from envalue.ledger.messages import LedgerCall, decode_message
from envalue.readmodel import queries as rq
from envalue.readmodel.project_registry import CALCULATION_STATES
from envalue.readmodel.projection import listed
from envalue.readmodel.schema import Calculation, Device, MeasurementBatch

from ..db import PortalUser
from ..errors import PortalError
from ..roles import allowed
from ..security import require_permission
from .ingest import ingest_service
from .ledger_calls import message, submit
from .readmodel import ReadModelView, read_view
from .registry import scope_of

__all__ = [
    "MAX_PENDING", "STATES", "AnchorRequest", "PendingBatch", "anchor", "approve", "calculate",
    "calculation_dict", "calculations_view", "header_bytes", "mint", "pending_dict",
    "pending_view", "reject",
]

#: where a calculation stands in the read model
STATES = CALCULATION_STATES
#: at most this many stored batches are offered for anchoring per page
MAX_PENDING = 50


# -- reads (read model) -----------------------------------------------------------------
def calculation_dict(row: Calculation) -> dict[str, Any]:
    """A calculation as JSON: its record's facts, state and review, lot once minted, and
    the transaction id and block of its last change."""
    return {
        "calculation_id": row.calculation_id, "equipment_id": row.equipment_id,
        "site_id": row.site_id, "owner_msp": row.owner_msp, "owner": row.owner,
        "period_start": row.period_start, "period_end": row.period_end,
        "methodology": row.methodology, "methodology_version": row.methodology_version,
        "factor_versions": listed(row.factor_versions), "batch_ids": listed(row.batch_ids),
        "calculated_at": row.calculated_at, "reduction_kg": row.reduction_kg,
        "state": row.state, "review_comment": row.review_comment,
        "superseded_by": row.superseded_by, "lot_id": row.lot_id,
        "tx_id": row.tx_id, "block_number": row.block_number}


@dataclass(frozen=True)
class PendingBatch:
    """A stored batch the read model does not list as anchored, with the canonical header
    its device signs for one of the meters it reports for (`problem`: why the stored row
    gives no header, e.g. it was altered)."""

    batch_id: str
    device_id: str
    meter_id: str
    period_start: str
    period_end: str
    reading_count: int
    header_text: str
    header_sha256: str
    problem: str = ""


def pending_dict(item: PendingBatch) -> dict[str, Any]:
    return {"batch_id": item.batch_id, "device_id": item.device_id,
            "meter_id": item.meter_id, "period_start": item.period_start,
            "period_end": item.period_end, "reading_count": item.reading_count,
            "header": item.header_text, "header_sha256": item.header_sha256,
            "problem": item.problem}


def _store() -> IngestStore | None:
    return ingest_service().store


def _pending_of(store: IngestStore, batch_id: str, device: Device) -> list[PendingBatch]:
    row = store.batch_of(batch_id) or {}
    out = []
    for meter_id in listed(device.meter_ids) or [device.device_id]:
        text, digest, problem = "", "", ""
        try:
            header = measurement.stored_header(store, batch_id, meter_id)
        except DomainError as exc:
            problem = f"{exc.rule}: {exc.detail}"
        else:
            raw = encode_header(header)
            text, digest = raw.decode("utf-8"), hashlib.sha256(raw).hexdigest()
        out.append(PendingBatch(batch_id, device.device_id, meter_id,
                                str(row.get("period_start", "")),
                                str(row.get("period_end", "")), int(row.get("count", 0)),  # type: ignore[call-overload]
                                text, digest, problem))
    return out


def _pending(session: Session, store: IngestStore | None, org: str) -> dict[str, Any]:
    """Stored batches of `org`'s (every org's: ``""``) registered devices that the read
    model lists as not anchored, oldest first per device, at most `MAX_PENDING`."""
    if store is None:
        return {"pending": [], "pending_more": False, "store": False}
    query = select(Device).order_by(Device.device_id)
    devices = session.scalars(query.where(Device.owner_msp == org) if org else query).all()
    pending: list[PendingBatch] = []
    more = False
    for device in devices:
        if more:
            break
        ids = store.batch_ids(device.device_id)
        if not ids:
            continue
        anchored = set(session.scalars(select(MeasurementBatch.batch_id).where(
            MeasurementBatch.device_id == device.device_id)))
        for batch_id in (i for i in ids if i not in anchored):
            if len(pending) >= MAX_PENDING:
                more = True
                break
            pending += _pending_of(store, batch_id, device)
    return {"pending": pending, "pending_more": more, "store": True}


def _calculations(session: Session, org: str, state: str) -> list[dict[str, Any]]:
    return [calculation_dict(c) for c in rq.calculations(session, owner_msp=org or None,
                                                          state=state or None)]


def calculations_view(user: PortalUser | None, state: str = "", *,
                      with_pending: bool = False) -> ReadModelView:
    """The user's (or every) org's calculations, newest change first (optionally in one
    of `STATES`); with `with_pending`, for a user who may anchor, also the stored batches
    awaiting anchoring (`pending_view`). `owner` is the org listed (``""``: all)."""
    actor = require_permission(user, "calculations.view")
    if state and state not in STATES:
        raise PortalError(f"one of {', '.join(STATES)}", field="state", value=state,
                          rule="enum")
    org = scope_of(actor)
    pending = with_pending and allowed(actor.role, "calculations.anchor")
    return read_view(org, lambda s: {"calculations": _calculations(s, org, state),
                                 **(_pending(s, _store(), org) if pending else {})})


def pending_view(user: PortalUser | None) -> ReadModelView:
    """The stored batches of the user's (every: ``registry.view.all``) org's registered
    devices that the read model does not list as anchored, with their headers."""
    actor = require_permission(user, "calculations.anchor")
    org = scope_of(actor)
    return read_view(org, lambda s: _pending(s, _store(), org))


# -- writes (ledger) --------------------------------------------------------------------
def _run(actor: PortalUser, call: LedgerCall[Any], target: str) -> dict[str, Any]:
    return submit(actor, call.operation, target[:255],
                  lambda s: measurement.submit_measurement(s, call))


def calculate(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    """``measurement:calculate`` of one equipment over a period (optionally superseding an
    unminted calculation, with the reason)."""
    actor = require_permission(user, "calculations.calculate")
    msg = message(msg_calculate.MsgCalculate, body, actor)
    call = measurement.calculate_call(msg.equipment_id, msg.period_start, msg.period_end,
                                      msg.supersedes, msg.reason)
    return _run(actor, call, msg.equipment_id)


def _review(user: PortalUser | None, calculation_id: str, body: Mapping[str, Any],
            cls: type[Any], build: Callable[[str, str], LedgerCall[Any]]) -> dict[str, Any]:
    """A verifier's decision: message `cls` read from `body`, call made by `build`."""
    actor = require_permission(user, "calculations.review")
    msg = message(cls, body, actor, calculation_id=calculation_id)
    return _run(actor, build(msg.calculation_id, msg.comment), msg.calculation_id)


def approve(user: PortalUser | None, calculation_id: str,
            body: Mapping[str, Any]) -> dict[str, Any]:
    """A verifier approves a reduction (optional ``comment``), making it mintable."""
    return _review(user, calculation_id, body, msg_approve_calculation.MsgApproveCalculation,
                   measurement.approve_calculation_call)


def reject(user: PortalUser | None, calculation_id: str,
           body: Mapping[str, Any]) -> dict[str, Any]:
    """A verifier rejects a reduction (``comment`` required)."""
    return _review(user, calculation_id, body, msg_reject_calculation.MsgRejectCalculation,
                   measurement.reject_calculation_call)


def mint(user: PortalUser | None, calculation_id: str,
         body: Mapping[str, Any]) -> dict[str, Any]:
    """Mint an approved reduction as a lot (``lot_id`` default: ``lot-<calculation hex>``)."""
    actor = require_permission(user, "calculations.mint")
    msg = message(msg_mint.MsgMintReduction, body, actor, calculation_id=calculation_id)
    return _run(actor, measurement.mint_call(msg.calculation_id, msg.lot_id),
                msg.calculation_id)


@dataclass(frozen=True)
class AnchorRequest:
    """What anchoring takes: a stored batch, the meter its header names (default: the
    device id, as `stored_header` and the edge device build it) and the device's
    signature of that header. Read by the chaincode's own message builder."""

    batch_id: str
    signature: str
    meter_id: str = ""


def _stored_header(batch_id: str, meter_id: str) -> BatchHeader:
    """The canonical header of stored batch `batch_id` naming `meter_id` (ids checked by
    the chaincode's rule first; 404 when the store has no such batch)."""
    require_id(batch_id, "batch_id")
    if meter_id:
        require_id(meter_id, "meter_id")
    store = _store()
    if store is None:
        raise PortalError("the portal has no off-chain store configured",
                          rule="store_unavailable", http_status=503,
                          title="Service unavailable")
    return measurement.stored_header(store, batch_id, meter_id or None)


def header_bytes(user: PortalUser | None, batch_id: str, meter_id: str = "") -> bytes:
    """The exact canonical header bytes the device signs for stored batch `batch_id`."""
    require_permission(user, "calculations.anchor")
    return encode_header(_stored_header(batch_id, meter_id))


def anchor(user: PortalUser | None, body: Mapping[str, Any]) -> dict[str, Any]:
    """``measurement:anchor_batch`` of a stored batch with its device's signature."""
    actor = require_permission(user, "calculations.anchor")
    request = decode_message(AnchorRequest, body)
    header = _stored_header(request.batch_id, request.meter_id)
    call = measurement.anchor_call(measurement.anchor_message(header, request.signature))
    return _run(actor, call, request.batch_id)
