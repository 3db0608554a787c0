"""Reports: the GHG inventory and the KPI report, as JSON, CSV or PDF."""

from __future__ import annotations

from typing import Any

from flask import Response, g, request

from envalue.readmodel.project_registry import CALCULATION_STATES

from ...errors import PortalError
from ...reports.csv_export import render_ghg_csv, render_kpi_csv
from ...reports.factors import FUEL_CHOICES
from ...reports.pdf import render_ghg_pdf, render_kpi_pdf
from ...security import api_auth_required
from ...services.reports import KWH_QUANTITIES, ghg_report, kpi_report
from ..operation import READ_UNAUTHENTICATED, api_operation, response
from . import blueprint

_FORMATS = ("json", "csv", "pdf")
_DECIMAL = {"type": "string", "pattern": r"^[0-9]{1,12}(\.[0-9]{1,12})?$"}
_NUMBER = r"[0-9]{1,6}(\.[0-9]{1,12})?"
_FACTOR = {"type": "string", "pattern": f"^{_NUMBER}([*/]{_NUMBER})*$", "example": "0.000441"}
_TEXT = {"type": "string", "maxLength": 200}
_OUTPUT = {"type": "string", "pattern": r"^[0-9]+(\.[0-9]+)?$"}


def _q(name: str, schema: dict[str, Any], description: str, **extra: Any) -> dict[str, Any]:
    return {"in": "query", "name": name, "schema": schema, "description": description,
            **extra}


#: Query parameters shared by the reports and the energy API (OpenAPI components).
PARAMETERS: dict[str, dict[str, Any]] = {
    "start": _q("start", {"type": "string", "format": "date"},
                "first local day (Asia/Tokyo)", required=True),
    "end": _q("end", {"type": "string", "format": "date"}, "last local day (inclusive)",
              required=True),
    "devices": _q("devices", {"type": "array", "items": {"type": "string", "maxLength": 200}},
                  "device ids (repeat or comma-separate); default: every stored device",
                  style="form", explode=True),
    "organisation": _q("organisation", _TEXT, "printed on the report"),
    "site": _q("site", _TEXT, "printed on the report (the site/device mapping is a ledger "
                              "registry record)"),
    "owner_msp": _q("owner_msp", {"type": "string", "maxLength": 200},
                    "ledger records (reductions, retirements) of this organisation's MSP id; "
                    "default: every org for roles that oversee all (operator, verifier, "
                    "auditor), the user's own org otherwise, which may name only itself"),
    "site_id": _q("site_id", {"type": "string", "maxLength": 200},
                  "ledger records of this registered site only (calculations of the site, "
                  "retirements of lots minted for it; credit retirements are then not "
                  "listed, being attributed to no site)"),
    **{f"fuel_type_{q}": _q(f"fuel_type_{q}", {"type": "string", "enum": list(keys)},
                            f"fuel burnt, for metered {q} (factor set jp-fuel-ordinance-table1)")
       for q, keys in FUEL_CHOICES.items()},
    "electricity_quantities": _q(
        "electricity_quantities",
        {"type": "array", "items": {"type": "string", "enum": list(KWH_QUANTITIES)}},
        "scope 2 electricity quantities (default: grid-side quantities when metered, "
        "else electricity)", style="form", explode=True),
    "ef_grid": _q("ef_grid", _FACTOR, "grid factor t-CO2/kWh to apply (default: the "
                                      "jp-grid factor version active on the ledger for the "
                                      "whole period, from the read model; else the registered "
                                      "factor of the fiscal year)"),
    "ef_grid_source": _q("ef_grid_source", _TEXT, "where the entered grid factor comes from"),
    "ef_market": _q("ef_market", _FACTOR, "market-based factor t-CO2/kWh (default: ef_grid)"),
    "ef_market_source": _q("ef_market_source", _TEXT, "source of ef_market"),
    "certificates_kwh": _q("certificates_kwh", _DECIMAL,
                           "renewable certificates retired for the site and period (kWh)"),
    "format": _q("format", {"type": "string", "enum": list(_FORMATS), "default": "json"},
                 "json, csv or pdf"),
}
_FIGURE = {"type": "integer", "nullable": True}
_STR = {"type": "string"}
_NSTR = {"type": "string", "nullable": True}
_INT = {"type": "integer"}
_REF = {"tx_id": _STR, "block_number": _INT}
_FACTOR_ROW = {"type": "object", "properties": {
    "factor": _STR, "value": _STR, "unit": _STR, "source": _STR,
    "version": {"type": "string", "description": "series/factor_id@version for a ledger "
                                                  "factor version"},
    "note": _STR, "tx_id": {**_NSTR, "description": "the ledger factor version's record"},
    "block_number": {"type": "integer", "nullable": True}}}
_REDUCTION = {"type": "object", "properties": {
    "calculation_id": _STR, "equipment_id": _STR, "site_id": _STR, "owner_msp": _STR,
    "period_start": _STR, "period_end": _STR, "methodology": _STR,
    "methodology_version": _STR, "factor_versions": {"type": "array", "items": _STR},
    "state": {"type": "string", "enum": list(CALCULATION_STATES)},
    "verified": {"type": "boolean"}, "reduction_kg": _FIGURE, "lot_id": _NSTR, **_REF}}
_RETIREMENT = {"type": "object", "properties": {
    "kind": {"type": "string", "enum": ["token", "credit"]}, "serial": _STR,
    "lot_id": _NSTR, "batch_id": _NSTR, "owner_msp": _STR, "quantity_kg": _INT,
    "quantity_t": _FIGURE, "beneficiary": _STR, "purpose": _STR, "detail": _STR,
    "reporting_year": _INT, "retired_at": _STR, "certificate_id": _NSTR, **_REF}}
SCHEMAS: dict[str, dict[str, Any]] = {
    "ReportLedger": {
        "type": "object",
        "description": "Reductions and retirements of the period from the read model (no "
                       "peer contacted), with its lag; totals are null while it is empty.",
        "properties": {
            "source": {"type": "string", "enum": ["read-model"]},
            "scope": {"type": "object", "properties": {"owner_msp": _NSTR, "site_id": _NSTR}},
            "read_model": {"type": "object", "description": "lag: projected_blocks, "
                           "channel_height, behind_blocks, state, notices …"},
            "ledger_unavailable": {**_NSTR, "description": "the Gateway's reason while the "
                                                          "ledger cannot be reached"},
            "status": {"type": "array", "items": _STR},
            "reductions": {"type": "object", "properties": {
                "verified_kg": _FIGURE,
                "verified_states": {"type": "array", "items": _STR}, "rule": _STR,
                "count_by_state": {"type": "object", "additionalProperties": _INT},
                "rows": {"type": "array", "items": _REDUCTION},
                "straddling": {"type": "array", "items": _REDUCTION}}},
            "retirements": {"type": "object", "properties": {
                "total_kg": _FIGURE, "rule": _STR,
                "rows": {"type": "array", "items": _RETIREMENT}}}}},
    "GhgReport": {"type": "object", "properties": {
        "report": {"type": "string"}, "period": {"type": "object"},
        "figures": {"type": "object", "properties": {
            k: _FIGURE for k in ("scope1_kg", "scope2_location_kg", "scope2_market_kg",
                                 "emissions_kg")}},
        "not_computed": {"type": "object", "additionalProperties": {"type": "string"}},
        "factors": {"type": "array", "items": _FACTOR_ROW},
        "batches": {"type": "array", "items": {"type": "object"}},
        "ledger": {"$ref": "#/components/schemas/ReportLedger"},
        "trace": {"type": "object"}}},
    "KpiReport": {"type": "object", "properties": {
        "report": {"type": "string"}, "period": {"type": "object"},
        "baseline": {"type": "object"},
        "kpis": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "unit": {"type": "string"},
            "current": {"type": "string", "nullable": True},
            "baseline": {"type": "string", "nullable": True},
            "change_pct": {"type": "string", "nullable": True},
            "definition": {"type": "string"}}}},
        "factors": {"type": "array", "items": _FACTOR_ROW},
        "ledger": {"$ref": "#/components/schemas/ReportLedger"}}},
    "EnergyOverview": {"type": "object", "properties": {
        "period": {"type": "object"}, "days": {"type": "array", "items": {"type": "string"}},
        "series": {"type": "array", "items": {"type": "object"}},
        "quality": {"type": "object"}, "emissions": {"type": "object"},
        "ledger": {"type": "object"}}},
}


def _format() -> str:
    fmt = request.args.get("format", "json")
    if fmt not in _FORMATS:
        raise PortalError(f"one of {', '.join(_FORMATS)}", field="format", value=fmt,
                          rule="choice")
    return fmt


def _download(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


_REFUSALS = {400: "invalid parameter (field, value, rule)", 401: READ_UNAUTHENTICATED,
             403: "the role may not read reports, or owner_msp names another org than the "
                  "user's (rule own_org)"}
_COMMON = ("devices", "organisation", "site", "owner_msp", "site_id", "fuel_type_fuel",
           "fuel_type_fuel_gas", "fuel_type_fuel_mass", "electricity_quantities", "ef_grid",
           "ef_grid_source")


def _report_answer(description: str, schema: str) -> dict[str, Any]:
    return response(description, {
        "application/json": {"$ref": f"#/components/schemas/{schema}"},
        "text/csv": {"type": "string"},
        "application/pdf": {"type": "string", "format": "binary"}})


@blueprint.get("/reports/ghg")
@api_auth_required("reports.view")
@api_operation(
    "GHG inventory (scope 1, scope 2 location/market) of a period from stored batches",
    description="Computed with the inventory v1 methodology from the off-chain batch "
                "totals; lists the batches and factor versions used (the grid factor "
                "preferably the version governance activated on the ledger). Reductions "
                "(calculations of the period; approved and minted ones totalled) and "
                "retirements (token and credit retirements made in the period, credits "
                "at 1000 kg per tonne) come from the read model, with its lag.",
    tags=["reports"],
    parameters=["start", "end", *_COMMON, "ef_market", "ef_market_source",
                "certificates_kwh", "format"],
    answers={200: _report_answer("the report (JSON, or the CSV/PDF download with "
                                 "format=csv|pdf)", "GhgReport")},
    problems=_REFUSALS)
def report_ghg() -> Any:
    """GHG inventory report."""
    fmt = _format()
    report = ghg_report(g.api_user, request.args)
    stem = f"ghg-{report.request.window.first}-{report.request.window.last}"
    if fmt == "csv":
        return _download(render_ghg_csv(report), "text/csv", f"{stem}.csv")
    if fmt == "pdf":
        return _download(render_ghg_pdf(report), "application/pdf", f"{stem}.pdf")
    return report.to_dict()


@blueprint.get("/reports/kpi")
@api_auth_required("reports.view")
@api_operation(
    "KPIs for sustainability-linked loans and green bonds, period vs baseline",
    description="Emissions, intensity per kWh (and per GJ heat or per unit of output), "
                "change vs the baseline period, renewable share, data coverage and reading "
                "acceptance, each with its definition, from the off-chain store; the "
                "period's ledger section (reductions, retirements) as in the GHG report.",
    tags=["reports"],
    parameters=["start", "end",
                _q("baseline_start", {"type": "string", "format": "date"},
                   "default: start one year earlier"),
                _q("baseline_end", {"type": "string", "format": "date"},
                   "default: end one year earlier"),
                _q("output", _OUTPUT, "units of output in the period"),
                _q("baseline_output", _OUTPUT, "units of output in the baseline period"),
                {"in": "query", "name": "output_unit", "schema": _TEXT},
                *_COMMON, "format"],
    answers={200: _report_answer("the KPI report (JSON, or CSV/PDF with format=csv|pdf)",
                                 "KpiReport")},
    problems=_REFUSALS)
def report_kpi() -> Any:
    """KPI report."""
    fmt = _format()
    report = kpi_report(g.api_user, request.args)
    window = report.current.window
    stem = f"kpi-{window.first}-{window.last}"
    if fmt == "csv":
        return _download(render_kpi_csv(report), "text/csv", f"{stem}.csv")
    if fmt == "pdf":
        return _download(render_kpi_pdf(report), "application/pdf", f"{stem}.pdf")
    return report.to_dict()
