"""REST writes for tokens and credits: auth, validation as problem+json, 503 without a peer.

The portal runs with ``LEDGER_DISABLED`` (no Fabric network in unit tests), so every
well-formed request ends in 503 ``ledger_unavailable`` with that reason, after the
portal permission and the chaincode's own validation have run.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

from envalue.chaincode.identity import actor_from_certificate
from envalue.webapp.db import AuditEntry, PortalUser, get_session
from envalue.webapp.services.users import create_api_token

from .webapp_helpers import login

pytestmark = pytest.mark.unit

REASON = "the Fabric network is not running in unit tests"


def _auth(app: Flask, username: str) -> dict[str, str]:
    with app.app_context():
        db = get_session()
        user = db.scalar(select(PortalUser).where(PortalUser.username == username))
        return {"Authorization": f"Bearer {create_api_token(db, user, 'test')}"}


def _holder(app: Flask, username: str) -> str:
    with app.app_context():
        user = get_session().scalar(select(PortalUser).where(PortalUser.username == username))
        return f"{user.msp_id}/{actor_from_certificate(user.msp_id, user.cert_pem.encode()).id}"


def _post(client: FlaskClient, path: str, headers: dict[str, str], body: Any) -> Any:
    return client.post(path, headers=headers, data=json.dumps(body),
                       content_type="application/json")


def _problem(resp: Any, status: int) -> dict[str, Any]:
    assert resp.status_code == status, resp.data
    assert resp.mimetype == "application/problem+json"
    body = json.loads(resp.data)
    assert body["status"] == status and {"type", "title", "rule", "detail"} <= set(body)
    return body


TRANSFER = {"items": [{"lot_id": "LOT-1", "recipient": "operator1@platform",
                       "quantity_kg": 250}]}


def test_writes_need_a_bearer_token(app: Flask, client: FlaskClient) -> None:
    assert _problem(_post(client, "/api/v1/tokens/transfers", {}, TRANSFER),
                    401)["rule"] == "unauthenticated"
    login(client, "customer1@customer")  # a session cookie never drives a write
    assert _post(client, "/api/v1/tokens/transfers", {}, TRANSFER).status_code == 401


@pytest.mark.parametrize(("user", "path", "permission"), [
    ("verifier1@platform", "/api/v1/tokens/transfers", "wallet.view"),
    ("customer1@customer", "/api/v1/credits/reports/R-1/verification", "credits.review"),
    # the API route lets credit viewers in; the service checks the write permission
    ("customer1@customer", "/api/v1/credits/programs", "credits.program.manage"),
    ("verifier1@platform", "/api/v1/credits/reports/R-1/submit", "credits.program.manage"),
])
def test_roles_without_the_permission_get_403(app: Flask, client: FlaskClient, user: str,
                                              path: str, permission: str) -> None:
    body = _problem(_post(client, path, _auth(app, user), TRANSFER), 403)
    assert body["rule"] == f"permission:{permission}" and body["field"] == "role"


@pytest.mark.parametrize(("body", "field", "value", "rule"), [
    ({"items": [{"lot_id": "LOT-1", "recipient": "operator1@platform", "quantity_kg": -5}]},
     "items[0].quantity_kg", -5, "positive"),
    ({"items": [{"lot_id": "LOT-1", "recipient": "operator1@platform", "quantity_kg": 1.5}]},
     "items[0].quantity_kg", "1.5", "integer"),
    ({"items": [{"lot_id": "LOT-1", "recipient": "nobody", "quantity_kg": 5}]},
     "items[0].recipient", "nobody", "holder"),
    ({"items": [{"lot_id": "LOT-1", "recipient": "customer1@customer", "quantity_kg": 5}]},
     "items[0].recipient", None, "self-transfer"),
    ({"items": []}, "items", None, "required"),
    ({"items": "all"}, "items", "all", "array"),
    ({"items": [], "amount": 3}, "amount", 3, "unknown-field"),
])
def test_invalid_bodies_are_400_with_field_value_rule(app: Flask, client: FlaskClient,
                                                      body: dict[str, Any], field: str,
                                                      value: Any, rule: str) -> None:
    problem = _problem(_post(client, "/api/v1/tokens/transfers",
                             _auth(app, "customer1@customer"), body), 400)
    assert (problem["field"], problem["rule"]) == (field, rule)
    if value is not None:
        assert problem["value"] == value


def test_an_unknown_escrow_action_is_refused_before_the_ledger(app: Flask,
                                                              client: FlaskClient) -> None:
    """`action` is checked by the chaincode's own rule, not read as "anything but settle"."""
    problem = _problem(_post(client, "/api/v1/tokens/escrows/E-1/release",
                             _auth(app, "customer1@customer"), {"action": "burn"}), 400)
    assert (problem["field"], problem["value"]) == ("action", "burn")


def test_valid_writes_without_a_peer_are_503_naming_the_reason(app: Flask,
                                                                client: FlaskClient) -> None:
    customer = _auth(app, "customer1@customer")
    problem = _problem(_post(client, "/api/v1/tokens/transfers", customer, TRANSFER), 503)
    assert problem["rule"] == "ledger_unavailable" and problem["detail"] == REASON
    operator = _auth(app, "operator1@platform")
    for path, body in (
            ("/api/v1/tokens/retirements", {"lot_id": "LOT-1", "quantity_kg": 5, "info": {
                "beneficiary": "Ena", "purpose": "voluntary", "reporting_year": 2025}}),
            ("/api/v1/tokens/escrows/E-1/release", {"action": "settle"}),
            ("/api/v1/credits/programs", {"program_id": "ENA", "name": "Ena",
                                          "methodologies": ["EN-R-002"]}),
            ("/api/v1/credits/programs/ENA/sites", {"site_id": "S-1",
                                                    "owner": "customer1@customer"}),
            ("/api/v1/credits/reports/R-1/lots", {"lots": [
                {"lot_id": "LOT-1", "owner": _holder(app, "customer1@customer")}]}),
            ("/api/v1/credits/reports/R-1/settlement", {"limit": 10}),
            ("/api/v1/credits/transfers", {"batch_id": "R-1", "recipient":
                                           "customer1@customer", "quantity_t": 1})):
        headers = customer if path.startswith("/api/v1/tokens") else operator
        assert _problem(_post(client, path, headers, body), 503)["detail"] == REASON, path
    resp = client.post("/api/v1/credits/reports/R-1/submit", headers=operator)
    assert _problem(resp, 503)["rule"] == "ledger_unavailable"
    with app.app_context():  # what reached the ledger's door is in the audit log
        entry = get_session().scalar(select(AuditEntry).where(
            AuditEntry.action == "ledger.tokens:transfer"))
        assert entry.outcome == "failed" and entry.actor == "customer1@customer"
        assert REASON in entry.detail


def test_credit_bodies_are_validated_like_the_chaincode(app: Flask, client: FlaskClient) -> None:
    operator = _auth(app, "operator1@platform")
    verifier = _auth(app, "verifier1@platform")
    problem = _problem(_post(client, "/api/v1/credits/reports/R-1/verification", verifier,
                             {"decision": "reject"}), 400)
    assert (problem["field"], problem["rule"]) == ("comments", "required")
    problem = _problem(_post(client, "/api/v1/credits/reports", operator, {
        "report_id": "R-1", "program_id": "ENA", "period_start": "2025-07-01",
        "period_end": "2025-06-30"}), 400)
    assert (problem["field"], problem["rule"]) == ("period_end", "period-order")
    problem = _problem(_post(client, "/api/v1/credits/retirements", operator, {
        "batch_id": "R-1", "quantity_t": 1, "user_name": "Ena Foods", "use": "fun",
        "purpose_detail": "x", "reporting_year": 2025}), 400)
    assert (problem["field"], problem["value"], problem["rule"]) == ("use", "fun", "enum")
    problem = _problem(client.get("/api/v1/credits/batches/R-1/distribution?proceeds_yen=1.5",
                                  headers=operator), 400)
    assert (problem["field"], problem["rule"]) == ("proceeds_yen", "non-negative-integer")
    problem = _problem(client.get("/api/v1/credits/batches/R-1/distribution",
                                  headers=operator), 400)
    assert (problem["field"], problem["rule"]) == ("proceeds_yen", "required")


def test_reads_and_holder_keys(app: Flask, client: FlaskClient) -> None:
    login(client, "auditor1@platform")  # reads accept the session cookie
    assert _problem(client.get("/api/v1/tokens/audit"), 503)["detail"] == REASON
    assert _problem(client.get("/api/v1/tokens/audit?lot_id=bad id"), 400)["field"] == "lot_id"
    resp = client.get("/api/v1/tokens/holders/customer1@customer")
    assert resp.status_code == 200
    assert resp.get_json()["holder"] == _holder(app, "customer1@customer")
    assert _problem(client.get("/api/v1/tokens/holders/ghost@nowhere"), 400)["rule"] == "holder"


def test_openapi_documents_the_writes(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    transfer = paths["/api/v1/tokens/transfers"]["post"]
    assert {"200", "400", "401", "403", "409", "422", "503"} <= set(transfer["responses"])
    assert "application/problem+json" in transfer["responses"]["503"]["content"]
    schema = transfer["requestBody"]["content"]["application/json"]["schema"]
    assert schema["required"] == ["items"]
    assert {"/api/v1/credits/reports/{report_id}/verification",
            "/api/v1/credits/batches/{batch_id}/distribution",
            "/api/v1/tokens/cancellations/{request_id}/approve"} <= set(paths)


def test_contract_for_keeps_refusing_without_a_peer(app: Flask) -> None:
    from envalue.ledger import LedgerUnavailableError
    from envalue.webapp.errors import LedgerUnavailableError as PortalLedgerUnavailable
    from envalue.webapp.gateway import gateway
    from envalue.webapp.services.users import key_secret

    assert PortalLedgerUnavailable is LedgerUnavailableError  # one class for every front end
    with app.app_context():
        user = get_session().scalar(select(PortalUser).where(
            PortalUser.username == "customer1@customer"))
        with pytest.raises(LedgerUnavailableError) as err, gateway().contract_for(
                user, "tokens", key_secret=key_secret(app.config)):
            pass
    assert err.value.reason == REASON
