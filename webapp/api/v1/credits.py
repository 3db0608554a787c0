"""Credit programs: programs and sites, monitoring reports (bundle, submit, verify,
settle), credit transfers and retirements, reports and distribution statements; the
credits page's lists (programs, monitoring reports, issued batches with contributors'
shares) from the read model, by the page's own `credits_view`.

Bodies are the chaincode's messages (``envalue.chaincode.domain.credits.msg_*``) as JSON,
the path supplying ids; answers as in `tokens` (200 committed transaction, problem+json
400/401/403/409/422/503). Bundling and settlement are paged on the ledger: one request
writes one page; settle again until the event says ``complete``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import g, request

from envalue.chaincode.domain.credits.msg_add_lots import MAX_PAGE
from envalue.chaincode.domain.credits.msg_retire_credits import USES
from envalue.chaincode.domain.credits.msg_settle_report import MAX_SETTLE_PAGE
from envalue.chaincode.domain.credits.msg_verify_report import DECISIONS
from envalue.readmodel.projection import listed
from envalue.readmodel.queries import BatchView
from envalue.readmodel.schema import CreditProgram, CreditShare, MonitoringReport

from ...errors import PortalError
from ...security import api_auth_required
from ...services import ledger
from ...services.readmodel import credits_view, lag_json
from ..operation import closed_object
from . import blueprint
from ._body import json_body
from .tokens import ID, QUANTITY, TEXT, YEAR, holder_field, ledger_operation, optional_body

_DATE = {"type": "string", "format": "date"}
_PAGE = {"type": "object", "additionalProperties": False, "properties": {
    "limit": {"type": "integer", "minimum": 1, "maximum": MAX_SETTLE_PAGE,
              "default": MAX_SETTLE_PAGE}}}



# -- lists from the read model (the credits page's) ------------------------------------------
_STR = {"type": "string"}
_KG = {"type": "integer", "description": "kg-CO2e"}
_T = {"type": "integer", "description": "t-CO2 (whole tonnes)"}
_REF = {"tx_id": _STR, "block_number": {"type": "integer"}}


def _listing(item: dict[str, Any]) -> dict[str, Any]:
    """A list answer: its rows and the read model's lag."""
    return {"type": "object", "properties": {"items": {"type": "array", "items": item},
                                             "read_model": {"type": "object"}}}


_PROGRAM = {"type": "object", "properties": {
    "program_id": _STR, "name": _STR, "operator": _STR,
    "methodologies": {"type": "array", "items": _STR},
    "carry_kg": {**_KG, "description": "kg-CO2e carried forward to the next report"},
    "open_report": {"type": "string", "description": "the report collecting ('' = none)"},
    **_REF}}
_REPORT = {"type": "object", "properties": {
    "report_id": _STR, "program_id": _STR, "period_start": _STR, "period_end": _STR,
    "state": _STR, "pool_kg": _KG, "carried_in_kg": _KG,
    "member_count": {"type": "integer", "description": "holdings bundled"},
    "issued_t": _T, "remainder_kg": _KG, "verified_by": _STR, "comments": _STR,
    "carried_from": _STR, **_REF}}
_SHARE = {"type": "object", "properties": {
    "owner": _STR, "owner_msp": _STR, "kg": _KG, "carried_in_kg": _KG, **_REF}}
_BATCH = {"type": "object", "properties": {
    "batch_id": _STR, "program_id": _STR, "report_id": _STR, "period_start": _STR,
    "period_end": _STR, "serial": _STR, "issued_t": _T, "retired_t": _T, "credited_kg": _KG,
    "issued_to": _STR, "issued_at": _STR,
    "settled": {"type": "boolean", "description": "every contributor's share is written"},
    **_REF, "shares": {"type": "array", "items": _SHARE,
                       "description": "contributors, largest share first"}}}


def _ref(row: Any) -> dict[str, Any]:
    return {"tx_id": row.tx_id, "block_number": row.block_number}


def program_dict(row: CreditProgram) -> dict[str, Any]:
    return {"program_id": row.program_id, "name": row.name, "operator": row.operator,
            "methodologies": listed(row.methodologies), "carry_kg": row.carry_kg,
            "open_report": row.open_report, **_ref(row)}


def report_dict(row: MonitoringReport) -> dict[str, Any]:
    return {"report_id": row.report_id, "program_id": row.program_id,
            "period_start": row.period_start, "period_end": row.period_end,
            "state": row.state, "pool_kg": row.pool_kg, "carried_in_kg": row.carried_in_kg,
            "member_count": row.member_count, "issued_t": row.issued_t,
            "remainder_kg": row.remainder_kg, "verified_by": row.verified_by,
            "comments": row.comments, "carried_from": row.carried_from, **_ref(row)}


def _share_dict(row: CreditShare) -> dict[str, Any]:
    return {"owner": row.owner, "owner_msp": row.owner_msp, "kg": row.kg,
            "carried_in_kg": row.carried_in_kg, **_ref(row)}


def batch_dict(view: BatchView) -> dict[str, Any]:
    b = view.batch
    return {"batch_id": b.batch_id, "program_id": b.program_id, "report_id": b.report_id,
            "period_start": b.period_start, "period_end": b.period_end, "serial": b.serial,
            "issued_t": b.issued_t, "retired_t": b.retired_t, "credited_kg": b.credited_kg,
            "issued_to": b.issued_to, "issued_at": b.issued_at, "settled": b.settled,
            **_ref(b), "shares": [_share_dict(s) for s in view.shares]}


def _credits_list(name: str, to_dict: Callable[[Any], dict[str, Any]]) -> dict[str, Any]:
    view = credits_view(g.api_user)
    return {"items": [to_dict(row) for row in view.lists[name]],
            "read_model": lag_json(view.lag)}


@blueprint.get("/credits/programs")
@api_auth_required("credits.view")
@ledger_operation("Credit programs from the read model, as the credits page lists them",
                  tag="credits", method="get", result=_listing(_PROGRAM))
def program_list() -> dict[str, Any]:
    return _credits_list("programs", program_dict)


@blueprint.get("/credits/reports")
@api_auth_required("credits.view")
@ledger_operation("Monitoring reports from the read model, newest change first, as the "
                  "credits page lists them (one report's review history: "
                  "GET /credits/reports/{report_id})", tag="credits", method="get",
                  result=_listing(_REPORT))
def report_list() -> dict[str, Any]:
    return _credits_list("reports", report_dict)


@blueprint.get("/credits/batches")
@api_auth_required("credits.view")
@ledger_operation("Issued credit batches with their contributors' shares, from the read "
                  "model, newest first, as the credits page lists them", tag="credits",
                  method="get", result=_listing(_BATCH))
def batch_list() -> dict[str, Any]:
    return _credits_list("batches", batch_dict)


@blueprint.post("/credits/programs")
@api_auth_required("credits.view")
@ledger_operation("Create a program-type project (Platform operator; credits:create_program)",
                  tag="credits", body=closed_object({
                      "program_id": ID, "name": TEXT,
                      "methodologies": {"type": "array", "minItems": 1, "items": TEXT}},
                      ["program_id", "name", "methodologies"]))
def create_program() -> dict[str, Any]:
    return ledger.create_program(g.api_user, json_body())


@blueprint.post("/credits/programs/<program_id>/sites")
@api_auth_required("credits.view")
@ledger_operation("Enroll a site of any owner in the program (credits:enroll_site)",
                  tag="credits", path=("program_id",), body=closed_object(
                      {"site_id": ID, "owner": holder_field("site owner")},
                      ["site_id", "owner"]))
def enroll_site(program_id: str) -> dict[str, Any]:
    return ledger.enroll_site(g.api_user, program_id, json_body())


@blueprint.post("/credits/reports")
@api_auth_required("credits.view")
@ledger_operation("Open a monitoring report for one period (credits:open_report)",
                  tag="credits", body=closed_object({
                      "report_id": ID, "program_id": ID, "period_start": _DATE,
                      "period_end": _DATE},
                      ["report_id", "program_id", "period_start", "period_end"]))
def open_report() -> dict[str, Any]:
    return ledger.open_report(g.api_user, json_body())


@blueprint.post("/credits/reports/<report_id>/lots")
@api_auth_required("credits.view")
@ledger_operation("Bundle one page of eligible holdings into the report (credits:add_lots)",
                  tag="credits", path=("report_id",), body=closed_object({"lots": {
                      "type": "array", "minItems": 1, "maxItems": MAX_PAGE,
                      "items": closed_object({"lot_id": ID, "owner": holder_field("lot owner")},
                                       ["lot_id", "owner"])}}, ["lots"]))
def add_lots(report_id: str) -> dict[str, Any]:
    return ledger.add_lots(g.api_user, report_id, json_body())


@blueprint.post("/credits/reports/<report_id>/submit")
@api_auth_required("credits.view")
@ledger_operation("Close collection and submit the report for verification "
                  "(credits:submit_report)", tag="credits", path=("report_id",))
def submit_report(report_id: str) -> dict[str, Any]:
    return ledger.submit_report(g.api_user, report_id)


@blueprint.post("/credits/reports/<report_id>/verification")
@api_auth_required("credits.review")
@ledger_operation("Approve (issues the credit batch) or reject (comments required) a "
                  "submitted report (verifier; credits:verify_report)", tag="credits",
                  path=("report_id",), body=closed_object({
                      "decision": {"type": "string", "enum": list(DECISIONS)},
                      "comments": TEXT}, ["decision"]))
def verify_report(report_id: str) -> dict[str, Any]:
    return ledger.verify_report(g.api_user, report_id, json_body())


@blueprint.post("/credits/reports/<report_id>/settlement")
@api_auth_required("credits.view")
@ledger_operation("Write one page of contributors' shares of an approved report "
                  "(credits:settle_report); repeat until the event says complete",
                  tag="credits", path=("report_id",), body=_PAGE, body_required=False)
def settle_report(report_id: str) -> dict[str, Any]:
    return ledger.settle_report(g.api_user, report_id, optional_body())


@blueprint.post("/credits/reports/<report_id>/release")
@api_auth_required("credits.view")
@ledger_operation("Return one page of a rejected report's holdings to tradable "
                  "(credits:release_report)", tag="credits", path=("report_id",),
                  body=_PAGE, body_required=False)
def release_report(report_id: str) -> dict[str, Any]:
    return ledger.release_report(g.api_user, report_id, optional_body())


@blueprint.get("/credits/reports/<report_id>")
@api_auth_required("credits.view")
@ledger_operation("A monitoring report with its state and review history (credits:report)",
                  tag="credits", method="get", path=("report_id",), result={"type": "object"})
def report(report_id: str) -> dict[str, Any]:
    return ledger.credit_report(g.api_user, report_id)  # type: ignore[no-any-return]


@blueprint.get("/credits/batches/<batch_id>/distribution")
@api_auth_required("credits.view")
@ledger_operation("How a sale's proceeds split among the batch's contributors, to the yen "
                  "(credits:distribution)", tag="credits", method="get", path=("batch_id",),
                  query=({"in": "query", "name": "proceeds_yen", "required": True,
                          "schema": {"type": "integer", "minimum": 0}},),
                  result={"type": "object"})
def distribution(batch_id: str) -> dict[str, Any]:
    proceeds = request.args.get("proceeds_yen")
    if proceeds is None:
        raise PortalError("required", field="proceeds_yen", rule="required")
    return ledger.distribution(g.api_user, batch_id, proceeds)  # type: ignore[no-any-return]


@blueprint.post("/credits/transfers")
@api_auth_required("credits.view")
@ledger_operation("Transfer whole tonnes of a credit batch (credits:transfer)", tag="credits",
                  body=closed_object({"owner": holder_field("owner (default: you)"), "batch_id": ID,
                                "recipient": holder_field("recipient"),
                                "quantity_t": QUANTITY},
                               ["batch_id", "recipient", "quantity_t"]))
def transfer_credits() -> dict[str, Any]:
    return ledger.transfer_credits(g.api_user, json_body())


@blueprint.post("/credits/retirements")
@api_auth_required("credits.view")
@ledger_operation("Retire (invalidate) whole tonnes with the J-Credit invalidation fields "
                  "(credits:retire)", tag="credits", body=closed_object({
                      "owner": holder_field("owner (default: you)"), "batch_id": ID,
                      "quantity_t": QUANTITY, "user_name": TEXT,
                      "use": {"type": "string", "enum": list(USES)}, "purpose_detail": TEXT,
                      "reporting_year": YEAR},
                      ["batch_id", "quantity_t", "user_name", "use", "purpose_detail",
                       "reporting_year"]))
def retire_credits() -> dict[str, Any]:
    return ledger.retire_credits(g.api_user, json_body())
