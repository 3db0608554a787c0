"""Public certificate verification: offline checks of a signed JSON, and the id look-up.

Why offline first: a retirement certificate is a signed JSON envelope that anyone can
check against the consortium's CA certificates (`envalue.certificates`), without the
ledger. The look-up by id (the QR code's ``/verify/<id>``) needs ledger data; while the
Gateway is unreachable it raises `LedgerUnavailableError` with the reason.
"""

from __future__ import annotations

import json
import re
from typing import Any

from envalue.network.topology import PEER_ORGS

from ..errors import LedgerUnavailableError, PortalError
from ..gateway import LedgerGateway

__all__ = ["CERTIFICATE_ID", "check_certificate_id", "lookup", "trusted_cas",
           "verify_document"]

CERTIFICATE_ID = re.compile(r"^RC-[0-9A-F]{20}$")
MAX_DOCUMENT_BYTES = 256 * 1024


def check_certificate_id(certificate_id: str) -> str:
    if not CERTIFICATE_ID.match(certificate_id):
        raise PortalError("a certificate id is RC- followed by 20 hex digits",
                          field="certificate_id", value=certificate_id[:64],
                          rule="certificate_id", http_status=404, title="Not found")
    return certificate_id


def trusted_cas(config: dict[str, Any], gateway: LedgerGateway) -> dict[str, list[bytes]]:
    """MSP ID -> CA certificates: ``TRUSTED_CA_PEMS`` if configured, else the network's."""
    configured = config.get("TRUSTED_CA_PEMS")
    if configured:
        return {msp: [p if isinstance(p, bytes) else p.encode() for p in pems]
                for msp, pems in configured.items()}
    cas: dict[str, list[bytes]] = {}
    if gateway.settings is not None:
        for org in PEER_ORGS:
            path = gateway.settings.layout.ca_cert(org)
            if path.is_file():
                cas[org.msp_id] = [path.read_bytes()]
    return cas


def verify_document(raw: bytes, cas: dict[str, list[bytes]]) -> dict[str, Any]:
    """Verify a signed certificate JSON; the checks with their outcome (no exception)."""
    try:
        from envalue.certificates import verify_signed_certificate
    except ImportError as exc:  # the certificates package is another engineer's work
        raise PortalError(f"certificate verification is not installed: {exc}",
                          rule="verifier_missing", http_status=503,
                          title="Service unavailable") from exc
    if len(raw) > MAX_DOCUMENT_BYTES:
        raise PortalError(f"at most {MAX_DOCUMENT_BYTES} bytes", field="file",
                          value=str(len(raw)), rule="max_size", http_status=413)
    try:
        doc = json.loads(raw)
    except (UnicodeDecodeError, ValueError) as exc:
        raise PortalError(f"not JSON: {exc}", field="file", rule="json") from exc
    if not cas:
        raise PortalError("no consortium CA certificates are known to this portal",
                          field="trusted_cas", rule="trusted_cas", http_status=503,
                          title="Service unavailable")
    result = verify_signed_certificate(doc, cas)
    out = result.to_dict()
    cert = result.certificate
    out["summary"] = None if cert is None else _summary(cert.to_dict())
    return out


def _summary(cert: dict[str, Any]) -> dict[str, Any]:
    keep = ("certificate_id", "kind", "beneficiary", "quantity_kg", "quantity_t",
            "vintage_start", "vintage_end", "purpose", "reporting_year", "tx_id",
            "block_number", "channel", "issued_at")
    return {k: cert[k] for k in keep if k in cert}


def lookup(certificate_id: str, gateway: LedgerGateway, org_key: str = "platform") -> dict:
    """The certificate recorded on the ledger under `certificate_id`.

    Needs the Gateway (LedgerUnavailableError otherwise); finding a certificate by id
    also needs the portal's read model, which is not built yet.
    """
    check_certificate_id(certificate_id)
    state = gateway.status(org_key)
    if not state.available:
        raise LedgerUnavailableError(state.reason)
    raise PortalError("looking a certificate up by id needs the portal's read model of "
                      "retirements, which is not built yet; upload the signed JSON instead",
                      field="certificate_id", value=certificate_id, rule="read_model_missing",
                      http_status=501, title="Not implemented")
