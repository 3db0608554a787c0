"""Portal users enrolled from the real Platform CA: the role shown comes from the certificate."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import ec
from sqlalchemy import select

from envalue.cli import main
from envalue.client import certificate_attributes
from envalue.network.settings import NetworkSettings
from envalue.network.topology import org_by_key
from envalue.webapp import create_app
from envalue.webapp.db import PortalUser, get_session
from envalue.webapp.extensions import limiter
from tests.unit.webapp.webapp_helpers import login

pytestmark = pytest.mark.integration

SECRET = "integration-portal-secret"


@pytest.fixture
def portal_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    env = {"ENVALUE_PORTAL_SECRET_KEY": SECRET,
           "ENVALUE_PORTAL_DB": f"sqlite:///{tmp_path}/portal.db"}
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    return env


@pytest.fixture
def demo_logins(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = tmp_path / "demo-logins.json"
    monkeypatch.setenv("ENVALUE_PORTAL_DEMO_LOGINS", str(path))
    return path


def _enroll(settings: NetworkSettings, *args: str) -> dict[str, str]:
    result = CliRunner().invoke(main, ["portal", "enroll", "--home", str(settings.layout.home),
                                       "--generate-password", "--json", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


def _issued_by(cert_pem: str, ca_pem: bytes) -> bool:
    cert = x509.load_pem_x509_certificate(cert_pem.encode())
    ca = x509.load_pem_x509_certificate(ca_pem)
    key = ca.public_key()
    assert isinstance(key, ec.EllipticCurvePublicKey)
    key.verify(cert.signature, cert.tbs_certificate_bytes,
               ec.ECDSA(cert.signature_hash_algorithm))  # type: ignore[arg-type]
    return cert.issuer == ca.subject


def test_portal_user_enrolled_from_the_platform_ca(ca_tier: NetworkSettings,
                                                   portal_env: dict[str, str],
                                                   monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(ca_tier.layout.home))
    made = _enroll(ca_tier, "--org", "platform", "--user", "portal-verifier-1",
                   "--role", "verifier")
    assert made["username"] == "portal-verifier-1@platform" and made["role"] == "verifier"
    again = _enroll(ca_tier, "--org", "platform", "--user", "operator1")  # already registered
    assert again["role"] == "operator"
    org = org_by_key("platform")
    imported = _enroll(ca_tier, "--org", "platform", "--user", "auditor1", "--msp-dir",
                       str(ca_tier.layout.user(org, "auditor1") / "msp"))
    assert imported["role"] == "auditor"

    app = create_app({"LEDGER_CONNECT_TIMEOUT": 0.5})
    limiter.reset()
    ca_pem = ca_tier.layout.ca_cert(org).read_bytes()
    with app.app_context():
        users = {u.username: u for u in get_session().scalars(select(PortalUser))}
    for name, role in (("portal-verifier-1@platform", "verifier"),
                       ("operator1@platform", "operator"), ("auditor1@platform", "auditor")):
        user = users[name]
        assert certificate_attributes(user.cert_pem.encode())["role"] == role == user.role
        assert _issued_by(user.cert_pem, ca_pem)
        assert b"PRIVATE KEY" not in user.key_sealed

    client = app.test_client()
    assert login(client, "portal-verifier-1@platform", made["password"]).status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="role">verifier<' in page and "PlatformMSP" in page
    assert "ledger unavailable:" in page  # CAs only: no peers in this tier
    assert client.get("/ingest/").status_code == 403  # verifiers do not upload

    operator = app.test_client()
    assert login(operator, "operator1@platform", again["password"]).status_code == 302
    assert 'data-testid="role">operator<' in operator.get("/dashboard").get_data(as_text=True)

    users_out = CliRunner().invoke(main, ["portal", "users", "--json"])
    assert users_out.exit_code == 0, users_out.output
    listed = {row["username"]: row["role"] for row in json.loads(users_out.output)}
    assert listed == {"auditor1@platform": "auditor", "operator1@platform": "operator",
                      "portal-verifier-1@platform": "verifier"}


def test_new_identity_needs_a_role(ca_tier: NetworkSettings,
                                   portal_env: dict[str, str]) -> None:
    result = CliRunner().invoke(main, ["portal", "enroll", "--home", str(ca_tier.layout.home),
                                       "--org", "platform", "--user", "nobody-1",
                                       "--generate-password"])
    assert result.exit_code == 1 and "role:" in result.output


def test_demo_enrollment_of_every_consortium_user(ca_tier: NetworkSettings,
                                                  portal_env: dict[str, str],
                                                  demo_logins: Path) -> None:
    from envalue.network.topology import PEER_ORGS

    result = CliRunner().invoke(main, ["portal", "enroll-demo", "--home",
                                       str(ca_tier.layout.home)])
    assert result.exit_code == 0, result.output
    logins = json.loads(demo_logins.read_text())
    expected = {f"{u.name}@{o.key}": u.role for o in PEER_ORGS for u in o.users}
    assert set(logins) == set(expected)
    assert demo_logins.stat().st_mode & 0o077 == 0
    listed = CliRunner().invoke(main, ["portal", "users", "--json"])
    rows = {row["username"]: row for row in json.loads(listed.output)}
    assert {name: row["role"] for name, row in rows.items()} == expected
    assert all(rows[name]["demo_password"] == logins[name] for name in expected)
    app = create_app({})
    limiter.reset()
    client = app.test_client()
    assert login(client, "city1@municipality", logins["city1@municipality"]).status_code == 302
    page = client.get("/dashboard").get_data(as_text=True)
    assert 'data-testid="role">municipality<' in page and "MunicipalityMSP" in page
