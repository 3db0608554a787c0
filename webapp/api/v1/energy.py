"""Energy data from the off-chain store: what the dashboard's charts draw."""

from __future__ import annotations

from typing import Any

from flask import g, request

from ...security import api_auth_required
from ...services.dashboard import energy_overview
from ..operation import READ_UNAUTHENTICATED, api_operation, response
from . import blueprint


@blueprint.get("/energy/daily")
@api_auth_required("dashboard.view")
@api_operation(
    "Daily totals per quantity, per-device totals, quality flags and emissions",
    description="From the stored batches (local days in Asia/Tokyo). Emissions appear only "
                "where a valued grid factor is registered or given; ledger-backed figures "
                "(reductions, balances) are not part of this answer, only the ledger's state.",
    tags=["energy"],
    parameters=["devices",
                {"in": "query", "name": "start", "schema": {"type": "string", "format": "date"},
                 "description": "first local day (default: 30 days before end)"},
                {"in": "query", "name": "end", "schema": {"type": "string", "format": "date"},
                 "description": "last local day (default: the last day with data)"},
                "ef_grid", "ef_grid_source"],
    answers={200: response("series for the charts", {
        "application/json": {"$ref": "#/components/schemas/EnergyOverview"}})},
    problems={400: "invalid parameter (field, value, rule)",
              401: READ_UNAUTHENTICATED})
def energy_daily() -> dict[str, Any]:
    """Daily energy totals."""
    return energy_overview(g.api_user, request.args)
