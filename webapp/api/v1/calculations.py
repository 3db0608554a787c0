"""Calculations: the dry run (the chaincode's `calculate`, off-ledger) and the ledger's
measurement cycle — list calculations from the read model, anchor device-signed batches,
calculate, approve or reject (verifier), mint (PlatformMSP operator).

Bodies are the chaincode's measurement messages (``envalue.chaincode.domain.measurement
.msg_*``) as JSON, the calculation id in the path; answers as in `tokens` (200 committed
transaction, problem+json 400/401/403/409/422/503), the lists scoped like the portal page
(`webapp.services.calculations`).
"""

from __future__ import annotations

from typing import Any

from flask import g, request

from envalue.chaincode.domain.measurement.signature import MAX_SIGNATURE_HEX

from ...errors import PortalError
from ...security import api_auth_required
from ...services import calculations
from ...services.calc import dry_run
from ...services.readmodel import lag_json
from ..operation import WRITE_UNAUTHENTICATED, api_operation, closed_object, response
from . import blueprint
from ._body import json_body, required_str
from .tokens import ID, TEXT, ledger_operation, optional_body


@blueprint.post("/calculations/dry-run")
@api_auth_required("calc.run")
@api_operation(
    "Calculate off-ledger with a built-in methodology", tags=["calculations"], method="post",
    body={"$ref": "#/components/schemas/DryRunRequest"},
    answers={200: response("outputs in whole kg-CO2 and the full trace", {
        "application/json": {"$ref": "#/components/schemas/DryRunResult"}})},
    problems={400: "invalid inputs (field, value, rule)", 401: WRITE_UNAUTHENTICATED})
def calculation_dry_run() -> dict[str, Any]:
    """Dry-run a methodology."""
    body = json_body()
    name = required_str(body, "methodology")
    version = required_str(body, "version", "1")
    if "inputs" not in body:
        raise PortalError("required", field="inputs", rule="required")
    return dry_run(g.api_user, name, version, body["inputs"])


# -- calculations on the ledger ---------------------------------------------------------
_REF = {"tx_id": {"type": "string"}, "block_number": {"type": "integer"}}
_TIMESTAMP = {"type": "string", "format": "date-time"}
_STRINGS = {"type": "array", "items": {"type": "string"}}
_CALCULATIONS = {"type": "object", "properties": {
    "scope": {"type": "string", "description": "the org listed ('' = every org)"},
    "items": {"type": "array", "items": {"type": "object", "properties": {
        "calculation_id": {"type": "string"}, "equipment_id": {"type": "string"},
        "site_id": {"type": "string"}, "owner_msp": {"type": "string"},
        "owner": {"type": "string"}, "period_start": {"type": "string"},
        "period_end": {"type": "string"}, "methodology": {"type": "string"},
        "methodology_version": {"type": "string"}, "factor_versions": _STRINGS,
        "batch_ids": _STRINGS, "calculated_at": {"type": "string"},
        "reduction_kg": {"type": "integer", "nullable": True},
        "state": {"type": "string", "enum": list(calculations.STATES)},
        "review_comment": {"type": "string"}, "superseded_by": {"type": "string"},
        "lot_id": {"type": "string", "description": "the minted lot ('' until minted)"},
        **_REF}}},
    "read_model": {"type": "object"}}}
_PENDING = {"type": "object", "properties": {
    "scope": {"type": "string", "description": "the org whose devices are listed ('' = every "
                                               "org)"},
    "items": {"type": "array", "items": {"type": "object", "properties": {
        "batch_id": {"type": "string"}, "device_id": {"type": "string"},
        "meter_id": {"type": "string"}, "period_start": {"type": "string"},
        "period_end": {"type": "string"}, "reading_count": {"type": "integer"},
        "header": {"type": "string", "description": "the canonical header text the device "
                                                    "signs (UTF-8, LF line ends)"},
        "header_sha256": {"type": "string"},
        "problem": {"type": "string", "description": "why no header ('' when there is one)"}}}},
    "more": {"type": "boolean", "description": "more batches wait than are listed"},
    "read_model": {"type": "object"}}}



@blueprint.get("/calculations")
@api_auth_required("calculations.view")
@ledger_operation("Calculations with their state (calculated, approved, rejected, minted, "
                  "superseded), inputs and ledger position, from the read model (customers "
                  "and municipalities: their org's; operators, verifiers and auditors: every "
                  "org's)", tag="calculations", method="get", result=_CALCULATIONS, query=(
                      {"in": "query", "name": "state", "required": False, "schema": {
                          "type": "string", "enum": list(calculations.STATES)}},))
def calculation_list() -> dict[str, Any]:
    view = calculations.calculations_view(g.api_user, request.args.get("state", "").strip())
    return {"scope": view.owner, "items": view.lists["calculations"],
            "read_model": lag_json(view.lag)}


@blueprint.post("/calculations")
@api_auth_required("calculations.view")
@ledger_operation("Calculate one equipment over a period covered by anchored batches; "
                  "`supersedes` (with `reason`) corrects an unminted calculation "
                  "(measurement:calculate)", tag="calculations", body=closed_object({
                      "equipment_id": ID, "period_start": _TIMESTAMP, "period_end": _TIMESTAMP,
                      "supersedes": ID, "reason": TEXT},
                      ["equipment_id", "period_start", "period_end"]))
def calculation_create() -> dict[str, Any]:
    return calculations.calculate(g.api_user, json_body())


@blueprint.post("/calculations/<calculation_id>/approve")
@api_auth_required("calculations.view")
@ledger_operation("Approve a reduction: a verifier of another org than the owner's makes it "
                  "mintable (measurement:approve_calculation)", tag="calculations",
                  path=("calculation_id",), body=closed_object({"comment": TEXT}, []),
                  body_required=False)
def calculation_approve(calculation_id: str) -> dict[str, Any]:
    return calculations.approve(g.api_user, calculation_id, optional_body())


@blueprint.post("/calculations/<calculation_id>/reject")
@api_auth_required("calculations.view")
@ledger_operation("Reject a reduction with a comment (verifier; "
                  "measurement:reject_calculation)", tag="calculations",
                  path=("calculation_id",), body=closed_object({"comment": TEXT}, ["comment"]))
def calculation_reject(calculation_id: str) -> dict[str, Any]:
    return calculations.reject(g.api_user, calculation_id, json_body())


@blueprint.post("/calculations/<calculation_id>/mint")
@api_auth_required("calculations.view")
@ledger_operation("Mint an approved reduction once as a token lot of the equipment owner "
                  "(PlatformMSP operator; measurement:mint)", tag="calculations",
                  path=("calculation_id",), body=closed_object({"lot_id": ID}, []),
                  body_required=False)
def calculation_mint(calculation_id: str) -> dict[str, Any]:
    return calculations.mint(g.api_user, calculation_id, optional_body())


@blueprint.get("/batches/pending")
@api_auth_required("calculations.view")
@ledger_operation("Stored batches of your org's registered devices not yet anchored (as far "
                  "as the read model knows), each with the canonical header its edge device "
                  "signs for each meter it reports for", tag="calculations", method="get",
                  result=_PENDING)
def batches_pending() -> dict[str, Any]:
    view = calculations.pending_view(g.api_user)
    return {"scope": view.owner,
            "items": [calculations.pending_dict(p) for p in view.lists["pending"]],
            "more": view.lists["pending_more"], "read_model": lag_json(view.lag)}


@blueprint.post("/batches/anchors")
@api_auth_required("calculations.view")
@ledger_operation("Anchor a stored batch with its edge device's signature of the canonical "
                  "header (lower-case DER hex); the portal never holds device keys "
                  "(measurement:anchor_batch)", tag="calculations",
                  problems={404: "the off-chain store has no such batch"}, body=closed_object({
                      "batch_id": ID, "signature": {"type": "string", "minLength": 1,
                                                    "maxLength": MAX_SIGNATURE_HEX},
                      "meter_id": ID}, ["batch_id", "signature"]))
def batch_anchor() -> dict[str, Any]:
    return calculations.anchor(g.api_user, json_body())
