"""Upload page: the quality report of `envalue.ingest`, audited, for uploading roles only."""

from __future__ import annotations

import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from envalue.webapp.db import AuditEntry, get_session

from .webapp_helpers import CSV, csrf_token, login

pytestmark = pytest.mark.unit


def _upload(client: FlaskClient, body: bytes = CSV, name: str = "meter.csv",
            device: str = "dev-1", **extra: str) -> tuple[int, str]:
    token = csrf_token(client, "/ingest/")
    data = {"csrf_token": token, "device": device, "period": "day",
            "file": (io.BytesIO(body), name, "text/csv"), **extra}
    resp = client.post("/ingest/", data=data, content_type="multipart/form-data",
                       headers=extra.pop("headers", None) or {})
    return resp.status_code, resp.get_data(as_text=True)


def _quality(page: str) -> dict[str, int]:
    return {k: int(v) for k, v in re.findall(r'data-quality="(\w+)">(\d+)<', page)}


def test_upload_returns_the_quality_report(app: Flask, client: FlaskClient) -> None:
    login(client, "customer1@customer")
    status, page = _upload(client)
    assert status == 201, page
    assert 'data-testid="quality-report"' in page
    quality = _quality(page)
    assert quality["accepted"] == 3 and quality["rejected"] == 2
    assert "malformed_row" in page and "negative_value" in page
    with app.app_context():
        entry = get_session().scalar(select(AuditEntry).where(
            AuditEntry.action == "ingest.upload"))
        assert entry.actor == "customer1@customer" and entry.outcome == "ok"
        assert "accepted=3" in entry.detail
    status, page = _upload(client)  # the same data again: nothing new stored
    assert status == 200 and "already stored" in page


def test_fragment_for_the_progress_script(client: FlaskClient) -> None:
    login(client, "operator1@platform")
    token = csrf_token(client, "/ingest/")
    resp = client.post("/ingest/", data={"csrf_token": token, "device": "dev-1",
                                         "period": "day", "dry_run": "y",
                                         "file": (io.BytesIO(CSV), "m.csv", "text/csv")},
                       content_type="multipart/form-data",
                       headers={"X-Requested-With": "fetch"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "<html" not in page
    assert "not stored (dry run)" in page


def test_unreadable_upload_shows_the_problem(client: FlaskClient) -> None:
    login(client, "operator1@platform")
    status, page = _upload(client, body=b"   ")
    assert status == 400 and "empty_body" in page


def test_roles_without_upload_are_refused(client: FlaskClient) -> None:
    login(client, "verifier1@platform")
    assert client.get("/ingest/").status_code == 403


def test_upload_without_csrf_is_refused(client: FlaskClient) -> None:
    login(client, "operator1@platform")
    resp = client.post("/ingest/", data={"device": "dev-1",
                                         "file": (io.BytesIO(CSV), "m.csv", "text/csv")},
                       content_type="multipart/form-data")
    assert resp.status_code == 400 and "CSRF" in resp.get_data(as_text=True)


def test_device_api_is_mounted_without_csrf(client: FlaskClient) -> None:
    resp = client.post("/api/v1/ingest", query_string={"device": "dev-9"},
                       data=CSV.replace(b"dev-1", b"dev-9"), content_type="text/csv")
    assert resp.status_code == 201, resp.data
    assert resp.get_json()["quality"]["accepted"] == 3


def test_a_registry_link_prefills_the_device(client: FlaskClient) -> None:
    login(client, "customer1@customer")
    page = client.get("/ingest/?device=gw-ena-1").get_data(as_text=True)
    assert 'value="gw-ena-1"' in page
