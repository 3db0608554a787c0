"""Credit programs: programs, monitoring reports and issued batches from the read model,
the ledger lookup of one report's review state as the user, and the write forms of the
program cycle — the operator's (create program, enroll site, open report, add lots,
submit, issue, release), the verifier's review, and credit transfer and retirement."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, g, redirect, request, url_for
from werkzeug.wrappers import Response

from ..security import permission_required
from ..services import ledger
from ..services.readmodel import credits_view
from ._ledger_page import render_ledger_page
from ._ledger_submit import certificate_links, last_result, page_forms, remember, submit
from .forms_ledger import (
    AddLotsForm,
    CreateProgramForm,
    EnrollSiteForm,
    LedgerForm,
    OpenReportForm,
    ReleaseReportForm,
    RetireCreditsForm,
    SettleReportForm,
    SubmitReportForm,
    TransferCreditsForm,
    VerifyReportForm,
)

blueprint = Blueprint("credits", __name__, url_prefix="/credits")

#: form name (also its input prefix and its POST path) -> form class
FORMS: dict[str, type[LedgerForm]] = {
    "program": CreateProgramForm, "enroll": EnrollSiteForm, "open": OpenReportForm,
    "lots": AddLotsForm, "submit": SubmitReportForm, "settle": SettleReportForm,
    "release": ReleaseReportForm, "verify": VerifyReportForm,
    "transfer": TransferCreditsForm, "retire": RetireCreditsForm}


def _page(status: int = 200, bound: dict[str, LedgerForm] | None = None) -> tuple[str, int]:
    get = request.method == "GET"
    report_id = request.args.get("report_id", "").strip() if get else ""
    query = (lambda: ledger.credit_report(g.user, report_id)) if report_id else None
    defaults = {"report_id": report_id,
                "program_id": request.args.get("program_id", "").strip() if get else "",
                "batch_id": request.args.get("batch_id", "").strip() if get else ""}
    html, code = render_ledger_page(
        "ledger/credits.html", query, report_id=report_id, readmodel=credits_view(g.user),
        forms=page_forms(FORMS, bound or {}, defaults), result=last_result() if get else None)
    return html, code if status == 200 else status


@blueprint.get("/")
@permission_required("credits.view")
def index() -> tuple[str, int]:
    return _page()


def _post(name: str, call: Callable[[LedgerForm], dict[str, Any]]) -> Response | tuple[str, int]:
    """Post form `name`; on success back to the page, showing the report it concerns."""
    form = FORMS[name](prefix=name)
    result, status = submit(form, lambda: call(form))
    if result is None:
        return _page(status, {name: form})
    links = certificate_links(result)
    report_id = form.data.get("report_id") or ""
    if report_id:
        links.insert(0, {"kind": "report", "label": report_id,
                         "href": url_for("credits.index", report_id=report_id)})
    remember(result, links)
    return redirect(url_for("credits.index", report_id=report_id or None), code=303)


@blueprint.post("/programs")
@permission_required("credits.program.manage")
def create_program() -> Response | tuple[str, int]:
    return _post("program", lambda f: ledger.create_program(g.user, f.body()))


@blueprint.post("/sites")
@permission_required("credits.program.manage")
def enroll_site() -> Response | tuple[str, int]:
    return _post("enroll", lambda f: ledger.enroll_site(g.user, f.text("program_id"),
                                                        f.body()))


@blueprint.post("/reports")
@permission_required("credits.program.manage")
def open_report() -> Response | tuple[str, int]:
    return _post("open", lambda f: ledger.open_report(g.user, f.body()))


@blueprint.post("/lots")
@permission_required("credits.program.manage")
def add_lots() -> Response | tuple[str, int]:
    return _post("lots", lambda f: ledger.add_lots(g.user, f.text("report_id"), f.body()))


@blueprint.post("/submit")
@permission_required("credits.program.manage")
def submit_report() -> Response | tuple[str, int]:
    return _post("submit", lambda f: ledger.submit_report(g.user, f.text("report_id")))


@blueprint.post("/settle")
@permission_required("credits.issue")
def settle_report() -> Response | tuple[str, int]:
    return _post("settle", lambda f: ledger.settle_report(g.user, f.text("report_id"),
                                                          f.body()))


@blueprint.post("/release")
@permission_required("credits.program.manage")
def release_report() -> Response | tuple[str, int]:
    return _post("release", lambda f: ledger.release_report(g.user, f.text("report_id"),
                                                            f.body()))


@blueprint.post("/verify")
@permission_required("credits.review")
def verify_report() -> Response | tuple[str, int]:
    return _post("verify", lambda f: ledger.verify_report(g.user, f.text("report_id"),
                                                          f.body()))


@blueprint.post("/transfer")
@permission_required("credits.trade")
def transfer_credits() -> Response | tuple[str, int]:
    return _post("transfer", lambda f: ledger.transfer_credits(g.user, f.body()))


@blueprint.post("/retire")
@permission_required("credits.retire")
def retire_credits() -> Response | tuple[str, int]:
    return _post("retire", lambda f: ledger.retire_credits(g.user, f.body()))
