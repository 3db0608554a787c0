"""Ledger reads (wallet, traceability): 503 problem+json while the Gateway is down."""

from __future__ import annotations

from typing import Any

from flask import g, request

from ...security import api_auth_required
from ...services.ledger import lot_history, lot_holding, trace
from . import blueprint


@blueprint.get("/wallet/lots/<lot_id>")
@api_auth_required("wallet.view")
def wallet_lot(lot_id: str) -> dict[str, Any]:
    """A lot's holding and history.
    ---
    get:
      summary: Holding and history of a token lot (tokens:holding, tokens:history)
      tags: [wallet]
      security: [{bearer: []}]
      parameters:
        - {in: path, name: lot_id, required: true, schema: {type: string}}
        - {in: query, name: owner, required: false, schema: {type: string}}
      responses:
        200: {description: ledger data}
        503:
          description: the ledger cannot be reached (the reason is in detail)
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
    """
    owner = request.args.get("owner", "")
    return {"holding": lot_holding(g.api_user, lot_id, owner),
            "history": lot_history(g.api_user, lot_id, owner)}


@blueprint.get("/trace/<lot_id>")
@api_auth_required("trace.view")
def trace_lot(lot_id: str) -> dict[str, Any]:
    """A lot's trace.
    ---
    get:
      summary: From a lot down to calculation, batches and readings (measurement:trace)
      tags: [traceability]
      security: [{bearer: []}]
      parameters:
        - {in: path, name: lot_id, required: true, schema: {type: string}}
        - {in: query, name: calculation_id, required: false, schema: {type: string}}
      responses:
        200: {description: ledger data}
        503:
          description: the ledger cannot be reached (the reason is in detail)
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
    """
    return {"trace": trace(g.api_user, lot_id, request.args.get("calculation_id", ""))}
