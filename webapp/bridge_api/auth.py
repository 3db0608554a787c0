"""The signed caller of a bridge request, and the trust roots it is checked against.

Trust roots: ``BRIDGE_TRUST_ROOTS`` (MSP ID → PEM list) when configured; otherwise the
consortium orgs' CA certificates the portal already trusts (`services.verify.trusted_cas`:
``TRUSTED_CA_PEMS`` or the network's CA certificates) plus the partner CAs the Market org
registered in ``BRIDGE_PARTNER_CA_PEMS`` (MSP ID → PEM list). The signature window is
``BRIDGE_SIGNATURE_WINDOW`` seconds (default 300).
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from flask import current_app, g, request

from envalue.bridge.request_auth import (
    DEFAULT_WINDOW_SECONDS,
    Caller,
    RequestAuthError,
    TrustRoots,
    verify_request,
)
from envalue.chaincode.domain.proofs.x509chain import ChainError

from ..errors import PortalError

__all__ = ["MAX_BODY", "request_body", "signed_caller", "trust_roots"]

MAX_BODY = 1024 * 1024


def trust_roots(config: Any) -> TrustRoots:
    """The MSPs whose identities may call (see the module docstring)."""
    configured = config.get("BRIDGE_TRUST_ROOTS")
    if configured is None:
        from envalue.webapp.gateway import gateway
        from envalue.webapp.services.verify import trusted_cas

        configured = {**trusted_cas(config, gateway()),
                      **(config.get("BRIDGE_PARTNER_CA_PEMS") or {})}
    try:
        return TrustRoots.from_pems(configured)
    except ChainError as exc:
        raise RequestAuthError("trust_roots", None, "trust-roots",
                               f"the bridge's trust roots are misconfigured: {exc}") from exc


def request_body() -> bytes:
    """The raw body (kept for the signature and the JSON reader)."""
    if (request.content_length or 0) > MAX_BODY:
        raise PortalError(f"at most {MAX_BODY} bytes", field="body",
                          value=request.content_length, rule="max_size", http_status=413,
                          title="Payload too large")
    return request.get_data(cache=True)


def signed_caller() -> Caller:
    """The verified caller of this request (401/403 problem otherwise); checked once."""
    caller = g.get("bridge_caller")
    if caller is None:
        config = current_app.config
        caller = verify_request(
            method=request.method, path=request.script_root + request.path,
            query=request.query_string, body=request_body(), headers=request.headers,
            roots=trust_roots(config), now=datetime.now(UTC),
            window_seconds=int(config.get("BRIDGE_SIGNATURE_WINDOW", DEFAULT_WINDOW_SECONDS)))
        g.bridge_caller = caller
    return caller
