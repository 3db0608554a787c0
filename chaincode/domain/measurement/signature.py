"""Edge-device signatures: ECDSA over NIST P-256 with SHA-256, DER-encoded (X9.62).

The device signs the canonical batch header bytes (`header.encode_header`); the chaincode
verifies against the public key registered for the device. Pure functions over
`cryptography`, usable by the chaincode, the edge simulator and `envalue verify`.
"""

from __future__ import annotations

import hashlib

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

from envalue.chaincode.domain.errors import ValidationError

__all__ = [
    "MAX_SIGNATURE_HEX",
    "load_public_key",
    "public_key_fingerprint",
    "public_key_pem",
    "sign_header",
    "verify_header_signature",
]

#: A DER P-256 signature is at most 72 bytes.
MAX_SIGNATURE_HEX = 144


def load_public_key(pem: object, field: str) -> ec.EllipticCurvePublicKey:
    """An ECDSA P-256 public key from SubjectPublicKeyInfo PEM, or a ValidationError."""
    if not isinstance(pem, str) or not pem.strip() or len(pem) > 4096:
        raise ValidationError(field, None, "public-key", "must be a PEM public key")
    try:
        key = serialization.load_pem_public_key(pem.encode("ascii"))
    except (ValueError, UnicodeEncodeError, TypeError) as exc:
        raise ValidationError(
            field, None, "public-key", f"is not a PEM public key ({exc})"
        ) from exc
    if not isinstance(key, ec.EllipticCurvePublicKey) or not isinstance(key.curve, ec.SECP256R1):
        raise ValidationError(field, None, "p256", "must be an ECDSA P-256 (secp256r1) key")
    return key


def public_key_fingerprint(pem: str) -> str:
    """SHA-256 hex of the key's DER SubjectPublicKeyInfo (stable across PEM formatting)."""
    der = load_public_key(pem, "public_key_pem").public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return hashlib.sha256(der).hexdigest()


def public_key_pem(private_key: ec.EllipticCurvePrivateKey) -> str:
    """The PEM to register for a device holding `private_key`."""
    return private_key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    ).decode("ascii")


def sign_header(private_key: ec.EllipticCurvePrivateKey, header: bytes) -> str:
    """The device side: DER signature of `header`, lower-case hex."""
    return private_key.sign(header, ec.ECDSA(hashes.SHA256())).hex()


def verify_header_signature(pem: str, header: bytes, signature_hex: str) -> bool:
    """True when `signature_hex` is a valid signature of exactly `header` by the key."""
    try:
        signature = bytes.fromhex(signature_hex)
    except ValueError:
        return False
    try:
        load_public_key(pem, "public_key_pem").verify(signature, header, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        return False
    return True
