"""Sign a certificate with an issuing identity from a Fabric CA MSP folder.

The envelope::

    {"certificate": {...},
     "signature": {"alg": "ES256", "value": <base64 DER ECDSA over canonical certificate>,
                   "signer_cert": <PEM>, "msp_id": "PlatformMSP",
                   "field_digests": {<top-level field>: "sha256:<hex of its canonical JSON>"},
                   "field_digests_value": <base64 DER ECDSA over canonical field_digests>}}

``value`` is what decides validity. The field digests, signed separately by the same key,
let a verifier say *which* field was changed when ``value`` fails (a changed beneficiary
is reported as "beneficiary was altered", not just "bad signature"); they never make an
invalid document valid.

ES256 here means ECDSA over P-256 with SHA-256 and a DER signature (Fabric's form, low-S),
not the JOSE raw r||s encoding.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from envalue.client.identity import load_msp_identity, load_msp_signer
from envalue.client.signers import EcdsaSigner, sha256_digest

from .canonical import canonical_json
from .model import RetirementCertificate

__all__ = [
    "SIGNATURE_ALG",
    "IssuingIdentity",
    "field_digests",
    "load_issuing_identity",
    "sign_certificate",
]

SIGNATURE_ALG = "ES256"


@dataclass(frozen=True)
class IssuingIdentity:
    """Who signs certificates: an MSP ID, its X.509 certificate and its P-256 signer."""

    msp_id: str
    cert_pem: bytes
    signer: EcdsaSigner

    @classmethod
    def from_key(cls, msp_id: str, cert_pem: bytes,
                 private_key: ec.EllipticCurvePrivateKey) -> IssuingIdentity:
        return cls(msp_id, cert_pem, EcdsaSigner(private_key))

    @property
    def certificate(self) -> x509.Certificate:
        return x509.load_pem_x509_certificate(self.cert_pem)


def load_issuing_identity(msp_dir: str | Path, msp_id: str) -> IssuingIdentity:
    """The identity in an MSP folder (``signcerts/`` + ``keystore/``), e.g. PlatformMSP's
    operator as enrolled by fabric-ca-client; the key must match the certificate."""
    identity = load_msp_identity(msp_dir, msp_id)
    signer = load_msp_signer(msp_dir)
    cert_key = identity.certificate.public_key()
    raw = serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    if cert_key.public_bytes(*raw) != signer.public_key.public_bytes(*raw):
        raise ValueError(
            f"{msp_dir}: the keystore key does not belong to the signcerts certificate"
        )
    return IssuingIdentity(msp_id, identity.cert_pem, signer)


def field_digests(certificate: dict[str, Any]) -> dict[str, str]:
    """``sha256:<hex>`` of each top-level field's canonical JSON."""
    return {
        name: "sha256:" + sha256_digest(canonical_json(value)).hex()
        for name, value in certificate.items()
    }


def _sign(identity: IssuingIdentity, message: bytes) -> str:
    return base64.b64encode(identity.signer.sign(sha256_digest(message))).decode("ascii")


def sign_certificate(cert: RetirementCertificate, identity: IssuingIdentity) -> dict[str, Any]:
    """The signed envelope of `cert` (see the module docstring)."""
    body = cert.to_dict()
    digests = field_digests(body)
    return {
        "certificate": body,
        "signature": {
            "alg": SIGNATURE_ALG,
            "value": _sign(identity, canonical_json(body)),
            "signer_cert": identity.cert_pem.decode("ascii"),
            "msp_id": identity.msp_id,
            "field_digests": digests,
            "field_digests_value": _sign(identity, canonical_json(digests)),
        },
    }
