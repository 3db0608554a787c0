"""Calculations: the calculations of the user's (or every) org from the read model with
their state, inputs and ledger position, the stored batches awaiting anchoring with the
header their device signs, and the write forms — anchor a device-signed batch and
calculate (the equipment owner's org), approve or reject (a verifier), mint (a Platform
operator) — each submitted as one ledger transaction signed by the user."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..roles import allowed
from ..security import permission_required
from ..services import calculations
from ..services.ledger import ledger_status
from ._ledger_submit import last_result, page_forms, remember, submit
from .forms_calculations import (
    AnchorBatchForm,
    ApproveCalculationForm,
    CalculateForm,
    MintForm,
    RejectCalculationForm,
)
from .forms_ledger import LedgerForm

blueprint = Blueprint("calculations", __name__, url_prefix="/calculations")

#: form name (also its input prefix) -> form class
FORMS: dict[str, type[LedgerForm]] = {
    "anchor": AnchorBatchForm, "calculate": CalculateForm,
    "approve": ApproveCalculationForm, "reject": RejectCalculationForm, "mint": MintForm}
#: query parameters that prefill the forms (links "review", "mint", "anchor this batch")
_DEFAULTS = ("calculation_id", "equipment_id", "supersedes", "batch_id", "meter_id")


def _page(status: int = 200, bound: dict[str, LedgerForm] | None = None) -> tuple[str, int]:
    get = request.method == "GET"
    defaults = {k: request.args.get(k, "").strip() if get else "" for k in _DEFAULTS}
    state = request.args.get("state", "").strip() if get else ""
    html = render_template(
        "ledger/calculations.html",
        readmodel=calculations.calculations_view(g.user, state, with_pending=True),
        ledger=ledger_status(g.user), forms=page_forms(FORMS, bound or {}, defaults),
        result=last_result() if get else None, selected=defaults["calculation_id"],
        state=state, states=calculations.STATES, may_trace=allowed(g.user.role, "trace.view"))
    return html, status


@blueprint.get("/")
@permission_required("calculations.view")
def index() -> tuple[str, int]:
    return _page()


def _event_value(result: dict[str, Any], name: str) -> str:
    """The first `name` attribute of the committed transaction's events, or ``""``."""
    return next((str(e["attributes"][name]) for e in result.get("events", ())
                 if (e.get("attributes") or {}).get(name)), "")


def _post(name: str, call: Callable[[LedgerForm], dict[str, Any]]) -> Response | tuple[str, int]:
    """Post form `name`; once committed, back to the page with the transaction shown and
    links to the calculation it concerns and, once minted, to the lot's trace."""
    form = FORMS[name](prefix=name)
    result, status = submit(form, lambda: call(form))
    if result is None:
        return _page(status, {name: form})
    calculation_id = _event_value(result, "calculation_id") or form.text("calculation_id")
    links = []
    if calculation_id:
        links.append({"kind": "calculation", "label": calculation_id,
                      "href": url_for("calculations.index", calculation_id=calculation_id,
                                      _anchor=calculation_id)})
    lot_id = _event_value(result, "lot_id")
    if lot_id and allowed(g.user.role, "trace.view"):
        links.append({"kind": "trace", "label": lot_id,
                      "href": url_for("trace.index", q=lot_id)})
    remember(result, links)
    return redirect(url_for("calculations.index", calculation_id=calculation_id or None),
                    code=303)


@blueprint.post("/anchor")
@permission_required("calculations.anchor")
def anchor() -> Response | tuple[str, int]:
    return _post("anchor", lambda f: calculations.anchor(g.user, f.body()))


@blueprint.post("/calculate")
@permission_required("calculations.calculate")
def calculate() -> Response | tuple[str, int]:
    return _post("calculate", lambda f: calculations.calculate(g.user, f.body()))


@blueprint.post("/approve")
@permission_required("calculations.review")
def approve() -> Response | tuple[str, int]:
    return _post("approve", lambda f: calculations.approve(
        g.user, f.text("calculation_id"), f.body()))


@blueprint.post("/reject")
@permission_required("calculations.review")
def reject() -> Response | tuple[str, int]:
    return _post("reject", lambda f: calculations.reject(
        g.user, f.text("calculation_id"), f.body()))


@blueprint.post("/mint")
@permission_required("calculations.mint")
def mint() -> Response | tuple[str, int]:
    return _post("mint", lambda f: calculations.mint(
        g.user, f.text("calculation_id"), f.body()))


@blueprint.get("/header")
@permission_required("calculations.anchor")
def header() -> Response:
    """The exact canonical header bytes of a stored batch, to be signed by its device."""
    batch_id = request.args.get("batch_id", "").strip()
    meter_id = request.args.get("meter_id", "").strip()
    body = calculations.header_bytes(g.user, batch_id, meter_id)
    return Response(body, mimetype="application/octet-stream", headers={
        "Content-Disposition": f'attachment; filename="{batch_id[:16]}.header"'})
