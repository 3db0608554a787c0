"""Retirement certificates: the signed JSON or PDF of a retirement for its holder (the
wallet's ``/wallet/certificate``), and verification for anyone (no sign-in), like the
public page.

The download is the wallet page's own (`webapp.portal.wallet.certificate_download`): the
read model's copy of the retirement, signed by ``CERTIFICATE_SIGNER``, for the holder that
retired it and the Platform org's operators (403 for anyone else), with its audit entry.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import current_app, g, request
from werkzeug.wrappers import Response

from envalue.chaincode.domain.tokens.rules import MAX_TEXT_LENGTH, require_id, require_text

from ...errors import PortalError
from ...gateway import gateway
from ...portal.wallet import certificate_download
from ...security import api_auth_required
from ...services.certificates import Source
from ...services.verify import trusted_cas, verify_document
from ..operation import READ_UNAUTHENTICATED, api_operation, response
from . import blueprint
from .tokens import ID

#: what the download answers with (the wallet page's ``format``, less its HTML summary)
FORMATS = ("json", "pdf")
_SIGNED = {"type": "object", "required": ["certificate", "signature"], "properties": {
    "certificate": {"type": "object", "description": "the certificate: schema, id, holder, "
                                                     "serial ranges, ledger tx and block, "
                                                     "verification URL"},
    "signature": {"type": "object", "description": "alg, value, signer_cert, msp_id, "
                                                   "field_digests, field_digests_value"}}}


def _download(source_field: str, what: str) -> Callable[[Any], Any]:
    """The OpenAPI operation of a certificate download whose source is `source_field`."""
    return api_operation(
        f"The signed certificate of a {what} retirement (JSON or PDF)",
        description="Built from the read model's copy of the retirement record (no peer) "
                    "and signed by the portal's issuing identity: the signed JSON envelope "
                    "(`format=json`, verifiable offline against the consortium's CAs) or the "
                    "PDF with its QR code (`format=pdf`). Only the holder that retired the "
                    "units and the Platform org's operators may download it; each download "
                    "is written to the audit log.",
        tags=["certificates"],
        parameters=[{"in": "path", "name": source_field, "required": True, "schema": ID},
                    {"in": "path", "name": "serial", "required": True,
                     "schema": {"type": "string", "minLength": 1,
                                "maxLength": MAX_TEXT_LENGTH},
                     "description": "the retirement's serial range"},
                    {"in": "query", "name": "format", "required": False,
                     "schema": {"type": "string", "enum": list(FORMATS), "default": "json"}}],
        answers={200: response("the certificate, as an attachment", {
            "application/json": _SIGNED,
            "application/pdf": {"type": "string", "format": "binary"}})},
        problems={400: "invalid id, serial or format (field, value, rule)",
                  401: READ_UNAUTHENTICATED,
                  403: "the role holds no wallet, or the retirement is another holder's",
                  404: "the read model has no such retirement (the detail names its lag)",
                  500: "the signer setting is malformed, or the record cannot be certified",
                  501: "the retirement mixes methodologies (no certificate format for it)",
                  503: "no usable CERTIFICATE_SIGNER, or the read model is incomplete"})


def _certificate(source: Source, serial: str) -> Response:
    require_id(source[1], source[0])
    require_text(serial, "serial")
    fmt = request.args.get("format", "json").strip() or "json"
    if fmt not in FORMATS:
        raise PortalError(f"one of {', '.join(FORMATS)}", field="format", value=fmt,
                          rule="enum")
    return certificate_download(g.api_user, source, serial, fmt)


@blueprint.get("/certificates/lots/<lot_id>/retirements/<serial>")
@api_auth_required("wallet.view")
@_download("lot_id", "token")
def lot_certificate(lot_id: str, serial: str) -> Response:
    """A token retirement's certificate."""
    return _certificate(("lot_id", lot_id), serial)


@blueprint.get("/certificates/credit-batches/<batch_id>/retirements/<serial>")
@api_auth_required("wallet.view")
@_download("batch_id", "credit")
def credit_certificate(batch_id: str, serial: str) -> Response:
    """A credit retirement's certificate."""
    return _certificate(("batch_id", batch_id), serial)


@blueprint.post("/certificates/verify")
@api_operation(
    "Verify a signed retirement certificate against the consortium's CAs",
    tags=["certificates"], method="post", security=(),
    body={"type": "object", "description": "the signed certificate envelope"},
    answers={200: response("every check and whether it passed", {
        "application/json": {"$ref": "#/components/schemas/Verification"}})},
    problems={400: "not JSON"})
def verify_certificate() -> dict[str, Any]:
    """Verify a signed certificate."""
    if request.mimetype != "application/json":
        raise PortalError("send application/json", field="Content-Type",
                          value=request.mimetype, rule="media_type", http_status=415)
    return verify_document(request.get_data(cache=False),
                           trusted_cas(current_app.config, gateway()))
