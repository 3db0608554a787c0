"""Sign-in and sign-out, CSRF, rate limiting, redirects and the audit trail."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from envalue.webapp import create_app
from envalue.webapp.db import AuditEntry, get_session
from envalue.webapp.extensions import limiter

from .webapp_helpers import PASSWORD, csrf_token, login, portal_config

pytestmark = pytest.mark.unit


def _audit(app: Flask, action: str) -> list[AuditEntry]:
    with app.app_context():
        return list(get_session().scalars(select(AuditEntry).where(
            AuditEntry.action == action).order_by(AuditEntry.id)))


def test_post_without_csrf_token_is_refused(client: FlaskClient) -> None:
    resp = client.post("/login", data={"username": "operator1@platform",
                                       "password": PASSWORD})
    assert resp.status_code == 400
    assert "CSRF" in resp.get_data(as_text=True)
    assert client.get("/dashboard").status_code == 302  # not signed in


def test_post_with_a_forged_csrf_token_is_refused(client: FlaskClient) -> None:
    resp = client.post("/login", data={"username": "operator1@platform",
                                       "password": PASSWORD, "csrf_token": "forged"})
    assert resp.status_code == 400


def test_login_and_logout(app: Flask, client: FlaskClient) -> None:
    assert client.get("/dashboard").status_code == 302
    resp = login(client, "operator1@platform")
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/dashboard")
    page = client.get("/dashboard").get_data(as_text=True)
    assert "operator1@platform" in page and "PlatformMSP" in page
    token = csrf_token(client, "/dashboard")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/dashboard").status_code == 302
    outcomes = [(e.actor, e.outcome) for e in _audit(app, "auth.login")]
    assert outcomes == [("operator1@platform", "ok")]
    assert [e.actor for e in _audit(app, "auth.logout")] == ["operator1@platform"]


def test_wrong_password_is_refused_and_audited(app: Flask, client: FlaskClient) -> None:
    resp = login(client, "operator1@platform", "not the password")
    assert resp.status_code == 401
    assert client.get("/dashboard").status_code == 302
    assert [(e.actor, e.outcome) for e in _audit(app, "auth.login")] == [
        ("operator1@platform", "refused")]
    assert login(client, "nobody@platform").status_code == 401


def test_next_redirect_stays_on_site(client: FlaskClient) -> None:
    token = csrf_token(client, "/login")
    resp = client.post("/login", data={"username": "operator1@platform",
                                       "password": PASSWORD, "csrf_token": token,
                                       "next": "https://evil.example/"})
    assert resp.headers["Location"].endswith("/dashboard")


def test_login_rate_limit_refuses_the_attempt_after_the_limit(tmp_path: Path) -> None:
    app = create_app(portal_config(tmp_path, LOGIN_RATE_LIMIT="3 per minute"))
    limiter.reset()
    client = app.test_client()
    codes = [login(client, "operator1@platform", "wrong password!").status_code
             for _ in range(4)]
    assert codes == [401, 401, 401, 429]
    resp = login(client, "operator1@platform", "wrong password!")
    assert resp.status_code == 429
    assert client.get("/login").status_code == 200  # only POSTs count


def test_changing_the_password_ends_old_sessions(app: Flask, client: FlaskClient,
                                                 fabric_ca) -> None:  # type: ignore[no-untyped-def]
    from envalue.webapp.db import PortalUser
    from envalue.webapp.services.users import _hasher

    login(client, "operator1@platform")
    assert client.get("/dashboard").status_code == 200
    with app.app_context():
        db = get_session()
        user = db.scalar(select(PortalUser).where(PortalUser.username == "operator1@platform"))
        user.password_hash = _hasher.hash("a brand new password")
        db.commit()
    assert client.get("/dashboard").status_code == 302
