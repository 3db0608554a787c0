"""Errors that carry their HTTP status, and the one place mapping them to responses.

Why: services raise errors naming the field, value and rule (like the domain's
`DomainError`); API routes answer them as RFC 9457 ``application/problem+json`` and pages
as an HTML error page, so every route reports the same facts the same way.

`LedgerUnavailableError` is `envalue.ledger`'s (one class for the CLI, portal and API): a
`DomainError` with ``http_status`` 503 and rule ``ledger_unavailable``, answered by the
domain handler like the ledger's rejections (422) and read conflicts (409).
"""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, json, render_template, request
from werkzeug.exceptions import HTTPException

from envalue.chaincode.domain.errors import DomainError, format_value
from envalue.chaincode.domain.messages import CONTROL_CHARACTERS
from envalue.ingest_service.problems import PROBLEM_CONTENT_TYPE, Problem
from envalue.ledger.errors import LedgerUnavailableError

__all__ = ["LedgerUnavailableError", "PortalError", "init_app", "problem_response"]


class PortalError(Exception):
    """A refused request: `field`/`value`/`rule` say what failed, `http_status` how."""

    http_status = 400
    title = "Bad request"

    def __init__(self, detail: str, *, field: str = "", value: Any = None, rule: str = "",
                 http_status: int | None = None, title: str | None = None) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field = field
        self.value = value
        self.rule = rule or "invalid"
        if http_status is not None:
            self.http_status = http_status
        if title is not None:
            self.title = title

    def to_problem(self) -> dict[str, Any]:
        body: dict[str, Any] = {
            "type": f"urn:envalue:problem:{self.rule}", "title": self.title,
            "status": self.http_status, "detail": self.detail, "rule": self.rule,
        }
        if self.field:
            body["field"] = self.field
        if self.value is not None:
            body["value"] = self.value if isinstance(self.value, str | int) else str(self.value)
        return body


def _domain_problem(exc: DomainError) -> dict[str, Any]:
    data = exc.to_dict()
    body = {"type": f"urn:envalue:problem:{exc.rule}", "title": type(exc).__name__,
            "status": exc.http_status, "detail": exc.message, "rule": exc.rule,
            "field": exc.field, "value": data["value"]}
    # ledger outcomes also name the operation and transaction (envalue.ledger.errors)
    body.update({k: data[k] for k in ("operation", "transaction_id") if k in data})
    return body


def problem_response(body: dict[str, Any], status: int) -> Response:
    return Response(json.dumps(body), status=status, mimetype=PROBLEM_CONTENT_TYPE)


def _wants_problem() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _answer(body: dict[str, Any], status: int) -> Response | tuple[str, int]:
    if _wants_problem():
        return problem_response(body, status)
    value = body.get("value")
    shown = "" if value is None else format_value(value)
    return render_template("errors/error.html", problem=body, shown_value=shown), status


def refuse_control_characters() -> None:
    """Before every request: a path or query parameter holding a control character is a
    400 naming it (the chaincode's text rule, `messages.CONTROL_CHARACTERS`), instead of
    reaching a read-model query (PostgreSQL cannot even hold a NUL)."""
    fields = [("path", request.path), *((k, v) for k, vs in request.args.lists() for v in vs)]
    for name, value in fields:
        bad = next((c for c in value if c in CONTROL_CHARACTERS), None)
        if bad is not None:
            raise PortalError(f"must not contain control character U+{ord(bad):04X}",
                              field=name, rule="control-character",
                              value=value.encode("unicode_escape").decode("ascii")[:80])


def init_app(app: Flask) -> None:
    """Register the handlers for portal, domain, ingestion and HTTP errors."""
    app.before_request(refuse_control_characters)

    @app.errorhandler(PortalError)
    def _portal(exc: PortalError) -> Any:
        return _answer(exc.to_problem(), exc.http_status)

    @app.errorhandler(DomainError)
    def _domain(exc: DomainError) -> Any:
        return _answer(_domain_problem(exc), exc.http_status)

    @app.errorhandler(Problem)
    def _ingest(exc: Problem) -> Any:
        return _answer(exc.to_dict(), exc.status)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException) -> Any:
        rule = {400: "bad_request", 401: "unauthenticated", 403: "forbidden",
                404: "not_found", 405: "method_not_allowed", 413: "too_large",
                429: "rate_limited"}.get(exc.code or 500, "http_error")
        body = {"type": f"urn:envalue:problem:{rule}", "title": exc.name,
                "status": exc.code, "detail": exc.description, "rule": rule}
        response = _answer(body, exc.code or 500)
        if isinstance(response, Response) and exc.code == 429:
            response.headers["Retry-After"] = "60"
        return response
