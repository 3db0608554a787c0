"""Reports page: the GHG inventory and KPI report form, the report, PDF/CSV downloads.

Routes stay thin: each parses nothing itself and passes ``request.args`` with the acting
user to `webapp.services.reports`; a refused parameter is shown on the form (400).
The form uses GET: reports only read, and the query string is the report's permalink.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, g, render_template, request

from envalue.chaincode.domain.errors import DomainError

from ..errors import PortalError
from ..reports.csv_export import render_ghg_csv, render_kpi_csv
from ..reports.factors import FUEL_CHOICES
from ..reports.pdf import render_ghg_pdf, render_kpi_pdf
from ..security import permission_required
from ..services.reports import (
    KWH_QUANTITIES,
    ghg_report,
    kpi_report,
    ledger_choices,
    stored_devices,
)

blueprint = Blueprint("reports", __name__, url_prefix="/reports")


def _download(body: bytes, mimetype: str, name: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})


@blueprint.get("/")
@permission_required("reports.view")
def index() -> tuple[str, int]:
    kind = request.args.get("report", "ghg")
    ghg, kpi, problem, status = None, None, None, 200
    if request.args.get("start") or request.args.get("end"):
        try:
            if kind == "kpi":
                kpi = kpi_report(g.user, request.args)
            else:
                ghg = ghg_report(g.user, request.args)
        except PortalError as exc:
            problem, status = exc.to_problem(), exc.http_status
        except DomainError as exc:  # a factor text the exact-number reader refused
            problem = {"title": "Invalid input", "detail": exc.message, "field": exc.field,
                       "value": exc.to_dict()["value"], "rule": exc.rule}
            status = exc.http_status
    query = request.query_string.decode()
    context: dict[str, Any] = {
        "ghg": ghg, "kpi": kpi, "problem": problem, "kind": kind, "args": request.args,
        "devices": stored_devices(g.user), "fuel_choices": FUEL_CHOICES,
        "kwh_quantities": KWH_QUANTITIES, "query": query,
        "ledger_scope": ledger_choices(g.user),
    }
    return render_template("reports/index.html", **context), status


@blueprint.get("/ghg.pdf")
@permission_required("reports.view")
def ghg_pdf() -> Response:
    report = ghg_report(g.user, request.args)
    return _download(render_ghg_pdf(report), "application/pdf",
                     f"ghg-{report.request.window.first}-{report.request.window.last}.pdf")


@blueprint.get("/ghg.csv")
@permission_required("reports.view")
def ghg_csv() -> Response:
    report = ghg_report(g.user, request.args)
    return _download(render_ghg_csv(report), "text/csv",
                     f"ghg-{report.request.window.first}-{report.request.window.last}.csv")


@blueprint.get("/kpi.pdf")
@permission_required("reports.view")
def kpi_pdf() -> Response:
    report = kpi_report(g.user, request.args)
    window = report.current.window
    return _download(render_kpi_pdf(report), "application/pdf",
                     f"kpi-{window.first}-{window.last}.pdf")


@blueprint.get("/kpi.csv")
@permission_required("reports.view")
def kpi_csv() -> Response:
    report = kpi_report(g.user, request.args)
    window = report.current.window
    return _download(render_kpi_csv(report), "text/csv", f"kpi-{window.first}-{window.last}.csv")
