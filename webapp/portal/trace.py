"""Traceability explorer: from a token lot down to its calculation, batches and readings."""

from __future__ import annotations

from flask import Blueprint, g, request

from ..security import permission_required
from ..services.ledger import trace
from ._ledger_page import render_ledger_page

blueprint = Blueprint("trace", __name__, url_prefix="/trace")


@blueprint.get("/")
@permission_required("trace.view")
def index() -> tuple[str, int]:
    lot_id = request.args.get("lot_id", "").strip()
    calculation_id = request.args.get("calculation_id", "").strip()
    query = (lambda: trace(g.user, lot_id, calculation_id)) if lot_id else None
    return render_ledger_page("ledger/trace.html", query, lot_id=lot_id,
                              calculation_id=calculation_id)
