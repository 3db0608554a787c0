"""Certificate verification for anyone (no sign-in), like the public page."""

from __future__ import annotations

from typing import Any

from flask import current_app, request

from ...errors import PortalError
from ...gateway import gateway
from ...services.verify import trusted_cas, verify_document
from . import blueprint


@blueprint.post("/certificates/verify")
def verify_certificate() -> dict[str, Any]:
    """Verify a signed certificate.
    ---
    post:
      summary: Verify a signed retirement certificate against the consortium's CAs
      tags: [certificates]
      security: []
      requestBody:
        required: true
        content:
          application/json:
            schema: {type: object, description: the signed certificate envelope}
      responses:
        200:
          description: every check and whether it passed
          content:
            application/json:
              schema: {$ref: '#/components/schemas/Verification'}
        400:
          description: not JSON
          content:
            application/problem+json:
              schema: {$ref: '#/components/schemas/Problem'}
    """
    if request.mimetype != "application/json":
        raise PortalError("send application/json", field="Content-Type",
                          value=request.mimetype, rule="media_type", http_status=415)
    return verify_document(request.get_data(cache=False),
                           trusted_cas(current_app.config, gateway()))
