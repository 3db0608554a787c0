"""Wallet: the user's holdings, transfers and retirements from the read model, and the
ledger lookup of one lot's holding and history as the user."""

from __future__ import annotations

from flask import Blueprint, g, request

from ..security import permission_required
from ..services.ledger import lot_history, lot_holding
from ..services.readmodel import wallet_view
from ._ledger_page import render_ledger_page

blueprint = Blueprint("wallet", __name__, url_prefix="/wallet")


@blueprint.get("/")
@permission_required("wallet.view")
def index() -> tuple[str, int]:
    lot_id = request.args.get("lot_id", "").strip()
    owner = request.args.get("owner", "").strip()
    query = (lambda: {"holding": lot_holding(g.user, lot_id, owner),
                      "history": lot_history(g.user, lot_id, owner)}) if lot_id else None
    return render_ledger_page("ledger/wallet.html", query, lot_id=lot_id, owner=owner,
                              readmodel=wallet_view(g.user))
