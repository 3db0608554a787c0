"""What the dashboard shows: energy data from the off-chain store (the charts) and the
org's reductions and balances from the read model."""

from __future__ import annotations

from typing import Any

from flask import g, request

from ...security import api_auth_required
from ...services.dashboard import energy_overview
from ...services.ledger_figures import ledger_figures_view
from ...services.readmodel import lag_json
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


_STATE_TOTALS = {"type": "object", "additionalProperties": {"type": "object", "properties": {
    "count": {"type": "integer"}, "kg": {"type": "integer"}}}}
_FIGURES = {"type": "object", "properties": {
    "org": {"type": "string", "description": "the MSP id summed ('' = every org)"},
    "verified_reduction_kg": {"type": "integer"},
    "reductions": _STATE_TOTALS,
    "verified_by_site": {"type": "array", "items": {"type": "object", "properties": {
        "site_id": {"type": "string"}, "kg": {"type": "integer"}}}},
    "tokens_kg": {"type": "object", "additionalProperties": {"type": "integer"}},
    "credits_t": {"type": "object", "additionalProperties": {"type": "integer"}},
    "read_model": {"type": "object"}}}


@blueprint.get("/dashboard/ledger-figures")
@api_auth_required("dashboard.view")
@api_operation(
    "Reductions by calculation state and by site, token kg by state, credit tonnes",
    description="Sums over the read model for your organisation (operators, verifiers and "
                "auditors: every organisation), with the read model's lag.",
    tags=["energy"],
    answers={200: response("the sums", {"application/json": _FIGURES})},
    problems={401: READ_UNAUTHENTICATED})
def ledger_figures() -> dict[str, Any]:
    """The dashboard's ledger figures."""
    view = ledger_figures_view(g.api_user)
    return {**view.lists["figures"].to_dict(),
            "read_model": lag_json(view.lag)}
