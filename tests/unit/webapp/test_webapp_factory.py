"""The app factory: configuration, blueprints, security headers and cookie flags."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from envalue.webapp import create_app

from .webapp_helpers import login, portal_config

pytestmark = pytest.mark.unit


def test_factory_registers_every_area(app: Flask) -> None:
    names = set(app.blueprints)
    assert {"auth", "dashboard", "ingest", "calc", "verify", "wallet", "credits", "trace",
            "audit", "api_v1", "envalue_ingest"} <= names
    rules = {r.rule for r in app.url_map.iter_rules()}
    assert {"/api/v1/ingest", "/api/v1/openapi.json", "/verify/<certificate_id>"} <= rules


def test_config_comes_from_the_environment(tmp_path: Path,
                                           monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ENVALUE_PORTAL_SECRET_KEY", "from-env")
    monkeypatch.setenv("ENVALUE_PORTAL_DB", f"sqlite:///{tmp_path}/env.db")
    monkeypatch.setenv("ENVALUE_PORTAL_SECURE_COOKIES", "1")
    app = create_app({"LEDGER_DISABLED": "test"})
    assert app.config["SECRET_KEY"] == "from-env"
    assert app.config["DATABASE_URL"].endswith("env.db")
    assert app.config["SESSION_COOKIE_SECURE"] is True
    assert (tmp_path / "env.db").exists()
    assert app.config["RATELIMIT_STORAGE_URI"] == "memory://"  # per worker unless shared


def test_security_headers(client: FlaskClient) -> None:
    resp = client.get("/login")
    assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
    assert resp.headers["X-Frame-Options"] == "DENY"
    assert resp.headers["X-Content-Type-Options"] == "nosniff"


def test_session_cookie_is_httponly_and_lax(client: FlaskClient) -> None:
    resp = login(client, "operator1@platform")
    cookie = next(c for c in resp.headers.getlist("Set-Cookie")
                  if c.startswith("envalue_session="))
    assert "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Secure" not in cookie


def test_session_cookie_is_secure_behind_tls(tmp_path: Path, fabric_ca) -> None:  # type: ignore[no-untyped-def]
    from .webapp_helpers import add_user

    app = create_app(portal_config(tmp_path, SESSION_COOKIE_SECURE=True))
    add_user(app, fabric_ca, "operator1", "operator")
    client = app.test_client()
    resp = login(client, "operator1@platform")
    cookie = next(c for c in resp.headers.getlist("Set-Cookie")
                  if c.startswith("envalue_session="))
    assert "Secure" in cookie


def test_static_assets_are_local(client: FlaskClient) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert "http://" not in html.replace("http://localhost", "")
    assert "https://" not in html
    assert client.get("/static/js/portal.js").status_code == 200
