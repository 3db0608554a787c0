"""Public certificate verification: offline checks of a signed JSON, and the id look-up.

Why offline first: a retirement certificate is a signed JSON envelope that anyone can
check against the consortium's CA certificates (`envalue.certificates`), without the
ledger. The look-up by id (the QR code's ``/verify/<id>``) reads the portal's read model,
whose retirement rows are copies of the chaincode's records from committed blocks, each
with its certificate id, transaction id and block; no sign-in and no peer are needed.
"""

from __future__ import annotations

import json
import re
from typing import Any

from envalue.certificates import RetirementCertificate
from envalue.network.topology import PEER_ORGS
from envalue.readmodel import lag_status
from envalue.readmodel import queries as rq

from ..errors import PortalError
from ..gateway import LedgerGateway
from .certificates import build_certificate, lag_sentence, record_error
from .readmodel import sessions

__all__ = ["CERTIFICATE_ID", "certificate_summary", "check_certificate_id", "lookup",
           "trusted_cas", "verify_document"]

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
    out["summary"] = None if cert is None else certificate_summary(cert)
    return out


def certificate_summary(cert: RetirementCertificate) -> dict[str, Any]:
    """What the public page shows of a certificate: its facts and ledger place; the
    retiring holder by organisation only (its client id stays in the signed document)."""
    return {
        "certificate_id": cert.certificate_id, "kind": cert.kind,
        "beneficiary": cert.beneficiary, "quantity_kg": cert.quantity_kg,
        "quantity_t": cert.quantity_t, "serials": [r.serial for r in cert.serial_ranges],
        "vintage_start": cert.vintage_start, "vintage_end": cert.vintage_end,
        "methodology": f"{cert.methodology.name} {cert.methodology.version}",
        "sites": len(cert.sites), "purpose": cert.purpose,
        "reporting_year": cert.reporting_year, "retired_by_msp": cert.retiring_holder.msp_id,
        "tx_id": cert.tx_id, "block_number": cert.block_number, "channel": cert.channel,
        "issued_at": cert.issued_at,
    }


def lookup(certificate_id: str, *, portal_base: str) -> dict[str, Any]:
    """The retirement the read model holds under `certificate_id` (anyone may ask): the
    certificate's summary with its transaction id and block; a 404 problem saying how far
    the read model has got when it does not have it."""
    check_certificate_id(certificate_id)
    with sessions()() as session:
        try:
            found = rq.retirement_by_certificate_id(session, certificate_id)
        except rq.CertificateRecordError as exc:
            raise record_error(exc) from exc
        lag = lag_status(session) if found is None else None
    if found is None:
        assert lag is not None
        raise PortalError(f"no retirement with certificate id {certificate_id} is in the "
                          f"portal's read model; it may not be projected yet "
                          f"({lag_sentence(lag)})", field="certificate_id",
                          value=certificate_id, rule="not_found", http_status=404,
                          title="Not found")
    cert = build_certificate(found, portal_base)
    return {"certificate_id": cert.certificate_id, "kind": found.kind,
            "tx_id": found.tx_id, "block_number": found.block_number,
            "channel": found.channel, "verification_url": cert.verification_url,
            "summary": certificate_summary(cert)}
