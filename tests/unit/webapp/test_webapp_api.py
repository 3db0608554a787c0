"""The JSON API: bearer tokens, problem+json errors with field/value/rule, OpenAPI."""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from envalue.chaincode.domain.methodologies import calculate
from envalue.chaincode.domain.quantity import loads

from .ledger_helpers import api_token  # noqa: E402
from .webapp_helpers import login

pytestmark = pytest.mark.unit

PV = {"pv_generation_kwh": "120000.5", "pv_export_kwh": "20000", "aux_grid_kwh": "350",
      "ef_grid": "0.000441"}




def _problem(resp: Any) -> dict[str, Any]:
    assert resp.mimetype == "application/problem+json", resp.data
    body = json.loads(resp.data)
    assert body["status"] == resp.status_code and {"type", "title", "rule"} <= set(body)
    return body


def test_dry_run_matches_calculate(app: Flask, client: FlaskClient) -> None:
    token = api_token(app, "verifier1@platform")
    resp = client.post("/api/v1/calculations/dry-run",
                       headers={"Authorization": f"Bearer {token}"},
                       data=json.dumps({"methodology": "pv-self-consumption", "inputs": PV}),
                       content_type="application/json")
    assert resp.status_code == 200, resp.data
    expected = calculate("pv-self-consumption", loads(json.dumps(PV))).to_dict()
    body = resp.get_json()
    assert {k: body[k] for k in expected} == expected


@pytest.mark.parametrize(("inputs", "field", "rule"), [
    ({**PV, "pv_export_kwh": "-1"}, "pv_export_kwh", "non-negative"),
    ({k: v for k, v in PV.items() if k != "ef_grid"}, "ef_grid", "required"),
])
def test_invalid_inputs_are_problem_json_with_field_value_rule(
        app: Flask, client: FlaskClient, inputs: dict[str, str], field: str, rule: str) -> None:
    token = api_token(app, "operator1@platform")
    resp = client.post("/api/v1/calculations/dry-run",
                       headers={"Authorization": f"Bearer {token}"},
                       data=json.dumps({"methodology": "pv-self-consumption",
                                        "inputs": inputs}),
                       content_type="application/json")
    assert resp.status_code == 400
    body = _problem(resp)
    assert body["field"] == field and body["rule"] == rule and "value" in body


def test_api_errors(app: Flask, client: FlaskClient) -> None:
    url = "/api/v1/calculations/dry-run"
    body = _problem(client.post(url, json={"methodology": "x", "inputs": {}}))
    assert body["status"] == 401 and body["rule"] == "unauthenticated"
    body = _problem(client.post(url, headers={"Authorization": "Bearer nope"}, json={}))
    assert body["rule"] == "invalid_token" and body["field"] == "Authorization"
    auth = {"Authorization": f"Bearer {api_token(app, 'operator1@platform')}"}
    body = _problem(client.post(url, headers=auth, data="x", content_type="text/plain"))
    assert body["status"] == 415 and body["field"] == "Content-Type"
    body = _problem(client.post(url, headers=auth, json={"methodology": "pv-self-consumption"}))
    assert body["field"] == "inputs" and body["rule"] == "required"
    body = _problem(client.post(url, headers=auth, json={"methodology": "nope", "inputs": {}}))
    assert body["status"] == 404 and body["field"] == "methodology" and body["value"] == "nope"
    body = _problem(client.get("/api/v1/methodologies/pv-battery/9"))
    assert body["field"] == "version"
    assert _problem(client.get("/api/v1/nowhere"))["rule"] == "not_found"


def test_session_cookie_reads_but_never_writes(app: Flask, client: FlaskClient) -> None:
    login(client, "operator1@platform")
    assert client.get("/api/v1/me").get_json()["role"] == "operator"
    resp = client.post("/api/v1/calculations/dry-run",
                       json={"methodology": "pv-self-consumption", "inputs": PV})
    assert resp.status_code == 401  # a cookie alone cannot drive a write (no CSRF hole)


def test_forbidden_role_is_403(app: Flask, client: FlaskClient) -> None:
    token = api_token(app, "verifier1@platform")
    body = _problem(client.get("/api/v1/wallet/lots/LOT-1",
                               headers={"Authorization": f"Bearer {token}"}))
    assert body["status"] == 403 and body["field"] == "role" and body["value"] == "verifier"


def test_ledger_reads_answer_503_with_the_reason(app: Flask, client: FlaskClient) -> None:
    token = api_token(app, "customer1@customer")
    body = _problem(client.get("/api/v1/wallet/lots/LOT-1",
                               headers={"Authorization": f"Bearer {token}"}))
    assert body["status"] == 503 and body["rule"] == "ledger_unavailable"
    assert "not running in unit tests" in body["detail"]


def test_openapi_document(client: FlaskClient) -> None:
    spec = client.get("/api/v1/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    paths = spec["paths"]
    assert {"/api/v1/calculations/dry-run", "/api/v1/methodologies",
            "/api/v1/methodologies/{name}/{version}", "/api/v1/certificates/verify",
            "/api/v1/me", "/api/v1/wallet/lots/{lot_id}", "/api/v1/trace/{lot_id}",
            "/api/v1/ingest"} <= set(paths)
    problem = spec["components"]["schemas"]["Problem"]["properties"]
    assert {"field", "value", "rule"} <= set(problem)
    dry = paths["/api/v1/calculations/dry-run"]["post"]
    assert "application/problem+json" in dry["responses"]["400"]["content"]


@pytest.mark.parametrize(("path", "field"), [
    ("/api/v1/trace?q=LOT%00X", "q"), ("/trace/?q=a%01b", "q"),
    ("/api/v1/wallet/holdings?lot_id=%00", "lot_id"), ("/api/v1/trace/LOT%00X", "path")])
def test_control_characters_in_a_request_are_400_naming_the_field(
        client: FlaskClient, path: str, field: str) -> None:
    login(client, "operator1@platform")
    resp = client.get(path, headers={"Accept": "application/json"})
    body = resp.get_json()
    assert resp.status_code == 400, body
    assert (body["rule"], body["field"]) == ("control-character", field)
    assert "U+00" in body["detail"]
