"""Japanese and English: the choice is remembered (cookie, and the profile when signed in)."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from envalue.webapp.db import PortalUser, get_session
from envalue.webapp.i18n import TRANSLATIONS, compile_catalogs

from .webapp_helpers import csrf_token, login

pytestmark = pytest.mark.unit


def _switch(client: FlaskClient, language: str, page: str = "/login") -> None:
    token = csrf_token(client, page)
    resp = client.post("/language", data={"language": language, "csrf_token": token,
                                          "next": page})
    assert resp.status_code == 302


def test_anonymous_choice_is_remembered_in_a_cookie(client: FlaskClient) -> None:
    assert "Sign in" in client.get("/login").get_data(as_text=True)
    _switch(client, "ja")
    page = client.get("/login").get_data(as_text=True)
    assert "ログイン" in page and '<html lang="ja">' in page
    _switch(client, "en")
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_signed_in_choice_is_saved_on_the_profile(app: Flask, client: FlaskClient) -> None:
    login(client, "operator1@platform")
    _switch(client, "ja", "/dashboard")
    with app.app_context():
        user = get_session().scalar(select(PortalUser).where(
            PortalUser.username == "operator1@platform"))
        assert user.language == "ja"
    other = app.test_client()  # a new browser: no cookie, the profile decides
    login(other, "operator1@platform")
    page = other.get("/dashboard").get_data(as_text=True)
    assert "ダッシュボード" in page and "ロール (証明書より)" in page


def test_accept_language_is_the_default(client: FlaskClient) -> None:
    page = client.get("/login", headers={"Accept-Language": "ja,en;q=0.5"})
    assert "ログイン" in page.get_data(as_text=True)


def test_unknown_language_is_refused(client: FlaskClient) -> None:
    token = csrf_token(client, "/login")
    client.post("/language", data={"language": "xx", "csrf_token": token})
    assert "Sign in" in client.get("/login").get_data(as_text=True)


def test_compiled_catalog_matches_its_source(tmp_path: Path) -> None:
    po = TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.po"
    with po.open("rb") as handle:
        source = {m.id: m.string for m in read_po(handle) if m.id}
    assert all(source.values()), [k for k, v in source.items() if not v]
    with (TRANSLATIONS / "ja" / "LC_MESSAGES" / "messages.mo").open("rb") as handle:
        compiled = {m.id: m.string for m in read_mo(handle) if m.id}
    assert compiled == source
    copy = tmp_path / "ja" / "LC_MESSAGES"
    copy.mkdir(parents=True)
    (copy / "messages.po").write_bytes(po.read_bytes())
    assert compile_catalogs(tmp_path) == [copy / "messages.mo"]
    assert compile_catalogs(tmp_path) == []  # up to date: nothing rewritten
