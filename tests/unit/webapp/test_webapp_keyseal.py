"""Private keys at rest: the database never holds the key, only the server secret opens it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from flask import Flask
from sqlalchemy import select

from envalue.webapp import create_app
from envalue.webapp.db import PortalUser, get_session
from envalue.webapp.keyseal import KeySealError, open_key, seal_key
from envalue.webapp.services.users import key_secret, signer_for

from .webapp_helpers import FakeFabricCA, portal_config

pytestmark = pytest.mark.unit


def _pem(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _der(key: ec.EllipticCurvePrivateKey) -> bytes:
    return key.private_bytes(serialization.Encoding.DER, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def test_the_database_file_never_contains_the_private_key(tmp_path: Path,
                                                          fabric_ca: FakeFabricCA) -> None:
    from envalue.webapp.services.users import provision

    app = create_app(portal_config(tmp_path))
    cert, key = fabric_ca.issue("operator1", {"role": "operator"})
    with app.app_context():
        provision(get_session(), org_key="platform", enrollment_id="operator1",
                  cert_pem=cert, private_key=key, password="a long password",
                  secret=key_secret(app.config))
    raw = (tmp_path / "p.db").read_bytes()
    scalar = key.private_numbers().private_value.to_bytes(32, "big")
    assert b"PRIVATE KEY" not in raw
    assert _der(key) not in raw and scalar not in raw
    with sqlite3.connect(tmp_path / "p.db") as conn:
        (sealed,) = conn.execute("select key_sealed from portal_users").fetchone()
    assert sealed.startswith(b"EVK1") and scalar not in sealed
    opened = open_key(sealed, secret=key_secret(app.config), username="operator1@platform",
                      msp_id="PlatformMSP")
    assert _pem(opened) == _pem(key)


def test_only_the_server_secret_and_the_right_row_open_the_key() -> None:
    key = ec.generate_private_key(ec.SECP256R1())
    sealed = seal_key(key, secret="server secret", username="a@platform", msp_id="PlatformMSP")
    assert _pem(open_key(sealed, secret="server secret", username="a@platform",
                         msp_id="PlatformMSP")) == _pem(key)
    with pytest.raises(KeySealError):
        open_key(sealed, secret="another secret", username="a@platform", msp_id="PlatformMSP")
    with pytest.raises(KeySealError):  # moved to another user's row
        open_key(sealed, secret="server secret", username="b@platform", msp_id="PlatformMSP")
    with pytest.raises(KeySealError):
        open_key(sealed[:-1] + bytes([sealed[-1] ^ 1]), secret="server secret",
                 username="a@platform", msp_id="PlatformMSP")
    assert seal_key(key, secret="s", username="a", msp_id="M") != seal_key(
        key, secret="s", username="a", msp_id="M")  # fresh salt and nonce


def test_signer_signs_with_the_certificate_key(app: Flask) -> None:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric.utils import Prehashed

    with app.app_context():
        user = get_session().scalar(select(PortalUser).where(
            PortalUser.username == "verifier1@platform"))
        signer = signer_for(user, key_secret(app.config))
        digest = b"\x01" * 32
        signature = signer.sign(digest)
        public = x509.load_pem_x509_certificate(user.cert_pem.encode()).public_key()
        public.verify(signature, digest, ec.ECDSA(Prehashed(hashes.SHA256())))


def test_no_page_or_api_answer_contains_key_material(app: Flask) -> None:
    from .webapp_helpers import login

    client = app.test_client()
    login(client, "operator1@platform")
    for path in ("/dashboard", "/api/v1/me", "/audit/"):
        body = client.get(path).get_data(as_text=True)
        assert "PRIVATE KEY" not in body and "EVK1" not in body
