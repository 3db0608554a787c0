"""Private keys encrypted at rest: AES-256-GCM under a key derived per row with HKDF.

Why: the portal signs Fabric transactions on behalf of its users, so it must hold their
keys; a stolen database must not give them away. The sealing key is derived from the
server secret and a random per-row salt (HKDF-SHA256); the username and MSP ID are bound
as associated data so a sealed key cannot be moved to another user's row. The plaintext
key exists only in server memory while a request signs, and is never sent to a browser.

Layout: ``b"EVK1" || salt(16) || nonce(12) || ciphertext+tag``.
"""

from __future__ import annotations

import os

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["KeySealError", "open_key", "seal_key"]

_MAGIC = b"EVK1"
_INFO = b"envalue-portal private key sealing v1"


class KeySealError(Exception):
    """The sealed key cannot be opened (wrong secret, other user's row, or corrupted)."""


def _kek(secret: str, salt: bytes) -> bytes:
    if not secret:
        raise KeySealError("no key encryption secret configured")
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=_INFO).derive(
        secret.encode())


def _aad(username: str, msp_id: str) -> bytes:
    return f"{msp_id}\x00{username}".encode()


def seal_key(key: ec.EllipticCurvePrivateKey, *, secret: str, username: str,
             msp_id: str) -> bytes:
    """Encrypt `key` (PKCS#8 DER inside) for the row of `username` at `msp_id`."""
    der = key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    salt, nonce = os.urandom(16), os.urandom(12)
    sealed = AESGCM(_kek(secret, salt)).encrypt(nonce, der, _aad(username, msp_id))
    return _MAGIC + salt + nonce + sealed


def open_key(blob: bytes, *, secret: str, username: str,
             msp_id: str) -> ec.EllipticCurvePrivateKey:
    """Decrypt a sealed key; `KeySealError` when anything does not match."""
    if len(blob) < 4 + 16 + 12 + 16 or not blob.startswith(_MAGIC):
        raise KeySealError("not a sealed key")
    salt, nonce, sealed = blob[4:20], blob[20:32], blob[32:]
    try:
        der = AESGCM(_kek(secret, salt)).decrypt(nonce, sealed, _aad(username, msp_id))
    except InvalidTag:
        raise KeySealError("sealed key does not open with this secret for this user") from None
    key = serialization.load_der_private_key(der, password=None)
    if not isinstance(key, ec.EllipticCurvePrivateKey):
        raise KeySealError("sealed key is not an EC key")
    return key
