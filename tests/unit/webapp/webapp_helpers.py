"""Identities shaped like Fabric CA's (role attribute in 1.2.3.4.5.6.7.8.1) and portal users.

Unit tests cannot run a Fabric CA, so a throwaway CA issues leaf certificates carrying the
same attribute extension; the integration test does the same against the real CA.
"""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from flask import Flask
from flask.testing import FlaskClient

from envalue.client.ca import ATTRIBUTES_OID
from envalue.webapp.db import get_session
from envalue.webapp.services.users import ProvisionedUser, key_secret, provision

PASSWORD = "correct horse battery"
CSV = (b"timestamp,device_id,quantity,value,unit,kind\n"
       b"2024-04-01T00:30:00+09:00,dev-1,electricity,1.5,kWh,interval\n"
       b"2024-04-01T01:00:00+09:00,dev-1,electricity,2,kWh,interval\n"
       b"2024-04-01T01:30:00+09:00,dev-1,electricity\n"
       b"2024-04-01T02:00:00+09:00,dev-1,electricity,-3,kWh,interval\n"
       b"2024-04-01T02:30:00+09:00,dev-1,electricity,1200,Wh,interval\n")


class FakeFabricCA:
    """A self-signed P-256 CA issuing client certificates with Fabric CA attributes."""

    def __init__(self, cn: str = "ca.platform.envalue.local") -> None:
        self.key = ec.generate_private_key(ec.SECP256R1())
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
        now = datetime.now(UTC)
        self.cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
                     .public_key(self.key.public_key())
                     .serial_number(x509.random_serial_number())
                     .not_valid_before(now - timedelta(days=1))
                     .not_valid_after(now + timedelta(days=365))
                     .add_extension(x509.BasicConstraints(ca=True, path_length=None), True)
                     .sign(self.key, hashes.SHA256()))

    def issue(self, cn: str, attrs: dict[str, str] | None
              ) -> tuple[bytes, ec.EllipticCurvePrivateKey]:
        key = ec.generate_private_key(ec.SECP256R1())
        now = datetime.now(UTC)
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)]))
                   .issuer_name(self.cert.subject).public_key(key.public_key())
                   .serial_number(x509.random_serial_number())
                   .not_valid_before(now - timedelta(hours=1))
                   .not_valid_after(now + timedelta(days=90)))
        if attrs is not None:
            builder = builder.add_extension(x509.UnrecognizedExtension(
                ATTRIBUTES_OID, json.dumps({"attrs": attrs}).encode()), critical=False)
        from cryptography.hazmat.primitives import serialization

        cert = builder.sign(self.key, hashes.SHA256())
        return cert.public_bytes(serialization.Encoding.PEM), key


def add_user(app: Flask, ca: FakeFabricCA, name: str, role: str, org: str = "platform",
             password: str = PASSWORD) -> ProvisionedUser:
    cert, key = ca.issue(name, {"role": role, "hf.EnrollmentID": name})
    with app.app_context():
        return provision(get_session(), org_key=org, enrollment_id=name, cert_pem=cert,
                         private_key=key, password=password, secret=key_secret(app.config))


_CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"|'
                   r'name="csrf_token" value="([^"]+)"')


def csrf_token(client: FlaskClient, path: str) -> str:
    html = client.get(path).get_data(as_text=True)
    match = _CSRF.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client: FlaskClient, username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client, "/login")
    return client.post("/login", data={"username": username, "password": password,
                                       "csrf_token": token})


def portal_config(tmp_path: Any, **extra: Any) -> dict[str, Any]:
    return {"SECRET_KEY": "unit-test-secret", "DATABASE_URL": f"sqlite:///{tmp_path}/p.db",
            "LEDGER_DISABLED": "the Fabric network is not running in unit tests",
            "LOGIN_RATE_LIMIT": "1000 per minute", **extra}
