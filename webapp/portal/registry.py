"""Equipment and meters: the registry's sites, equipment, meters and edge devices and the
methodology and factor versions with their governance state, listed from the read model;
the registration forms (`registry.manage`) and the governance forms (`registry.govern`),
each submitted as one ledger transaction signed by the user. Every device links to the
upload page (its operation data) and to the dashboard filtered to it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from ..roles import allowed
from ..security import permission_required
from ..services import registry
from ..services.ledger import ledger_status
from ._ledger_submit import last_result, page_forms, remember, submit
from .forms_ledger import LedgerForm
from .forms_registry import (
    ApproveFactorForm,
    ApproveMethodologyForm,
    EdgeDeviceForm,
    EquipmentForm,
    MeterForm,
    ProposeFactorForm,
    ProposeMethodologyForm,
    SiteForm,
)

blueprint = Blueprint("registry", __name__, url_prefix="/registry")

#: form name (also its input prefix) -> form class
FORMS: dict[str, type[LedgerForm]] = {
    "site": SiteForm, "equipment": EquipmentForm, "meter": MeterForm,
    "device": EdgeDeviceForm, "methodology": ProposeMethodologyForm,
    "mapprove": ApproveMethodologyForm, "factor": ProposeFactorForm,
    "fapprove": ApproveFactorForm}
#: query parameters that prefill the forms (e.g. "add equipment at this site")
_DEFAULTS = ("site_id", "equipment_id", "meter_ids")


def _page(status: int = 200, bound: dict[str, LedgerForm] | None = None) -> tuple[str, int]:
    get = request.method == "GET"
    defaults = {k: request.args.get(k, "").strip() if get else "" for k in _DEFAULTS}
    html = render_template(
        "registry/index.html", readmodel=registry.registry_view(g.user),
        ledger=ledger_status(g.user), forms=page_forms(FORMS, bound or {}, defaults),
        result=last_result() if get else None,
        may_upload=allowed(g.user.role, "ingest.upload"))
    return html, status


@blueprint.get("/")
@permission_required("registry.view")
def index() -> tuple[str, int]:
    return _page()


def _post(name: str, call: Callable[[LedgerForm], dict[str, Any]]) -> Response | tuple[str, int]:
    """Post form `name`; once committed, back to the page with the transaction shown."""
    form = FORMS[name](prefix=name)
    result, status = submit(form, lambda: call(form))
    if result is None:
        return _page(status, {name: form})
    remember(result, [])
    return redirect(url_for("registry.index"), code=303)


@blueprint.post("/sites")
@permission_required("registry.manage")
def register_site() -> Response | tuple[str, int]:
    return _post("site", lambda f: registry.register_site(g.user, f.body()))


@blueprint.post("/equipment")
@permission_required("registry.manage")
def register_equipment() -> Response | tuple[str, int]:
    return _post("equipment", lambda f: registry.register_equipment(g.user, f.body()))


@blueprint.post("/meters")
@permission_required("registry.manage")
def register_meter() -> Response | tuple[str, int]:
    return _post("meter", lambda f: registry.register_meter(g.user, f.body()))


@blueprint.post("/devices")
@permission_required("registry.manage")
def register_device() -> Response | tuple[str, int]:
    return _post("device", lambda f: registry.register_edge_device(g.user, f.body()))


@blueprint.post("/methodologies")
@permission_required("registry.govern")
def propose_methodology() -> Response | tuple[str, int]:
    return _post("methodology", lambda f: registry.propose_methodology(g.user, f.body()))


@blueprint.post("/methodologies/approve")
@permission_required("registry.govern")
def approve_methodology() -> Response | tuple[str, int]:
    return _post("mapprove", lambda f: registry.approve_methodology(
        g.user, f.text("name"), f.text("version")))


@blueprint.post("/factors")
@permission_required("registry.govern")
def propose_factor() -> Response | tuple[str, int]:
    return _post("factor", lambda f: registry.propose_factor(g.user, f.body()))


@blueprint.post("/factors/approve")
@permission_required("registry.govern")
def approve_factor() -> Response | tuple[str, int]:
    return _post("fapprove", lambda f: registry.approve_factor(
        g.user, f.text("series"), f.text("factor_id"), f.text("version")))
