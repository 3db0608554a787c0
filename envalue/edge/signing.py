"""Edge-device keys and signatures: ECDSA P-256 over SHA-256 of the exact upload bytes.

Why: a batch may only feed a credit when it provably came from a registered device
(issue 3: "every batch it sends is signed by it, and chaincode checks that signature").
The wire form is the header pair

    X-Envalue-Device: <device id>
    X-Envalue-Signature: base64(DER ECDSA-P256 signature over SHA-256(body))

and the same two values as MQTT v5 user properties. Keys live as PEM files:
``<dir>/<device>.key.pem`` (PKCS#8, on the device) and ``<dir>/<device>.pub.pem``
(SubjectPublicKeyInfo, registered with the platform).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterator, Mapping
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec

__all__ = [
    "DEVICE_HEADER",
    "SIGNATURE_HEADER",
    "DeviceKeys",
    "SignatureError",
    "generate_key",
    "load_or_create_key",
    "public_pem",
    "sign_body",
    "verify_body",
]

DEVICE_HEADER = "X-Envalue-Device"
SIGNATURE_HEADER = "X-Envalue-Signature"


class SignatureError(ValueError):
    """A signature that is missing, not base64, or does not verify."""


def generate_key() -> ec.EllipticCurvePrivateKey:
    """A fresh P-256 key."""
    return ec.generate_private_key(ec.SECP256R1())


def public_pem(key: ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey) -> bytes:
    """SubjectPublicKeyInfo PEM of `key` (what the platform registers)."""
    pub = key.public_key() if isinstance(key, ec.EllipticCurvePrivateKey) else key
    return pub.public_bytes(serialization.Encoding.PEM,
                            serialization.PublicFormat.SubjectPublicKeyInfo)


def load_or_create_key(directory: Path, device_id: str) -> ec.EllipticCurvePrivateKey:
    """The device's private key from ``<directory>/<device>.key.pem``, created (with its
    ``.pub.pem``) when absent."""
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / f"{device_id}.key.pem"
    if path.exists():
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, ec.EllipticCurvePrivateKey) or key.curve.name != "secp256r1":
            raise ValueError(f"{path}: not an ECDSA P-256 private key")
        return key
    key = generate_key()
    path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                       serialization.PrivateFormat.PKCS8,
                                       serialization.NoEncryption()))
    path.chmod(0o600)
    (directory / f"{device_id}.pub.pem").write_bytes(public_pem(key))
    return key


def sign_body(key: ec.EllipticCurvePrivateKey, body: bytes) -> str:
    """base64 of the DER ECDSA signature over SHA-256(body)."""
    return base64.b64encode(key.sign(body, ec.ECDSA(hashes.SHA256()))).decode("ascii")


def verify_body(public_key: ec.EllipticCurvePublicKey, body: bytes, signature: str) -> None:
    """Raise `SignatureError` unless `signature` (base64 DER) signs `body`."""
    try:
        der = base64.b64decode(signature.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError("signature is not base64") from None
    try:
        public_key.verify(der, body, ec.ECDSA(hashes.SHA256()))
    except InvalidSignature:
        raise SignatureError("signature does not verify against the device key") from None


class DeviceKeys(Mapping[str, ec.EllipticCurvePublicKey]):
    """Known device public keys, by device id (what the ingestion front ends check)."""

    def __init__(self, keys: Mapping[str, ec.EllipticCurvePublicKey] | None = None) -> None:
        self._keys = dict(keys or {})

    @classmethod
    def from_directory(cls, directory: Path) -> DeviceKeys:
        """Every ``<device>.pub.pem`` in `directory`."""
        keys: dict[str, ec.EllipticCurvePublicKey] = {}
        for path in sorted(directory.glob("*.pub.pem")):
            key = serialization.load_pem_public_key(path.read_bytes())
            if not isinstance(key, ec.EllipticCurvePublicKey):
                raise ValueError(f"{path}: not an EC public key")
            keys[path.name.removesuffix(".pub.pem")] = key
        return cls(keys)

    def add(self, device_id: str, pem_or_key: bytes | ec.EllipticCurvePublicKey) -> None:
        key = (serialization.load_pem_public_key(pem_or_key)
               if isinstance(pem_or_key, bytes) else pem_or_key)
        if not isinstance(key, ec.EllipticCurvePublicKey):
            raise ValueError(f"{device_id}: not an EC public key")
        self._keys[device_id] = key

    def __getitem__(self, device_id: str) -> ec.EllipticCurvePublicKey:
        return self._keys[device_id]

    def __iter__(self) -> Iterator[str]:
        return iter(self._keys)

    def __len__(self) -> int:
        return len(self._keys)
