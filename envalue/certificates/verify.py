"""Verify a signed certificate offline, against the consortium's CA certificates only.

Checks, in order, each recorded in the result whether it passed or not:

1. ``envelope``: the document has a certificate and an ES256 signature block.
2. ``certificate``: the certificate object is well formed and self-consistent (types,
   quantity = sum of serial ranges, quantity_t = quantity_kg / 1000, verification URL).
3. ``signature``: the ECDSA signature verifies over the canonical certificate bytes with
   the signer certificate's key. On failure, the separately signed field digests name
   the altered fields when they can be trusted.
4. ``chain``: the signer certificate was issued by one of the trusted CA certificates
   (issuer name matches and the CA's key verifies the certificate's signature; the CA
   certificate is a CA). With trusted CAs given per MSP, the claimed ``msp_id`` must be
   the MSP whose CA issued the signer.
5. ``validity``: the signer and CA certificates are within their validity period at the
   verification time (default now; ``at=`` checks another moment, e.g. ``issued_at``).
   Without a trusted timestamp the signing time is unknown, so a document whose signer
   has since expired must be re-signed by a current identity.
6. ``key_usage``: the signer certificate may sign (digitalSignature when KeyUsage is
   present; not restricted by ExtendedKeyUsage to something else).

A document is valid only when every check passes; ``reasons`` lists every failure.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID

from .canonical import CanonicalJSONError, canonical_json
from .model import CertificateFormatError, RetirementCertificate
from .signing import SIGNATURE_ALG, field_digests

__all__ = ["Check", "TrustedCAs", "VerificationResult", "verify_signed_certificate"]

#: Trusted CA certificates as PEM: a plain list, or per MSP ID to bind the signer's MSP.
TrustedCAs = Iterable[str | bytes] | Mapping[str, Iterable[str | bytes]]


@dataclass(frozen=True)
class Check:
    name: str
    passed: bool
    detail: str

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "passed": self.passed, "detail": self.detail}


@dataclass
class VerificationResult:
    """What was checked and, when invalid, why."""

    checks: list[Check] = field(default_factory=list)
    certificate: RetirementCertificate | None = None
    signer_subject: str = ""
    msp_id: str = ""

    @property
    def valid(self) -> bool:
        return bool(self.checks) and all(c.passed for c in self.checks)

    @property
    def reasons(self) -> list[str]:
        return [f"{c.name}: {c.detail}" for c in self.checks if not c.passed]

    def add(self, name: str, passed: bool, detail: str) -> bool:
        self.checks.append(Check(name, passed, detail))
        return passed

    def to_dict(self) -> dict[str, Any]:
        cert = self.certificate
        return {
            "valid": self.valid,
            "certificate_id": None if cert is None else cert.certificate_id,
            "msp_id": self.msp_id,
            "signer": self.signer_subject,
            "reasons": self.reasons,
            "checks": [c.to_dict() for c in self.checks],
        }


def _b64(value: Any) -> bytes | None:
    if not isinstance(value, str):
        return None
    try:
        return base64.b64decode(value, validate=True)
    except (binascii.Error, ValueError):
        return None


def _ecdsa_ok(key: Any, signature: bytes | None, message: bytes) -> bool:
    if signature is None or not isinstance(key, ec.EllipticCurvePublicKey):
        return False
    try:
        key.verify(signature, message, ec.ECDSA(hashes.SHA256()))
    except (InvalidSignature, ValueError):
        return False
    return True


def _altered_fields(cert_obj: dict[str, Any], sig: dict[str, Any], key: Any) -> list[str] | None:
    """Fields whose digest differs from the signed manifest, or None if it can't be trusted."""
    digests = sig.get("field_digests")
    if not isinstance(digests, dict):
        return None
    try:
        signed = canonical_json(digests)
        current = field_digests(cert_obj)
    except CanonicalJSONError:
        return None
    if not _ecdsa_ok(key, _b64(sig.get("field_digests_value")), signed):
        return None
    return sorted(n for n in set(digests) | set(current) if digests.get(n) != current.get(n))


def _load_cas(trusted: TrustedCAs) -> list[tuple[str | None, x509.Certificate]]:
    if isinstance(trusted, Mapping):
        pairs = [(msp, pem) for msp, pems in trusted.items() for pem in pems]
    else:
        pairs = [(None, pem) for pem in trusted]
    loaded = []
    for msp, pem in pairs:
        data = pem.encode() if isinstance(pem, str) else pem
        loaded.extend((msp, c) for c in x509.load_pem_x509_certificates(data))
    return loaded


def _issued_by(cert: x509.Certificate, ca: x509.Certificate) -> bool:
    if cert.issuer != ca.subject:
        return False
    try:
        cert.verify_directly_issued_by(ca)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _is_ca(cert: x509.Certificate) -> bool:
    try:
        return bool(cert.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _in_validity(cert: x509.Certificate, at: datetime) -> str | None:
    if at < cert.not_valid_before_utc:
        return f"not valid before {cert.not_valid_before_utc.isoformat()}"
    if at > cert.not_valid_after_utc:
        return f"expired on {cert.not_valid_after_utc.isoformat()}"
    return None


def _key_usage_problem(cert: x509.Certificate) -> str | None:
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
        if not usage.digital_signature:
            return "KeyUsage does not include digitalSignature"
    except x509.ExtensionNotFound:
        pass
    try:
        eku = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
        allowed = {ExtendedKeyUsageOID.CLIENT_AUTH, ExtendedKeyUsageOID.ANY_EXTENDED_KEY_USAGE,
                   ExtendedKeyUsageOID.CODE_SIGNING}
        if not allowed & set(eku):
            names = ", ".join(o._name for o in eku)
            return f"ExtendedKeyUsage ({names}) does not allow signing documents"
    except x509.ExtensionNotFound:
        pass
    return None


def verify_signed_certificate(
    doc: Mapping[str, Any], trusted_ca_certs: TrustedCAs, *, at: datetime | None = None
) -> VerificationResult:
    """Check a signed certificate envelope offline (see the module docstring)."""
    at = at or datetime.now(UTC)
    result = VerificationResult()
    cert_obj = doc.get("certificate") if isinstance(doc, Mapping) else None
    sig = doc.get("signature") if isinstance(doc, Mapping) else None
    if not isinstance(cert_obj, dict) or not isinstance(sig, dict):
        result.add("envelope", False, "expected an object with 'certificate' and 'signature'")
        return result
    if sig.get("alg") != SIGNATURE_ALG:
        result.add("envelope", False, f"signature alg {sig.get('alg')!r} is not {SIGNATURE_ALG}")
        return result
    result.msp_id = str(sig.get("msp_id") or "")
    try:
        signer = x509.load_pem_x509_certificate(str(sig.get("signer_cert") or "").encode())
    except ValueError:
        result.add("envelope", False, "signature.signer_cert is not a PEM X.509 certificate")
        return result
    result.signer_subject = signer.subject.rfc4514_string()
    key = signer.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        result.add("envelope", False, "the signer certificate's key is not ECDSA P-256")
        return result
    result.add("envelope", True, f"ES256 signature by {result.signer_subject} ({result.msp_id})")

    # 2. content
    try:
        message = canonical_json(cert_obj)
        result.certificate = RetirementCertificate.from_dict(cert_obj)
        result.add("certificate", True, f"{result.certificate.certificate_id} is well formed")
    except (CanonicalJSONError, CertificateFormatError) as err:
        result.add("certificate", False, str(err))
        message = None

    # 3. signature
    if message is not None and _ecdsa_ok(key, _b64(sig.get("value")), message):
        result.add("signature", True, "signature matches the canonical certificate")
    else:
        altered = _altered_fields(cert_obj, sig, key)
        if altered:
            detail = f"the certificate was altered after signing: changed {', '.join(altered)}"
        elif altered == []:
            detail = ("the signature value is corrupt (every field matches its signed digest, "
                      "but the signature over the whole certificate does not verify)")
        else:
            detail = ("the signature does not match the certificate (altered content or "
                      "another signer's signature)")
        result.add("signature", False, detail)

    # 4. chain
    cas = _load_cas(trusted_ca_certs)
    issuers = [(msp, ca) for msp, ca in cas if _issued_by(signer, ca)]
    if not issuers:
        result.add("chain", False,
                   f"the signer certificate (issuer {signer.issuer.rfc4514_string()}) was not "
                   "issued by any trusted CA certificate (unknown CA)")
    elif not any(_is_ca(ca) for _, ca in issuers):
        result.add("chain", False, "the issuing certificate is not a CA (no BasicConstraints CA)")
    elif any(msp is not None for msp, _ in issuers) and result.msp_id not in {
        msp for msp, _ in issuers
    }:
        owners = ", ".join(sorted({m for m, _ in issuers if m}))
        result.add("chain", False,
                   f"msp_id {result.msp_id!r} is not the MSP of the issuing CA ({owners})")
    else:
        ca = next(ca for _, ca in issuers if _is_ca(ca))
        result.add("chain", True, f"issued by trusted CA {ca.subject.rfc4514_string()}")

    # 5. validity
    problems = []
    if (p := _in_validity(signer, at)) is not None:
        problems.append(f"signer certificate {p}")
    for _, ca in issuers:
        if (p := _in_validity(ca, at)) is not None:
            problems.append(f"CA certificate {ca.subject.rfc4514_string()} {p}")
    result.add("validity", not problems,
               "; ".join(problems) or f"certificates valid at {at.isoformat()}")

    # 6. key usage
    problem = _key_usage_problem(signer)
    result.add("key_usage", problem is None,
               f"signer certificate: {problem}" if problem else "signer may sign documents")
    return result
