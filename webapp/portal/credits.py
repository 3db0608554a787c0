"""Credit programs: programs, monitoring reports and issued batches from the read model,
and the ledger lookup of one report's review state as the user."""

from __future__ import annotations

from flask import Blueprint, g, request

from ..security import permission_required
from ..services.ledger import credit_report
from ..services.readmodel import credits_view
from ._ledger_page import render_ledger_page

blueprint = Blueprint("credits", __name__, url_prefix="/credits")


@blueprint.get("/")
@permission_required("credits.view")
def index() -> tuple[str, int]:
    report_id = request.args.get("report_id", "").strip()
    query = (lambda: credit_report(g.user, report_id)) if report_id else None
    return render_ledger_page("ledger/credits.html", query, report_id=report_id,
                              readmodel=credits_view(g.user))
