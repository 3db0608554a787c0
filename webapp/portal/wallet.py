"""Wallet: token holdings and history of a lot, read from the ledger as the user."""

from __future__ import annotations

from flask import Blueprint, g, request

from ..security import permission_required
from ..services.ledger import lot_history, lot_holding
from ._ledger_page import render_ledger_page

blueprint = Blueprint("wallet", __name__, url_prefix="/wallet")


@blueprint.get("/")
@permission_required("wallet.view")
def index() -> tuple[str, int]:
    lot_id = request.args.get("lot_id", "").strip()
    owner = request.args.get("owner", "").strip()
    query = (lambda: {"holding": lot_holding(g.user, lot_id, owner),
                      "history": lot_history(g.user, lot_id, owner)}) if lot_id else None
    return render_ledger_page("ledger/wallet.html", query, lot_id=lot_id, owner=owner)
