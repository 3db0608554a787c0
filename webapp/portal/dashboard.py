"""The signed-in user's home: who they are (from the certificate) and what is reachable."""

from __future__ import annotations

from flask import Blueprint, g, redirect, render_template, url_for
from werkzeug.wrappers import Response

from ..security import permission_required
from ..services.ledger import ledger_status

blueprint = Blueprint("dashboard", __name__)


@blueprint.get("/")
def home() -> Response:
    return redirect(url_for("dashboard.index" if g.get("user") else "auth.login"))


@blueprint.get("/dashboard")
@permission_required("dashboard.view")
def index() -> str:
    return render_template("dashboard/index.html", user=g.user, ledger=ledger_status(g.user))
