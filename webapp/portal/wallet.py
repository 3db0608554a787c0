"""Wallet: the user's holdings, transfers and retirements from the read model, the ledger
lookup of one lot's holding and history as the user, and the write forms (transfer,
transfer-and-retire, retire, escrow, release) submitted as the user's own identity."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Blueprint, abort, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from werkzeug.wrappers import Response

from envalue.chaincode.domain.tokens.rules import require_id, require_text

from ..roles import allowed
from ..security import permission_required
from ..services import ledger
from ..services.readmodel import wallet_view
from ._ledger_page import render_ledger_page
from ._ledger_submit import certificate_links, last_result, page_forms, remember, submit
from .forms_ledger import EscrowForm, LedgerForm, ReleaseEscrowForm, RetireForm, TransferForm

blueprint = Blueprint("wallet", __name__, url_prefix="/wallet")

#: form name (also its input prefix) -> form class
FORMS: dict[str, type[LedgerForm]] = {
    "transfer": TransferForm, "retire": RetireForm, "escrow": EscrowForm,
    "release": ReleaseEscrowForm}


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
def certificate() -> tuple[str, int]:
    """The retirement certificate of `serial` (of a token lot or a credit batch).

    A certificate is built from the retirement record on the ledger; while the ledger
    cannot be reached this answers 503 with the reason instead of a document.
    """
    lot_id = request.args.get("lot_id", "").strip()
    batch_id = request.args.get("batch_id", "").strip()
    serial = request.args.get("serial", "").strip()
    source, field = (batch_id, "batch_id") if batch_id and not lot_id else (lot_id, "lot_id")
    require_id(source, field)
    require_text(serial, "serial")
    status = ledger.ledger_status(g.user)
    problem = None if not status.available else {
        "title": _("Not implemented"), "rule": "certificate_service_missing",
        "detail": _("The portal does not render certificates yet: it needs the retirement "
                    "record (tokens:retirements) and the consortium's issuing identity. "
                    "`envalue certificate render` renders one from the record.")}
    return render_template("ledger/certificate.html", ledger=status, problem=problem,
                           source=source, source_field=field, serial=serial), (
        503 if not status.available else 501)
