"""Who the caller is, as the portal and the ledger see them."""

from __future__ import annotations

from typing import Any

from flask import g

from ...security import api_auth_required
from ...services.ledger import ledger_status
from ..operation import api_operation, response
from . import blueprint


@blueprint.get("/me")
@api_auth_required("dashboard.view")
@api_operation(
    "The calling user (role from the certificate) and the ledger's reachability",
    tags=["users"],
    answers={200: response("user", {"application/json": {"$ref": "#/components/schemas/Me"}})},
    problems={401: "not signed in"})
def me() -> dict[str, Any]:
    """The calling user."""
    user = g.api_user
    state = ledger_status(user)
    return {"username": user.username, "msp_id": user.msp_id, "role": user.role,
            "enrollment_id": user.enrollment_id,
            "ledger": {"available": state.available, "reason": state.reason}}
