"""Public verification: no sign-in; signed JSON checked against the consortium's CAs."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from flask import Flask

from envalue.certificates import certificate_from_record, sign_certificate
from envalue.webapp import create_app
from tests.unit.certificates.certificates_helpers import TestCA, token_record

from .webapp_helpers import csrf_token, portal_config

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def issuer() -> TestCA:
    return TestCA.create()


@pytest.fixture
def verify_app(tmp_path: Path, issuer: TestCA) -> Flask:
    return create_app(portal_config(tmp_path, TRUSTED_CA_PEMS={"PlatformMSP": [issuer.pem]}))


@pytest.fixture
def signed(issuer: TestCA) -> dict:
    return sign_certificate(certificate_from_record(token_record()), issuer.issue())


def _post(app: Flask, doc: bytes, path: str = "/verify/") -> tuple[int, str]:
    client = app.test_client()
    token = csrf_token(client, path)
    resp = client.post(path, data={"csrf_token": token,
                                   "file": (io.BytesIO(doc), "c.json", "application/json")},
                       content_type="multipart/form-data")
    return resp.status_code, resp.get_data(as_text=True)


def test_valid_certificate_without_sign_in(verify_app: Flask, signed: dict) -> None:
    status, page = _post(verify_app, json.dumps(signed).encode())
    assert status == 200
    assert 'data-testid="verdict">Valid<' in page
    assert signed["certificate"]["certificate_id"] in page


def test_tampered_certificate_is_not_valid(verify_app: Flask, signed: dict) -> None:
    signed["certificate"]["beneficiary"] = "someone else"
    status, page = _post(verify_app, json.dumps(signed).encode())
    assert status == 200 and 'data-testid="verdict">Not valid<' in page
    assert "beneficiary" in page


def test_untrusted_issuer_is_not_valid(tmp_path: Path, signed: dict) -> None:
    app = create_app(portal_config(tmp_path, TRUSTED_CA_PEMS={
        "PlatformMSP": [TestCA.create().pem]}))
    _, page = _post(app, json.dumps(signed).encode())
    assert 'data-testid="verdict">Not valid<' in page and "chain" in page


def test_certificate_page_by_id_says_the_read_model_lacks_it(verify_app: Flask,
                                                             signed: dict) -> None:
    """A hand-made certificate was never projected: 404, with the read model's state
    (test_webapp_certificates shows a projected one found by id)."""
    cert_id = signed["certificate"]["certificate_id"]
    resp = verify_app.test_client().get(f"/verify/{cert_id}")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404 and 'data-testid="lookup"' not in page
    assert f"no retirement with certificate id {cert_id} is in the portal&#39;s read model" \
        in page
    assert 'data-testid="readmodel-empty"' in page
    status, page = _post(verify_app, json.dumps(signed).encode(), f"/verify/{cert_id}")
    assert 'data-testid="verdict">Valid<' in page and "is certificate" not in page
    _, page = _post(verify_app, json.dumps(signed).encode(), "/verify/RC-00000000000000000000")
    assert "is certificate" in page  # the document is another certificate


def test_bad_id_and_bad_json(verify_app: Flask) -> None:
    client = verify_app.test_client()
    assert client.get("/verify/not-an-id").status_code == 404
    status, page = _post(verify_app, b"{oops")
    assert status == 400 and "<code>json</code>" in page


def test_api_verification(verify_app: Flask, signed: dict) -> None:
    resp = verify_app.test_client().post("/api/v1/certificates/verify", json=signed)
    assert resp.status_code == 200 and resp.get_json()["valid"] is True
