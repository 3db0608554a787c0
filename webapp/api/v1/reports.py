"""Reports: the GHG inventory and the KPI report, as JSON, CSV or PDF."""

from __future__ import annotations

from typing import Any

from flask import Response, g, request

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
    **{f"fuel_type_{q}": _q(f"fuel_type_{q}", {"type": "string", "enum": list(keys)},
                            f"fuel burnt, for metered {q} (factor set jp-fuel-ordinance-table1)")
       for q, keys in FUEL_CHOICES.items()},
    "electricity_quantities": _q(
        "electricity_quantities",
        {"type": "array", "items": {"type": "string", "enum": list(KWH_QUANTITIES)}},
        "scope 2 electricity quantities (default: grid-side quantities when metered, "
        "else electricity)", style="form", explode=True),
    "ef_grid": _q("ef_grid", _FACTOR, "grid factor t-CO2/kWh to apply (default: the "
                                      "registered factor of the fiscal year)"),
    "ef_grid_source": _q("ef_grid_source", _TEXT, "where the entered grid factor comes from"),
    "ef_market": _q("ef_market", _FACTOR, "market-based factor t-CO2/kWh (default: ef_grid)"),
    "ef_market_source": _q("ef_market_source", _TEXT, "source of ef_market"),
    "certificates_kwh": _q("certificates_kwh", _DECIMAL,
                           "renewable certificates retired for the site and period (kWh)"),
    "format": _q("format", {"type": "string", "enum": list(_FORMATS), "default": "json"},
                 "json, csv or pdf"),
}
_FIGURE = {"type": "integer", "nullable": True}
SCHEMAS: dict[str, dict[str, Any]] = {
    "GhgReport": {"type": "object", "properties": {
        "report": {"type": "string"}, "period": {"type": "object"},
        "figures": {"type": "object", "properties": {
            k: _FIGURE for k in ("scope1_kg", "scope2_location_kg", "scope2_market_kg",
                                 "emissions_kg")}},
        "not_computed": {"type": "object", "additionalProperties": {"type": "string"}},
        "factors": {"type": "array", "items": {"type": "object"}},
        "batches": {"type": "array", "items": {"type": "object"}},
        "ledger": {"type": "object"}, "trace": {"type": "object"}}},
    "KpiReport": {"type": "object", "properties": {
        "report": {"type": "string"}, "period": {"type": "object"},
        "baseline": {"type": "object"},
        "kpis": {"type": "array", "items": {"type": "object", "properties": {
            "key": {"type": "string"}, "unit": {"type": "string"},
            "current": {"type": "string", "nullable": True},
            "baseline": {"type": "string", "nullable": True},
            "change_pct": {"type": "string", "nullable": True},
            "definition": {"type": "string"}}}}}},
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
             403: "the role may not read reports"}
_COMMON = ("devices", "organisation", "site", "fuel_type_fuel", "fuel_type_fuel_gas",
           "fuel_type_fuel_mass", "electricity_quantities", "ef_grid", "ef_grid_source")


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
                "totals; lists the batches and factor versions used. Reductions and "
                "retirements are ledger records and carry the ledger's state instead of "
                "figures.",
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
                "acceptance, each with its definition, from the off-chain store.",
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
