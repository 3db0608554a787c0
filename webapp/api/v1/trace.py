"""The traceability explorer from the read model: the tree the portal's ``/trace/?q=``
shows (a lot, a retirement or a credit batch down to calculation, batches, devices and a
page of single readings) and its in-place Merkle-root, inclusion-proof and header-signature
checks, answered by the same `webapp.services.trace` functions as the page.

Why beside ``GET /trace/{lot_id}`` (`ledger.py`): that one asks a peer
(``measurement:trace``); these need none. Their paths have two or more segments after
``/trace/`` (``/trace/batches/{batch_id}/...``), so they never meet ``/trace/{lot_id}``,
whose lot id cannot hold a slash. The checks only read, so they are GETs here (the page
POSTs them with its CSRF token).
"""

from __future__ import annotations

from typing import Any

from flask import g, request

from ...portal.trace import query_offset
from ...security import api_auth_required
from ...services import trace as svc
from ...services.certificates import readmodel_view
from ...services.readmodel import lag_json
from ..operation import READ_UNAUTHENTICATED, api_operation, response
from . import blueprint
from .tokens import ID

_STR = {"type": "string"}
_INT = {"type": "integer"}
_OBJ = {"type": "object"}
_REF = {"tx_id": _STR, "block_number": _INT}
_READINGS = {"type": "object", "properties": {
    "found": {"type": "boolean", "description": "the off-chain store has the batch"},
    "total": _INT, "offset": _INT, "page_size": _INT,
    "rows": {"type": "array", "items": {"type": "object", "properties": {
        "row_id": _INT, "leaf_index": {"type": "integer", "nullable": True},
        "device_id": _STR, "timestamp": _STR, "quantity": _STR, "value": _STR, "unit": _STR,
        "kind": _STR, "problem": {"type": "string", "nullable": True}}}}}}
_BATCH = {"type": "object", "properties": {
    "batch_id": _STR, "device_id": _STR, "meter_id": _STR, "equipment_id": _STR,
    "period_start": _STR, "period_end": _STR, "reading_count": _INT, "merkle_root": _STR,
    "meter_verification_valid": {"type": "boolean"}, **_REF,
    "device": {"type": "object", "nullable": True, "properties": {
        "device_id": _STR, "kind": _STR, "owner_msp": _STR, "meter_ids": _STR,
        "key_fingerprint": _STR, **_REF}},
    "readings": _READINGS}}
_CALCULATION = {"type": "object", "nullable": True, "properties": {
    "calculation_id": _STR, "equipment_id": _STR, "site_id": _STR, "owner_msp": _STR,
    "period_start": _STR, "period_end": _STR, "methodology": _STR,
    "methodology_version": _STR, "reduction_kg": {"type": "integer", "nullable": True},
    "state": _STR, "review_comment": _STR, **_REF,
    "factor_versions": {"type": "array", "items": _STR},
    "batches": {"type": "array", "items": _BATCH},
    "missing": {"type": "string", "description": "input batches the read model lacks"}}}
_LOT = {"type": "object", "properties": {
    "lot_id": _STR, "issued_kg": _INT, "vintage_start": _STR, "vintage_end": _STR,
    "methodology": _STR, "methodology_version": _STR, "site_id": _STR, "equipment_id": _STR,
    "calculation_id": _STR, "tradable_kg": _INT, "retired_kg": _INT, **_REF,
    "calculation": _CALCULATION,
    "missing": {"type": "string", "description": "the calculation the read model lacks"}}}
_TREE = {"type": "object", "required": ["kind", "id", "lots", "read_model"], "properties": {
    "kind": {"type": "string", "enum": ["lot", "retirement", "credit_batch"]},
    "id": {"type": "string", "description": "what `q` named"},
    "retirement": {"type": "object", "description": "the token or credit retirement "
                                                    "(kind retirement)"},
    "credit_batch": {"type": "object", "description": "the credit batch (a credit "
                                                      "retirement's, or kind credit_batch)"},
    "lots": {"type": "array", "items": _LOT},
    "read_model": _OBJ}}
_ANCHORED = {"type": "object", "properties": {
    "batch_id": _STR, "merkle_root": _STR, "reading_count": _INT, **_REF}}
_CHECK = {"check": _STR, "subject": _STR, "status": {"type": "string",
                                                     "enum": ["pass", "fail"]},
          "ok": {"type": "boolean"}, "reason": _STR}
_MERKLE = {"type": "object", "properties": {
    **_CHECK, "details": _OBJ, "anchored": _ANCHORED,
    "tampered": {"type": "array", "items": _OBJ,
                 "description": "readings proved altered, added or removed"}}}
_INCLUSION = {"type": "object", "properties": {
    **_CHECK, "reading": _OBJ, "anchored": _ANCHORED,
    "proof": {"type": "object", "description": "leaf, steps and root (absent when no proof "
                                               "could be built)"}}}
_SIGNATURE = {"type": "object", "properties": {
    **_CHECK, "details": _OBJ, "anchored": _OBJ,
    "device": {"type": "object", "description": "the registered device and its record's "
                                                "transaction (absent when not in the read "
                                                "model)"}}}
_BATCH_ID = {"in": "path", "name": "batch_id", "required": True, "schema": ID}
_NOT_FOUND = "not in the read model (the detail names its lag) or no such stored reading"
_UNAVAILABLE = "the portal has no off-chain store configured"
_CHECK_PROBLEMS = {401: READ_UNAUTHENTICATED, 403: "the portal role may not trace",
                   404: _NOT_FOUND, 503: _UNAVAILABLE}


@blueprint.get("/trace")
@api_auth_required("trace.view")
@api_operation(
    "Trace a lot, a retirement or a credit batch down to single readings, from the read "
    "model", tags=["traceability"],
    description="What the portal's traceability explorer shows: whatever `q` names (a lot "
                "id, a retirement serial, a credit batch id) down to its calculation, input "
                "batches with their device and anchored Merkle root, and a page of each "
                "batch's stored readings (`offset`), every record with its transaction id "
                "and block. No peer is asked; `read_model` says how far the copy has got.",
    parameters=[{"in": "query", "name": "q", "required": True, "schema": ID,
                 "description": "a lot id, a retirement serial or a credit batch id"},
                {"in": "query", "name": "offset", "required": False,
                 "schema": {"type": "integer", "minimum": 0, "default": 0},
                 "description": f"first reading shown per batch ({svc.PAGE_SIZE} a page)"}],
    answers={200: response("the tree", {"application/json": _TREE})},
    problems={400: "no `q`, or a bad `offset` (field, value, rule)",
              **_CHECK_PROBLEMS,
              404: "nothing of that id in the read model (the detail names its lag)"})
def trace_tree() -> dict[str, Any]:
    """The explorer's tree."""
    tree = svc.search(g.api_user, request.args.get("q", ""), query_offset())
    return {**tree, "read_model": lag_json(readmodel_view().lag)}


@blueprint.get("/trace/batches/<batch_id>/merkle")
@api_auth_required("trace.view")
@api_operation(
    "Recompute an anchored batch's Merkle root from the stored readings", tags=["traceability"],
    description="The explorer's batch check: the root of the off-chain readings against the "
                "root the ledger anchored (the read model's copy); a mismatch names the "
                "altered readings when the leaf hashes recorded at ingest prove them.",
    parameters=[_BATCH_ID], answers={200: response("the check (pass or fail, and why)", {
        "application/json": _MERKLE})}, problems=_CHECK_PROBLEMS)
def check_merkle(batch_id: str) -> dict[str, Any]:
    """The batch's Merkle-root check."""
    return svc.check_batch(g.api_user, batch_id)


@blueprint.get("/trace/batches/<batch_id>/readings/<int:row_id>")
@api_auth_required("trace.view")
@api_operation(
    "The inclusion proof of one stored reading against the anchored root",
    tags=["traceability"], parameters=[
        _BATCH_ID, {"in": "path", "name": "row_id", "required": True,
                    "schema": {"type": "integer", "minimum": 0},
                    "description": "the reading's row id in the off-chain store"}],
    answers={200: response("the check with its proof", {"application/json": _INCLUSION})},
    problems=_CHECK_PROBLEMS)
def check_reading(batch_id: str, row_id: int) -> dict[str, Any]:
    """One reading's inclusion proof."""
    return svc.check_reading(g.api_user, batch_id, row_id)


@blueprint.get("/trace/batches/<batch_id>/signature")
@api_auth_required("trace.view")
@api_operation(
    "Check the batch header's signature by the edge device's registered key",
    tags=["traceability"],
    description="On the batch and device records the read model copied from the ledger; "
                "the answer names the transactions they came from.",
    parameters=[_BATCH_ID], answers={200: response("the check", {
        "application/json": _SIGNATURE})},
    problems={k: v for k, v in _CHECK_PROBLEMS.items() if k != 503})
def check_signature(batch_id: str) -> dict[str, Any]:
    """The header-signature check."""
    return svc.check_batch_signature(g.api_user, batch_id)
