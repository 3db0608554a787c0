"""Wallet: the user's holdings, transfers and retirements from the read model, the ledger
lookup of one lot's holding and history as the user, and the write forms (transfer,
transfer-and-retire, retire, escrow, release) submitted as the user's own identity."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from werkzeug.wrappers import Response

from envalue.chaincode.domain.tokens.rules import require_id, require_text

from .. import audit
from ..db import PortalUser, get_session
from ..errors import PortalError, problem_response
from ..roles import allowed
from ..security import permission_required
from ..services import certificates, ledger
from ..services.readmodel import wallet_view
from ._ledger_page import render_ledger_page
from ._ledger_submit import certificate_links, last_result, page_forms, remember, submit
from .forms_ledger import (
    PURPOSE_LABELS,
    EscrowForm,
    LedgerForm,
    ReleaseEscrowForm,
    RetireForm,
    TransferForm,
)

blueprint = Blueprint("wallet", __name__, url_prefix="/wallet")

#: form name (also its input prefix) -> form class
FORMS: dict[str, type[LedgerForm]] = {
    "transfer": TransferForm, "retire": RetireForm, "escrow": EscrowForm,
    "release": ReleaseEscrowForm}
#: what `/wallet/certificate` answers with
CERTIFICATE_FORMATS = ("html", "pdf", "json")


def _page(status: int = 200, bound: dict[str, LedgerForm] | None = None) -> tuple[str, int]:
    lot_id = request.args.get("lot_id", "").strip() if request.method == "GET" else ""
    owner = request.args.get("owner", "").strip() if request.method == "GET" else ""
    query = (lambda: {"holding": ledger.lot_holding(g.user, lot_id, owner),
                      "history": ledger.lot_history(g.user, lot_id, owner)}) if lot_id else None
    html, code = render_ledger_page(
        "ledger/wallet.html", query, lot_id=lot_id, owner=owner,
        readmodel=wallet_view(g.user), forms=page_forms(FORMS, bound or {}, {"lot_id": lot_id}),
        result=last_result() if request.method == "GET" else None)
    return html, code if status == 200 else status


@blueprint.get("/")
@permission_required("wallet.view")
def index() -> tuple[str, int]:
    return _page()


def _post(name: str, form: LedgerForm, call: Callable[[], dict[str, Any]],
          lot_id: str) -> Response | tuple[str, int]:
    result, status = submit(form, call)
    if result is None:
        return _page(status, {name: form})
    events = result.get("events", ())
    lot_id = next((str(e["attributes"]["lot_id"]) for e in events
                   if (e.get("attributes") or {}).get("lot_id")), lot_id)
    links = [{"kind": "history", "label": lot_id,
              "href": url_for("wallet.index", lot_id=lot_id)}] if lot_id else []
    links += certificate_links(result)
    remember(result, links)
    return redirect(url_for("wallet.index", lot_id=lot_id) if lot_id else url_for(
        "wallet.index"), code=303)


@blueprint.post("/transfer")
@permission_required("wallet.transfer")
def transfer() -> Response | tuple[str, int]:
    form = TransferForm(prefix="transfer")
    if form.retire.data and not allowed(g.user.role, "wallet.retire"):
        abort(403, description=f"your role ({g.user.role}) may not retire tokens")
    return _post("transfer", form, lambda: ledger.transfer_tokens(g.user, form.body()),
                 (form.lot_id.data or "").strip())


@blueprint.post("/retire")
@permission_required("wallet.retire")
def retire() -> Response | tuple[str, int]:
    form = RetireForm(prefix="retire")
    return _post("retire", form, lambda: ledger.retire_tokens(g.user, form.body()),
                 (form.lot_id.data or "").strip())


@blueprint.post("/escrow")
@permission_required("wallet.escrow")
def escrow() -> Response | tuple[str, int]:
    form = EscrowForm(prefix="escrow")
    return _post("escrow", form, lambda: ledger.escrow_tokens(g.user, form.body()),
                 (form.lot_id.data or "").strip())


@blueprint.post("/release")
@permission_required("wallet.escrow")
def release() -> Response | tuple[str, int]:
    form = ReleaseEscrowForm(prefix="release")
    return _post("release", form, lambda: ledger.release_escrow(
        g.user, (form.escrow_id.data or "").strip(), form.body()), "")


@blueprint.get("/certificate")
@permission_required("wallet.view")
def certificate() -> Response | tuple[str, int]:
    """The retirement certificate of `serial` (of a token lot or a credit batch), built
    from the read model's copy of the retirement record (`services.certificates`):
    ``format=pdf`` the PDF, ``format=json`` the signed JSON, else a summary page with both
    links. Not in the read model: 404 with its lag; someone else's: 403."""
    lot_id = request.args.get("lot_id", "").strip()
    batch_id = request.args.get("batch_id", "").strip()
    serial = request.args.get("serial", "").strip()
    source, field = (batch_id, "batch_id") if batch_id and not lot_id else (lot_id, "lot_id")
    require_id(source, field)
    require_text(serial, "serial")
    fmt = request.args.get("format", "html").strip() or "html"
    if fmt not in CERTIFICATE_FORMATS:
        raise PortalError(f"one of {', '.join(CERTIFICATE_FORMATS)}", field="format",
                          value=fmt, rule="enum")
    try:
        if fmt == "html":
            page = certificates.certificate_page(g.user, (field, source), serial)
            return render_template("ledger/certificate.html", page=page, cert=page.certificate,
                                   readmodel=page.readmodel, problem=page.signer_problem,
                                   source=source, source_field=field, serial=serial,
                                   purpose_labels=PURPOSE_LABELS), 200
        return certificate_download(g.user, (field, source), serial, fmt)
    except PortalError as exc:
        if fmt == "json":
            return problem_response(exc.to_problem(), exc.http_status)
        return render_template("ledger/certificate.html", page=None, cert=None,
                               readmodel=certificates.readmodel_view(),
                               problem=exc.to_problem(), source=source, source_field=field,
                               serial=serial, purpose_labels=PURPOSE_LABELS), exc.http_status


def certificate_download(user: PortalUser, source: certificates.Source, serial: str,
                         fmt: str) -> Response:
    """The signed certificate as a download, ``fmt`` ``pdf`` or ``json`` (this page's and
    the API's), with the audit entry of who was issued which certificate; the refusals of
    `services.certificates.retirement_certificate` propagate."""
    issued = certificates.retirement_certificate(user, source, serial, with_pdf=fmt == "pdf")
    cert_id = issued.certificate.certificate_id
    audit.record(get_session(), actor=user.username, msp_id=user.msp_id,
                 action="certificate.issue", target=cert_id, outcome="ok",
                 detail=f"{serial} ({fmt})")
    if fmt == "pdf":
        body, mimetype = issued.pdf, "application/pdf"
    else:
        body = json.dumps(issued.envelope, ensure_ascii=False, indent=2, sort_keys=True) + "\n"
        mimetype = "application/json"
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f'attachment; filename="{cert_id}.{fmt}"'})
