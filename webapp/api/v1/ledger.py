"""Ledger reads (wallet, traceability): 503 problem+json while the Gateway is down."""

from __future__ import annotations

from typing import Any

from flask import g, request

from ...security import api_auth_required
from ...services.ledger import lot_history, lot_holding, trace
from ..operation import api_operation, response
from . import blueprint

# both reads ask the Gateway: the one refusal documented is its absence
_REFUSALS = {503: "the ledger cannot be reached (the reason is in detail)"}
_ANSWERS = {200: response("ledger data")}
_STRING = {"type": "string"}


def _lot_and(query: str) -> list[dict[str, object]]:
    """The path's lot id and one optional string query parameter."""
    return [{"in": "path", "name": "lot_id", "required": True, "schema": _STRING},
            {"in": "query", "name": query, "required": False, "schema": _STRING}]


@blueprint.get("/wallet/lots/<lot_id>")
@api_auth_required("wallet.view")
@api_operation(
    "Holding and history of a token lot (tokens:holding, tokens:history)", tags=["wallet"],
    parameters=_lot_and("owner"), answers=_ANSWERS, problems=_REFUSALS)
def wallet_lot(lot_id: str) -> dict[str, Any]:
    """A lot's holding and history."""
    owner = request.args.get("owner", "")
    return {"holding": lot_holding(g.api_user, lot_id, owner),
            "history": lot_history(g.api_user, lot_id, owner)}


@blueprint.get("/trace/<lot_id>")
@api_auth_required("trace.view")
@api_operation(
    "From a lot down to calculation, batches and readings (measurement:trace)",
    tags=["traceability"], parameters=_lot_and("calculation_id"), answers=_ANSWERS,
    problems=_REFUSALS)
def trace_lot(lot_id: str) -> dict[str, Any]:
    """A lot's trace."""
    return {"trace": trace(g.api_user, lot_id, request.args.get("calculation_id", ""))}
