"""The signed-in user's home: identity, energy charts from the off-chain store, ledger state,
and the org's reductions and balances from the read model."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..security import permission_required
from ..services.dashboard import energy_overview
from ..services.ledger import ledger_status
from ..services.ledger_figures import ledger_figures_view

blueprint = Blueprint("dashboard", __name__)


@blueprint.get("/")
def home() -> Response:
    return redirect(url_for("dashboard.index" if g.get("user") else "auth.login"))


@blueprint.get("/dashboard")
@permission_required("dashboard.view")
def index() -> str:
    energy = energy_overview(g.user, request.args)
    source = url_for("api_v1.energy_daily", **{k: request.args.getlist(k) for k in request.args})
    return render_template("dashboard/index.html", user=g.user, ledger=ledger_status(g.user),
                           energy=energy, energy_source=source, args=request.args,
                           figures=ledger_figures_view(g.user))
