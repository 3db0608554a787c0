"""Certificate checks for endorsers: P-256 keys, chains to registered MSP roots, validity.

A Fabric MSP trusts certificates issued (possibly through intermediate CAs) by its root
CAs. The verifying ledger stores the source network's roots and intermediates per MSP and
accepts an endorser only when its certificate chains to a root *of the MSP it claims*:
a certificate from another organisation's CA, or from any CA the governance did not
register, is refused. Validity is checked at the verifying transaction's timestamp
(deterministic on every endorsing peer, unlike the clock).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = [
    "MAX_CHAIN_DEPTH",
    "ChainError",
    "is_ca",
    "load_certificate",
    "organizational_units",
    "verify_chain",
]

MAX_CHAIN_DEPTH = 4


class ChainError(ValueError):
    """The certificate does not chain to a trusted root, or is not valid now."""


def load_certificate(pem: bytes | str) -> x509.Certificate:
    data = pem.encode("ascii") if isinstance(pem, str) else pem
    try:
        return x509.load_pem_x509_certificate(data)
    except (ValueError, TypeError) as exc:
        raise ChainError(f"not a PEM X.509 certificate ({exc})") from exc


def is_ca(certificate: x509.Certificate) -> bool:
    try:
        constraints = certificate.extensions.get_extension_for_class(x509.BasicConstraints)
    except x509.ExtensionNotFound:
        return False
    return bool(constraints.value.ca)


def organizational_units(certificate: x509.Certificate) -> list[str]:
    return [str(a.value) for a in
            certificate.subject.get_attributes_for_oid(NameOID.ORGANIZATIONAL_UNIT_NAME)]


def _check_time(certificate: x509.Certificate, at: datetime, what: str) -> None:
    if not certificate.not_valid_before_utc <= at <= certificate.not_valid_after_utc:
        raise ChainError(f"{what} {certificate.subject.rfc4514_string()} is not valid at "
                         f"{at.isoformat()}")


def _issued_by(child: x509.Certificate, issuer: x509.Certificate) -> bool:
    if child.issuer != issuer.subject or not is_ca(issuer):
        return False
    try:
        child.verify_directly_issued_by(issuer)
    except (ValueError, TypeError, InvalidSignature):
        return False
    return True


def verify_chain(leaf: x509.Certificate, roots: Sequence[x509.Certificate],
                 intermediates: Sequence[x509.Certificate], at: datetime) -> None:
    """Raise `ChainError` unless `leaf` chains to one of `roots` and all are valid `at`."""
    key = leaf.public_key()
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve,
                                                                         ec.SECP256R1):
        raise ChainError("endorser key is not ECDSA P-256")
    current = leaf
    _check_time(current, at, "certificate")
    for _ in range(MAX_CHAIN_DEPTH):
        for root in roots:
            if _issued_by(current, root):
                _check_time(root, at, "root certificate")
                return
        parent = next((c for c in intermediates if _issued_by(current, c)), None)
        if parent is None:
            break
        _check_time(parent, at, "intermediate certificate")
        current = parent
    raise ChainError(f"certificate {leaf.subject.rfc4514_string()} does not chain to a "
                     "registered root of its MSP")
