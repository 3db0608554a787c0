"""Energy data from the off-chain store: what the dashboard's charts draw."""

from __future__ import annotations

from typing import Any

from flask import g, request

from ...security import api_auth_required
from ...services.dashboard import energy_overview
from . import blueprint


@blueprint.get("/energy/daily")
@api_auth_required("dashboard.view")
def energy_daily() -> dict[str, Any]:
    """Daily energy totals.
    ---
    get:
      summary: Daily totals per quantity, per-device totals, quality flags and emissions
      description: >-
        From the stored batches (local days in Asia/Tokyo). Emissions appear only where a
        valued grid factor is registered or given; ledger-backed figures (reductions,
        balances) are not part of this answer, only the ledger's state.
      tags: [energy]
      security: [{bearer: []}]
      parameters:
        - devices
        - {in: query, name: start, schema: {type: string, format: date},
           description: 'first local day (default: 30 days before end)'}
        - {in: query, name: end, schema: {type: string, format: date},
           description: 'last local day (default: the last day with data)'}
        - ef_grid
        - ef_grid_source
      responses:
        200:
          description: series for the charts
          content:
            application/json:
              schema: {$ref: '#/components/schemas/EnergyOverview'}
        400:
          description: invalid parameter (field, value, rule)
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
        401:
          description: not signed in and no bearer token
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
    """
    return energy_overview(g.api_user, request.args)
