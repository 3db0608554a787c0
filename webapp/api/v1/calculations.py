"""Dry-run calculations: the chaincode's `calculate`, off-ledger."""

from __future__ import annotations

from typing import Any

from flask import g

from ...errors import PortalError
from ...security import api_auth_required
from ...services.calc import dry_run
from . import blueprint
from ._body import json_body, required_str


@blueprint.post("/calculations/dry-run")
@api_auth_required("calc.run")
def calculation_dry_run() -> dict[str, Any]:
    """Dry-run a methodology.
    ---
    post:
      summary: Calculate off-ledger with a built-in methodology
      tags: [calculations]
      security: [{bearer: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: {$ref: '#/components/schemas/DryRunRequest'}
      responses:
        200:
          description: outputs in whole kg-CO2 and the full trace
          content:
            application/json:
              schema: {$ref: '#/components/schemas/DryRunResult'}
        400:
          description: invalid inputs (field, value, rule)
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        401:
          description: no or bad bearer token
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
    """
    body = json_body()
    name = required_str(body, "methodology")
    version = required_str(body, "version", "1")
    if "inputs" not in body:
        raise PortalError("required", field="inputs", rule="required")
    return dry_run(g.api_user, name, version, body["inputs"])
