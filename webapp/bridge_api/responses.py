"""Answers of the bridge API: problem+json for every refusal, kept answers for repeats.

The app's error handlers answer HTML to browsers outside ``/api/``; this blueprint's
callers are programs, so its handlers always answer ``application/problem+json`` with the
same members (`PortalError.to_problem`: type, title, status, detail, rule, field, value).

`idempotent` runs a write once per (caller, ``X-Request-Id``): the request's fingerprint
covers method, path, query and the SHA-256 of the body, so the same id with another body
is a 409 (rule ``idempotency-key-reuse``) and a repeat gets the kept answer with the
header ``Idempotent-Replayed: true``. Answers that may change by retrying (503 while a
ledger is unreachable, 409 for a read conflict or a concurrent update) are not kept.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from typing import Any

from flask import Response, request
from werkzeug.exceptions import HTTPException

from envalue.bridge.adapters import TRANSIENT
from envalue.bridge.idempotency import run_once
from envalue.bridge.request_auth import Caller
from envalue.bridge.signing import REQUEST_ID_HEADER, canonical_query
from envalue.bridge.store import BridgeStore, StoredResponse
from envalue.bridge.transfers import Transfer
from envalue.chaincode.domain.errors import DomainError
from envalue.ingest_service.problems import PROBLEM_CONTENT_TYPE

from ..errors import PortalError
from . import blueprint

__all__ = ["REPLAYED_HEADER", "idempotent", "json_response", "problem_of", "transfer_answer"]

REPLAYED_HEADER = "Idempotent-Replayed"
_RETRYABLE_RULES = frozenset({"concurrent-update"})


def problem_of(exc: DomainError | PortalError) -> dict[str, Any]:
    """The problem+json body of a refusal."""
    if isinstance(exc, PortalError):
        return exc.to_problem()
    data = exc.to_dict()
    body = PortalError(exc.message, field=exc.field, value=data["value"], rule=exc.rule,
                       http_status=exc.http_status, title=type(exc).__name__).to_problem()
    body.update({k: v for k, v in data.items()
                 if k not in body and k not in ("type", "message")})
    return body


def json_response(body: Any, status: int = 200, *, problem: bool = False) -> Response:
    mimetype = PROBLEM_CONTENT_TYPE if problem else "application/json"
    return Response(json.dumps(body, sort_keys=True), status=status, mimetype=mimetype)


@blueprint.errorhandler(DomainError)
def _domain(exc: DomainError) -> Response:
    return json_response(problem_of(exc), exc.http_status, problem=True)


@blueprint.errorhandler(PortalError)
def _portal(exc: PortalError) -> Response:
    return json_response(problem_of(exc), exc.http_status, problem=True)


@blueprint.errorhandler(HTTPException)
def _http(exc: HTTPException) -> Response:
    status = exc.code or 500
    body = {"type": "urn:envalue:problem:http", "title": exc.name, "status": status,
            "detail": exc.description, "rule": "http"}
    return json_response(body, status, problem=True)


def transfer_answer(transfer: Transfer, done: bool, status: int = 200) -> Response:
    """The transfer (`status`) when the operation reached its goal; otherwise the refusal
    recorded on it (or a 409 naming its state) as problem+json, with the transfer as an
    extension member."""
    if done:
        return json_response({"transfer": transfer.to_dict()}, status)
    error = transfer.error or {
        "type": "ConflictError", "status": 409, "rule": "transfer-state",
        "field": "transfer", "value": transfer.state,
        "message": f"transfer {transfer.transfer_id!r} is {transfer.state}"}
    body = {"type": f"urn:envalue:problem:{error['rule']}", "title": error["type"],
            "status": error["status"], "detail": error["message"], "rule": error["rule"],
            "field": error["field"], "value": error["value"], "transfer": transfer.to_dict()}
    return json_response(body, int(error["status"]), problem=True)


def _stored(response: Response) -> StoredResponse:
    return StoredResponse(response.status_code, response.get_data(as_text=True),
                          response.mimetype)


def idempotent(store: BridgeStore, caller: Caller, body: bytes,
               view: Callable[[], Response]) -> Response:
    """`view`'s answer, run at most once per (caller, request id) (module docstring)."""
    fingerprint = {"method": request.method, "path": request.path,
                   "query": canonical_query(request.query_string),
                   "body_sha256": hashlib.sha256(body).hexdigest()}

    def action() -> StoredResponse:
        try:
            return _stored(view())
        except TRANSIENT:
            raise
        except (DomainError, PortalError) as exc:
            if getattr(exc, "rule", "") in _RETRYABLE_RULES:
                raise
            status = exc.http_status
            return _stored(json_response(problem_of(exc), status, problem=True))

    kept, replayed = run_once(store, caller.owner_key, caller.request_id, fingerprint, action,
                              field=REQUEST_ID_HEADER)
    response = Response(kept.body, status=kept.status, mimetype=kept.content_type)
    if replayed:
        response.headers[REPLAYED_HEADER] = "true"
    return response
