"""Dry-run calculations: the chaincode's `calculate`, off-ledger."""

from __future__ import annotations

from typing import Any

from flask import g

from ...errors import PortalError
from ...security import api_auth_required
from ...services.calc import dry_run
from ..operation import WRITE_UNAUTHENTICATED, api_operation, response
from . import blueprint
from ._body import json_body, required_str


@blueprint.post("/calculations/dry-run")
@api_auth_required("calc.run")
@api_operation(
    "Calculate off-ledger with a built-in methodology", tags=["calculations"], method="post",
    body={"$ref": "#/components/schemas/DryRunRequest"},
    answers={200: response("outputs in whole kg-CO2 and the full trace", {
        "application/json": {"$ref": "#/components/schemas/DryRunResult"}})},
    problems={400: "invalid inputs (field, value, rule)", 401: WRITE_UNAUTHENTICATED})
def calculation_dry_run() -> dict[str, Any]:
    """Dry-run a methodology."""
    body = json_body()
    name = required_str(body, "methodology")
    version = required_str(body, "version", "1")
    if "inputs" not in body:
        raise PortalError("required", field="inputs", rule="required")
    return dry_run(g.api_user, name, version, body["inputs"])
