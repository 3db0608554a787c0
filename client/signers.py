"""Signing: ECDSA P-256 over SHA-256, DER encoded, low-S normalised.

Fabric rejects ECDSA signatures whose S value is in the upper half of the curve order
(malleability protection) and ``cryptography`` does not normalise them, so every signature
produced here is passed through :func:`to_low_s`.

A :class:`Signer` receives the *digest* (SHA-256 of the message, as computed by
:func:`sha256_digest`), like the official client's ``identity.Sign``; this lets a key live in
an HSM or in another process that only ever sees 32-byte digests.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, utils

__all__ = [
    "P256_ORDER",
    "EcdsaSigner",
    "HashFunction",
    "Signer",
    "is_low_s",
    "load_private_key_pem",
    "new_private_key_signer",
    "sha256_digest",
    "to_low_s",
]

#: Order n of the NIST P-256 group.
P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551

HashFunction = Callable[[bytes], bytes]


@runtime_checkable
class Signer(Protocol):
    """Signs a message digest and returns a DER-encoded, low-S ECDSA signature."""

    def sign(self, digest: bytes) -> bytes:  # pragma: no cover - protocol
        ...


def sha256_digest(message: bytes) -> bytes:
    """SHA-256 of ``message``: the digest that Fabric verifies signatures against."""
    return hashlib.sha256(message).digest()


def to_low_s(signature_der: bytes, order: int = P256_ORDER) -> bytes:
    """Return the same signature with S replaced by n − S when S > n/2."""
    r, s = utils.decode_dss_signature(signature_der)
    if s > order // 2:
        s = order - s
    return utils.encode_dss_signature(r, s)


def is_low_s(signature_der: bytes, order: int = P256_ORDER) -> bool:
    """True when the signature's S value is in the lower half of the group order."""
    _, s = utils.decode_dss_signature(signature_der)
    return 0 < s <= order // 2


class EcdsaSigner:
    """In-process signer over a ``cryptography`` EC private key (P-256 only)."""

    __slots__ = ("_key",)

    def __init__(self, private_key: ec.EllipticCurvePrivateKey) -> None:
        if not isinstance(private_key, ec.EllipticCurvePrivateKey):
            raise TypeError("EcdsaSigner needs an elliptic-curve private key")
        if not isinstance(private_key.curve, ec.SECP256R1):
            raise ValueError(f"unsupported curve {private_key.curve.name}; Fabric uses P-256")
        self._key = private_key

    def sign(self, digest: bytes) -> bytes:
        if len(digest) != 32:
            raise ValueError("EcdsaSigner signs SHA-256 digests (32 bytes)")
        der = self._key.sign(digest, ec.ECDSA(utils.Prehashed(hashes.SHA256())))
        return to_low_s(der)

    @property
    def public_key(self) -> ec.EllipticCurvePublicKey:
        return self._key.public_key()

    def __repr__(self) -> str:  # never show key material
        return "EcdsaSigner(<P-256 key>)"


def load_private_key_pem(data: bytes | str | Path, password: bytes | None = None
                         ) -> ec.EllipticCurvePrivateKey:
    """Load a PEM private key (PKCS#8 or SEC1) from bytes or from a file path."""
    if isinstance(data, Path):
        data = data.read_bytes()
    elif isinstance(data, str):
        data = data.encode()
    key = serialization.load_pem_private_key(data, password=password)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise TypeError("expected an elliptic-curve private key")
    return key


def new_private_key_signer(private_key: ec.EllipticCurvePrivateKey | bytes | str | Path
                           ) -> EcdsaSigner:
    """Build a signer from a key object, PEM bytes/text, or a PEM file path."""
    if isinstance(private_key, ec.EllipticCurvePrivateKey):
        return EcdsaSigner(private_key)
    return EcdsaSigner(load_private_key_pem(private_key))
