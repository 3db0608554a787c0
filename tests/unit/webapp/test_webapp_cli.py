"""`envalue portal enroll --msp-dir`, `users` and `token` without a running CA."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from cryptography.hazmat.primitives import serialization

from envalue.cli import main
from envalue.webapp import create_app

from .webapp_helpers import FakeFabricCA

pytestmark = pytest.mark.unit


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("ENVALUE_PORTAL_SECRET_KEY", "cli-secret")
    monkeypatch.setenv("ENVALUE_PORTAL_DB", f"sqlite:///{tmp_path}/cli.db")
    monkeypatch.setenv("ENVALUE_PORTAL_DEMO_LOGINS", str(tmp_path / "none.json"))
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(tmp_path / "net"))
    return tmp_path


def _msp(folder: Path, ca: FakeFabricCA, name: str, role: str | None) -> Path:
    cert, key = ca.issue(name, {"role": role} if role else None)
    (folder / "signcerts").mkdir(parents=True)
    (folder / "keystore").mkdir()
    (folder / "signcerts" / "cert.pem").write_bytes(cert)
    (folder / "keystore" / "x_sk").write_bytes(key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption()))
    return folder


def test_import_list_and_token(env: Path, fabric_ca: FakeFabricCA) -> None:
    runner = CliRunner()
    msp = _msp(env / "msp", fabric_ca, "market-op", "operator")
    result = runner.invoke(main, ["portal", "enroll", "--org", "market", "--user", "market-op",
                                  "--msp-dir", str(msp), "--generate-password", "--json"])
    assert result.exit_code == 0, result.output
    made = json.loads(result.output)
    assert made["msp_id"] == "MarketMSP" and made["role"] == "operator" and made["password"]
    again = runner.invoke(main, ["portal", "enroll", "--org", "market", "--user", "market-op",
                                 "--msp-dir", str(msp), "--generate-password"])
    assert again.exit_code == 1 and "exists" in again.output
    listed = json.loads(runner.invoke(main, ["portal", "users", "--json"]).output)
    assert [(r["username"], r["role"]) for r in listed] == [("market-op@market", "operator")]
    token = runner.invoke(main, ["portal", "token", "--username", "market-op@market"])
    assert token.exit_code == 0 and token.output.startswith("evt_")
    client = create_app().test_client()
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token.output.strip()}"})
    assert me.status_code == 200 and me.get_json()["role"] == "operator"


def test_refusals(env: Path, fabric_ca: FakeFabricCA) -> None:
    runner = CliRunner()
    msp = _msp(env / "norole", fabric_ca, "x", None)
    result = runner.invoke(main, ["portal", "enroll", "--org", "platform", "--user", "x",
                                  "--msp-dir", str(msp), "--generate-password"])
    assert result.exit_code == 1 and "role" in result.output
    result = runner.invoke(main, ["portal", "enroll", "--org", "ordering", "--user", "x",
                                  "--msp-dir", str(msp), "--generate-password"])
    assert result.exit_code == 1 and "OrdererMSP has no portal users" in result.output
    result = runner.invoke(main, ["portal", "enroll", "--org", "platform", "--user", "y",
                                  "--generate-password"])  # no CA tier in this home
    assert result.exit_code == 1 and "bootstrap-admin.secret" in result.output
    assert runner.invoke(main, ["portal", "token", "--username", "nobody"]).exit_code == 1
