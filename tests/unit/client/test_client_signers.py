"""Signatures: P-256/SHA-256, DER, always low-S, verifiable with cryptography."""

from __future__ import annotations

import hashlib

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, utils

from envalue.client import EcdsaSigner, Signer, new_private_key_signer
from envalue.client.signers import P256_ORDER, is_low_s, sha256_digest, to_low_s

pytestmark = pytest.mark.unit


def test_low_s_always_and_signatures_verify() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    signer = EcdsaSigner(key)
    assert isinstance(signer, Signer)
    for i in range(400):  # P(all 400 raw signatures low-S by chance) = 2**-400
        message = f"message {i}".encode()
        sig = signer.sign(sha256_digest(message))
        r, s = utils.decode_dss_signature(sig)
        assert 0 < s <= P256_ORDER // 2
        key.public_key().verify(sig, message, ec.ECDSA(hashes.SHA256()))


def test_raw_cryptography_does_produce_high_s_which_we_normalise() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    seen_high = False
    for i in range(64):
        raw = key.sign(f"m{i}".encode(), ec.ECDSA(hashes.SHA256()))
        if not is_low_s(raw):
            seen_high = True
            fixed = to_low_s(raw)
            assert is_low_s(fixed)
            r1, s1 = utils.decode_dss_signature(raw)
            r2, s2 = utils.decode_dss_signature(fixed)
            assert r1 == r2 and s2 == P256_ORDER - s1
            key.public_key().verify(fixed, f"m{i}".encode(), ec.ECDSA(hashes.SHA256()))
    assert seen_high  # P(no high-S in 64) = 2**-64


def test_to_low_s_leaves_low_s_alone() -> None:
    sig = utils.encode_dss_signature(12345, 678)
    assert to_low_s(sig) == sig


def test_signer_checks_curve_and_digest_length() -> None:
    with pytest.raises(ValueError):
        EcdsaSigner(ec.generate_private_key(ec.SECP384R1()))
    signer = EcdsaSigner(ec.generate_private_key(ec.SECP256R1()))
    with pytest.raises(ValueError):
        signer.sign(b"not a digest")
    assert "key" in repr(signer) and "PRIVATE" not in repr(signer)


def test_signer_from_pem(tmp_path) -> None:
    from cryptography.hazmat.primitives import serialization

    key = ec.generate_private_key(ec.SECP256R1())
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption())
    (tmp_path / "k.pem").write_bytes(pem)
    for source in (pem, pem.decode(), tmp_path / "k.pem"):
        sig = new_private_key_signer(source).sign(hashlib.sha256(b"x").digest())
        key.public_key().verify(sig, b"x", ec.ECDSA(hashes.SHA256()))


def test_pluggable_signer_protocol() -> None:
    """Anything with sign(digest) -> bytes is a Signer (HSM, remote process...)."""

    class Remote:
        def sign(self, digest: bytes) -> bytes:
            return b"sig:" + digest

    assert isinstance(Remote(), Signer)
