"""The audit log, readable by operators and auditors."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..audit import recent
from ..db import get_session
from ..security import permission_required

blueprint = Blueprint("audit", __name__, url_prefix="/audit")


@blueprint.get("/")
@permission_required("audit.view")
def index() -> str:
    return render_template("audit/index.html", entries=recent(get_session()))
