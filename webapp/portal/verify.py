"""Public certificate verification (no sign-in): by id (the certificate's QR code opens
``/verify/<id>``, looked up in the read model), or by uploading the signed JSON."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template, request

from .. import audit
from ..db import get_session
from ..errors import PortalError
from ..extensions import limiter
from ..forms import VerifyForm
from ..gateway import gateway
from ..services.certificates import external_base_url, readmodel_view
from ..services.verify import check_certificate_id, lookup, trusted_cas, verify_document
from .forms_ledger import PURPOSE_LABELS

blueprint = Blueprint("verify", __name__, url_prefix="/verify")


def _verify_upload(form: VerifyForm) -> tuple[dict | None, dict | None]:
    if not form.validate_on_submit():
        return None, None
    try:
        result = verify_document(form.file.data.read(),
                                 trusted_cas(current_app.config, gateway()))
    except PortalError as exc:
        return None, exc.to_problem()
    audit.record(get_session(), actor="public", action="certificate.verify",
                 target=str(result.get("certificate_id") or ""),
                 outcome="ok" if result["valid"] else "failed",
                 detail="; ".join(result["reasons"])[:2000])
    return result, None


#: public and unauthenticated: bound the verification work one address can ask for
_POST_LIMIT = "60 per minute"


@blueprint.route("/", methods=["GET", "POST"])
@limiter.limit(_POST_LIMIT, methods=["POST"])
def index() -> tuple[str, int]:
    form = VerifyForm()
    result, problem = _verify_upload(form)
    return render_template("verify/index.html", form=form, result=result, problem=problem,
                           certificate_id=None, found=None, lookup_problem=None,
                           readmodel=None, purpose_labels=PURPOSE_LABELS), (
        200 if problem is None else 400)


@blueprint.route("/<certificate_id>", methods=["GET", "POST"])
@limiter.limit(_POST_LIMIT, methods=["POST"])
def certificate(certificate_id: str) -> tuple[str, int]:
    check_certificate_id(certificate_id)
    form = VerifyForm()
    result, problem = _verify_upload(form)
    found, lookup_problem, readmodel, status = None, None, None, 200
    try:
        found = lookup(certificate_id, portal_base=external_base_url(current_app.config))
    except PortalError as exc:
        lookup_problem, readmodel = exc.to_problem(), readmodel_view()
        if request.method == "GET":  # a posted document is still checked and shown
            status = exc.http_status
    mismatch = bool(result and result.get("certificate_id") not in (None, certificate_id))
    return render_template("verify/index.html", form=form, result=result, problem=problem,
                           certificate_id=certificate_id, found=found,
                           lookup_problem=lookup_problem, readmodel=readmodel,
                           mismatch=mismatch, purpose_labels=PURPOSE_LABELS), (
        status if problem is None else 400)
