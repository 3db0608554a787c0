"""Certificate verification for anyone (no sign-in), like the public page."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from ...errors import PortalError
from ...gateway import gateway
from ...services.verify import trusted_cas, verify_document
from ..operation import api_operation, response
from . import blueprint


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
