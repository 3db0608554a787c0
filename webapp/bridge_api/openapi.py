"""The bridge API's own OpenAPI 3 document, from its views' docstrings (apispec).

Why a second document: its callers (partner ledgers' operators), its authentication
(signed requests, not bearer tokens) and its idempotency header differ from ``/api/v1``'s.
Served unauthenticated at ``/bridge/v1/openapi.json``. Views declare their operation with
`bridge_operation`: the signed-request security and the shared answers (components) by
reference.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from apispec import APISpec
from apispec.yaml_utils import load_operations_from_docstring
from flask import current_app

from envalue.bridge.signing import (
    CERTIFICATE_HEADER,
    REQUEST_ID_HEADER,
    REQUEST_ID_PATTERN,
    SCHEME,
    SIGNATURE_HEADER,
    TIMESTAMP_HEADER,
)
from envalue.bridge.transfers import PENDING

from ..api.operation import api_operation, problem, response
from . import blueprint

__all__ = ["PROBLEM", "SIGNED", "TRANSFER", "bridge_operation", "build_spec"]

F = TypeVar("F", bound=Callable[..., Any])

_ID = {"type": "string", "pattern": r"^[A-Za-z0-9._:/-]{1,128}$"}
_HOLDER = {"type": "string", "description": "holder key <MSP ID>/x509::<subject>::<issuer>"}
_KG = {"type": "integer", "minimum": 1, "description": "whole kg-CO2e"}
_PROBLEM = {"type": "object", "required": ["type", "title", "status"], "properties": {
    "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
    "detail": {"type": "string"},
    "rule": {"type": "string", "description": "the rule that was broken"},
    "field": {"type": "string", "description": "path of the offending field or header"},
    "value": {"description": "the offending value as given"},
    "transfer": {"$ref": "#/components/schemas/Transfer"}}}
_TRANSFER = {"type": "object", "properties": {
    "transfer_id": {"type": "string", "example": "pledge:P-1"},
    "kind": {"type": "string", "enum": ["outbound", "return"]},
    "state": {"type": "string", "description": "pending states: " + ", ".join(sorted(PENDING)),
              "enum": ["pledging", "pledged", "claimed", "refundable", "voided", "reclaimed",
                       "burning", "burned", "released", "failed"]},
    "message": {"type": "object"}, "steps": {"type": "array", "items": {"type": "object"}},
    "error": {"type": "object", "nullable": True}, "version": {"type": "integer"},
    "created_at": {"type": "string"}, "updated_at": {"type": "string"}}}
_SCHEMAS: dict[str, dict[str, Any]] = {
    "Problem": _PROBLEM,
    "Transfer": _TRANSFER,
    "PledgeRequest": {"type": "object", "additionalProperties": False, "required": [
        "pledge_id", "owner", "lot_id", "quantity_kg", "target_network", "recipient",
        "expires_at"], "properties": {
        "pledge_id": _ID, "owner": _HOLDER, "lot_id": _ID, "quantity_kg": _KG,
        "target_network": _ID, "recipient": _HOLDER,
        "expires_at": {"type": "string", "format": "date-time"}}},
    "ReturnRequest": {"type": "object", "additionalProperties": False, "required": [
        "burn_id", "owner", "source_network", "lot_id", "quantity_kg", "home_recipient"],
        "properties": {"burn_id": _ID, "owner": _HOLDER, "source_network": _ID,
                       "lot_id": _ID, "quantity_kg": _KG, "home_recipient": _HOLDER}},
    "PledgeRef": {"type": "object", "additionalProperties": False, "required": ["pledge_id"],
                  "properties": {"pledge_id": _ID}},
    "PledgeStatus": {"type": "object", "properties": {
        "pledge_id": {"type": "string"}, "ledger": {"type": "object", "nullable": True},
        "transfer": {"allOf": [{"$ref": "#/components/schemas/Transfer"}],
                     "nullable": True},
        "ledger_error": {"type": "object"}}},
    "ProofAnswer": {"type": "object", "properties": {
        "pledge_id": {"type": "string"}, "network_id": {"type": "string"},
        "proof": {"type": "object", "description": "{version, endorsements: [{payload, "
                  "endorser, signature}]} (base64)"}}},
    "EventPage": {"type": "object", "properties": {
        "events": {"type": "array", "items": {"type": "object", "properties": {
            "cursor": {"type": "string"}, "at": {"type": "string"},
            "kind": {"type": "string"}, "transfer_id": {"type": "string"},
            "data": {"type": "object"}}}},
        "next": {"type": "string"}}},
}
_AUTH = (f"Every request except this document is signed: `{CERTIFICATE_HEADER}` carries the "
         "caller's PEM certificate (base64), issued by a consortium org CA or a registered "
         f"partner CA, `{TIMESTAMP_HEADER}` the RFC 3339 UTC time (within the server's "
         "window, 5 minutes by default), "
         f"`{REQUEST_ID_HEADER}` a request id, and `{SIGNATURE_HEADER}` the base64 DER "
         "ECDSA P-256/SHA-256 signature of the lines "
         f"`{SCHEME}`, METHOD, path, sorted query, hex SHA-256 of the body, request id, "
         "timestamp joined by newlines (`envalue.bridge.signing.sign_request` builds them). "
         "Writes are idempotent by request id per caller: a repeat answers the kept "
         "response with `Idempotent-Replayed: true`; the same id with another body is 409 "
         "`idempotency-key-reuse`. Errors are application/problem+json with field, value "
         "and rule; 503 `ledger_unavailable` names why a ledger cannot be reached.")


_SIGNED_HEADERS = (CERTIFICATE_HEADER, TIMESTAMP_HEADER, SIGNATURE_HEADER)
#: Every operation's security: all three signed-request headers together.
SIGNED = ({h: [] for h in _SIGNED_HEADERS},)
#: The document's shared answers (components), by reference.
PROBLEM = {"$ref": "#/components/responses/Problem"}
TRANSFER = {"$ref": "#/components/responses/Transfer"}


def bridge_operation(summary: str, *, tags: Sequence[str], answers: Mapping[int, Any],
                     problems: Sequence[int], method: str = "get",
                     description: str | None = None, parameters: Sequence[Any] = (),
                     body: str | None = None) -> Callable[[F], F]:
    """The view's operation (`webapp.api.operation`): signed, refusals by status code as
    the ``Problem`` response component, `body` naming a schema component."""
    return api_operation(
        summary, tags=tags, method=method, description=description, parameters=parameters,
        answers=answers, problems={code: PROBLEM for code in problems}, security=SIGNED,
        body=None if body is None else {"$ref": f"#/components/schemas/{body}"})


def build_spec() -> dict[str, Any]:
    spec = APISpec(title="envalue bridge API", version="1.0.0", openapi_version="3.0.3",
                   info={"description": _AUTH})
    for header in _SIGNED_HEADERS:
        spec.components.security_scheme(header, {"type": "apiKey", "in": "header",
                                                 "name": header})
    for name, schema in _SCHEMAS.items():
        spec.components.schema(name, schema)
    spec.components.parameter("RequestId", "header", {
        "name": REQUEST_ID_HEADER, "required": True,
        "schema": {"type": "string", "pattern": REQUEST_ID_PATTERN.pattern}})
    spec.components.parameter("PledgeId", "path", {"name": "pledge_id", "required": True,
                                                   "schema": _ID})
    spec.components.response("Problem", problem("refused (field, value, rule)"))
    spec.components.response("Transfer", response("the transfer after this request", {
        "application/json": {"type": "object", "properties": {
            "transfer": {"$ref": "#/components/schemas/Transfer"}}}}))
    for rule in sorted(current_app.url_map.iter_rules(), key=lambda r: r.rule):
        if not rule.endpoint.startswith("bridge_api.") or rule.endpoint == "bridge_api.openapi":
            continue
        operations = load_operations_from_docstring(
            current_app.view_functions[rule.endpoint].__doc__ or "")
        path = rule.rule
        for arg in rule.arguments:
            path = path.replace(f"<{arg}>", f"{{{arg}}}")
        if operations:
            spec.path(path=path, operations=operations)
    return spec.to_dict()


@blueprint.get("/openapi.json")
def openapi() -> dict[str, Any]:
    """The OpenAPI document of the bridge API."""
    return build_spec()
