"""Token ledger writes (transfer, retire, escrow, cancel) and the supply audit.

Each request body is the chaincode's own message as JSON (``envalue.chaincode.domain
.tokens.msg_*``), with ``owner`` defaulting to the caller's holder key and holder fields
accepting portal user names; `webapp.services.ledger` runs it through `envalue.ledger`.
Answers: 200 with the committed transaction (id, block, events); problem+json 400
(invalid input, before any connection), 401/403, 409 (read conflict at commit: nothing
written, submit again), 422 (refused by the chaincode), 503 (ledger unavailable).

`ledger_operation` writes each view's OpenAPI docstring from these parts (by
`webapp.api.operation`), so the shared answers are documented once (credits.py and
registry.py use it too).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, TypeVar

from flask import g, request

from envalue.chaincode.domain.tokens.msg_release import ACTIONS
from envalue.chaincode.domain.tokens.msg_retire import MAX_REPORTING_YEAR, MIN_REPORTING_YEAR
from envalue.chaincode.domain.tokens.msg_transfer import MAX_TRANSFER_ITEMS
from envalue.chaincode.domain.tokens.state import RETIREMENT_PURPOSES
from envalue.chaincode.domain.validators import ID_PATTERN, MAX_ID_LENGTH, MAX_TEXT_LENGTH

from ...security import api_auth_required
from ...services import ledger
from ..operation import (
    READ_UNAUTHENTICATED,
    WRITE_UNAUTHENTICATED,
    api_operation,
    closed_object,
    response,
)
from . import blueprint
from ._body import json_body

__all__ = ["ID", "QUANTITY", "TEXT", "YEAR", "holder_field", "ledger_operation", "optional_body"]

F = TypeVar("F", bound=Callable[..., Any])

ID = {"type": "string", "pattern": ID_PATTERN.pattern, "maxLength": MAX_ID_LENGTH}
TEXT = {"type": "string", "maxLength": MAX_TEXT_LENGTH}
QUANTITY = {"type": "integer", "minimum": 1, "description": "whole units (no decimals)"}
YEAR = {"type": "integer", "minimum": MIN_REPORTING_YEAR, "maximum": MAX_REPORTING_YEAR}
_ANSWERS = {
    400: "invalid input (field, value, rule); nothing was sent to the ledger",
    401: WRITE_UNAUTHENTICATED,
    403: "the portal role may not do this",
    409: "read conflict at commit (MVCC): nothing was written, submit again",
    422: "refused by the chaincode (field and detail from the chaincode's message)",
    503: "the ledger cannot be reached (the reason is in detail)",
}
TX_RESULT = {"type": "object", "properties": {
    "operation": {"type": "string", "example": "tokens:transfer"},
    "transaction_id": {"type": "string"},
    "block_number": {"type": "integer", "nullable": True},
    "events": {"type": "array", "items": {"type": "object", "properties": {
        "name": {"type": "string"}, "attributes": {"type": "object"}}}}}}


def holder_field(what: str = "holder") -> dict[str, Any]:
    return {"type": "string", "minLength": 1, "maxLength": 1024,
            "description": f"{what}: a holder key '<MSP ID>/<client id>' or a portal user "
                           "name (user@org)"}



def ledger_operation(summary: str, *, tag: str, body: Mapping[str, Any] | None = None,
                     body_required: bool = True, path: tuple[str | tuple[str, Any], ...] = (),
                     query: tuple[dict[str, Any], ...] = (), result: Mapping[str, Any] = TX_RESULT,
                     method: str = "post", problems: Mapping[int, str] | None = None
                     ) -> Callable[[F], F]:
    """Give the view its OpenAPI operation: path ids (`ID` unless a schema is given), the
    `result` as the 200 answer, the shared refusals (no 409 for a read) and the view's
    own `problems`."""
    params = [(p, ID) if isinstance(p, str) else p for p in path]
    shared = {code: READ_UNAUTHENTICATED if code == 401 and method == "get" else text
              for code, text in _ANSWERS.items() if method == "post" or code != 409}
    return api_operation(
        summary, tags=[tag], method=method, body=body, body_required=body_required,
        parameters=[{"in": "path", "name": name, "required": True, "schema": schema}
                    for name, schema in params] + list(query),
        answers={200: response("done", {"application/json": result})},
        problems=dict(sorted({**shared, **(problems or {})}.items())))


def optional_body() -> Mapping[str, Any]:
    """The JSON body, or ``{}`` when the request has none."""
    return json_body() if request.get_data(cache=True) else {}


RETIREMENT_INFO = closed_object({
    "beneficiary": TEXT, "purpose": {"type": "string", "enum": list(RETIREMENT_PURPOSES)},
    "reporting_year": YEAR, "note": TEXT}, ["beneficiary", "purpose", "reporting_year"])
_TRANSFER = closed_object({
    "owner": holder_field("owner (default: you)"),
    "items": {"type": "array", "minItems": 1, "maxItems": MAX_TRANSFER_ITEMS,
              "items": closed_object({"lot_id": ID, "recipient": holder_field("recipient"),
                                "quantity_kg": QUANTITY, "retire": RETIREMENT_INFO},
                               ["lot_id", "recipient", "quantity_kg"])}}, ["items"])
_RETIRE = closed_object({"owner": holder_field("owner (default: you)"), "lot_id": ID,
                   "quantity_kg": QUANTITY, "info": RETIREMENT_INFO},
                  ["lot_id", "quantity_kg", "info"])
_ESCROW = closed_object({"escrow_id": ID, "owner": holder_field("owner (default: you)"),
                   "lot_id": ID, "counterparty": holder_field("counterparty"),
                   "quantity_kg": QUANTITY,
                   "expires_at": {"type": "string", "format": "date-time"}},
                  ["escrow_id", "lot_id", "counterparty", "quantity_kg", "expires_at"])
_RELEASE = closed_object({"action": {"type": "string", "enum": list(ACTIONS),
                               "default": "release"}}, [])
_CANCEL = closed_object({"request_id": ID, "lot_id": ID, "owner": holder_field("owner"),
                   "quantity_kg": QUANTITY, "reason": TEXT},
                  ["request_id", "lot_id", "owner", "quantity_kg", "reason"])


@blueprint.post("/tokens/transfers")
@api_auth_required("wallet.view")
@ledger_operation("Transfer tokens: several lots and recipients in one transaction; an item "
                  "with `retire` arrives retired (tokens:transfer)", tag="tokens", body=_TRANSFER)
def transfer() -> dict[str, Any]:
    return ledger.transfer_tokens(g.api_user, json_body())


@blueprint.post("/tokens/retirements")
@api_auth_required("wallet.view")
@ledger_operation("Retire tokens for a beneficiary and purpose (tokens:retire)", tag="tokens",
                  body=_RETIRE)
def retire() -> dict[str, Any]:
    return ledger.retire_tokens(g.api_user, json_body())


@blueprint.post("/tokens/escrows")
@api_auth_required("wallet.view")
@ledger_operation("Escrow tokens for a counterparty until a time (tokens:escrow)",
                  tag="tokens", body=_ESCROW)
def escrow() -> dict[str, Any]:
    return ledger.escrow_tokens(g.api_user, json_body())


@blueprint.post("/tokens/escrows/<escrow_id>/release")
@api_auth_required("wallet.view")
@ledger_operation("Close an escrow: release it back, or settle it to the counterparty "
                  "(tokens:release)", tag="tokens", body=_RELEASE, body_required=False,
                  path=("escrow_id",))
def release(escrow_id: str) -> dict[str, Any]:
    return ledger.release_escrow(g.api_user, escrow_id, optional_body())


@blueprint.post("/tokens/cancellations")
@api_auth_required("credits.view")
@ledger_operation("Request an administrative cancellation (Platform operator or verifier; "
                  "tokens:request_cancel)", tag="tokens", body=_CANCEL)
def request_cancel() -> dict[str, Any]:
    return ledger.request_cancel(g.api_user, json_body())


@blueprint.post("/tokens/cancellations/<request_id>/approve")
@api_auth_required("credits.view")
@ledger_operation("Approve a cancellation requested by the other authority "
                  "(tokens:approve_cancel)", tag="tokens", path=("request_id",))
def approve_cancel(request_id: str) -> dict[str, Any]:
    return ledger.approve_cancel(g.api_user, request_id)


@blueprint.get("/tokens/audit")
@api_auth_required("trace.view")
@ledger_operation("Supply audit of one lot, or of every lot (tokens:audit)", tag="tokens",
                  method="get", result={"type": "object"},
                  query=({"in": "query", "name": "lot_id", "required": False, "schema": ID},))
def audit() -> dict[str, Any]:
    return ledger.supply_audit(g.api_user, request.args.get("lot_id", ""))  # type: ignore[no-any-return]


@blueprint.get("/tokens/holders/<username>")
@api_auth_required("trace.view")
@ledger_operation("The holder key of a portal user (what the ledger records as owner)",
                  tag="tokens", method="get", path=(("username", {"type": "string"}),), result={
                      "type": "object", "properties": {"username": {"type": "string"},
                                                       "holder": {"type": "string"}}})
def holder(username: str) -> dict[str, Any]:
    return {"username": username, "holder": ledger.holder_of(username, "username")}
