"""Wallet write forms: permission, CSRF, the chaincode's validation beside each field, and
'ledger unavailable' (503, entries kept) when there is no peer — as in these unit tests,
where the portal runs with ``LEDGER_DISABLED``. The audit log records what reached the
ledger's door (503 included), never a refused form.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from envalue.ledger.errors import LedgerConflict, LedgerRejection
from envalue.webapp.services import ledger as ledger_service

from .ledger_helpers import field_error, ledger_audit  # noqa: E402
from .webapp_helpers import csrf_token, login

pytestmark = pytest.mark.unit

REASON = "the Fabric network is not running in unit tests"

#: form -> (POST path, valid entries, audit action of the service call)
FORMS: dict[str, tuple[str, dict[str, str], str]] = {
    "transfer": ("/wallet/transfer", {"lot_id": "LOT-1", "recipient": "operator1@platform",
                                      "quantity_kg": "250"}, "ledger.tokens:transfer"),
    "retire": ("/wallet/retire", {"lot_id": "LOT-1", "quantity_kg": "1.5t",
                                  "beneficiary": "Ena Foods", "purpose": "japan_reporting_act",
                                  "reporting_year": "2025", "note": "FY2025 report"},
               "ledger.tokens:retire"),
    "escrow": ("/wallet/escrow", {"escrow_id": "E-1", "lot_id": "LOT-1",
                                  "counterparty": "operator1@platform", "quantity_kg": "100",
                                  "expires_at": "2030-01-01T09:00"}, "ledger.tokens:escrow"),
    "release": ("/wallet/release", {"escrow_id": "E-1", "action": "settle"},
                "ledger.tokens:release"),
}


def _post(client: FlaskClient, form: str, token: str | None, **changes: str) -> Any:
    path, values, _ = FORMS[form]
    data = {f"{form}-{k}": v for k, v in {**values, **changes}.items()}
    if token is not None:
        data[f"{form}-csrf_token"] = token
    return client.post(path, data=data)




def _input_value(page: str, name: str) -> str | None:
    """The value attribute of the input called `name`, as rendered."""
    tag = re.search(f'<input [^>]*name="{name}"[^>]*>', page)
    value = re.search(r' value="([^"]*)"', tag.group(0)) if tag else None
    return value.group(1) if value else None




def test_holders_see_every_wallet_form(client: FlaskClient) -> None:
    login(client, "customer1@customer")
    page = client.get("/wallet/").get_data(as_text=True)
    for form in FORMS:
        assert f'data-testid="{form}-form"' in page
        assert f'name="{form}-csrf_token"' in page
    # the purposes offered are the chaincode's own list
    assert 'value="japan_reporting_act"' in page and 'value="carbon_offset_product"' in page


@pytest.mark.parametrize("user", ["verifier1@platform", "auditor1@platform"])
def test_roles_without_the_permission_get_403_and_no_form(app: Flask, client: FlaskClient,
                                                          user: str) -> None:
    login(client, user)
    resp = client.get("/wallet/")
    assert resp.status_code == 403 and 'data-testid="transfer-form"' not in resp.get_data(
        as_text=True)
    token = csrf_token(client, "/dashboard")
    for form in FORMS:
        resp = _post(client, form, token)
        assert resp.status_code == 403, form
        assert "may not open this page" in resp.get_data(as_text=True)
    assert ledger_audit(app) == []


def test_posts_need_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    login(client, "customer1@customer")
    for form in FORMS:
        assert _post(client, form, None).status_code == 400, form
        assert _post(client, form, "forged").status_code == 400, form
    assert ledger_audit(app) == []


@pytest.mark.parametrize(("form", "changes", "field", "value", "rule"), [
    ("transfer", {"quantity_kg": "1.5"}, "quantity_kg", "1.5", "integer"),
    ("transfer", {"quantity_kg": "0"}, "quantity_kg", "0", "positive"),
    ("transfer", {"quantity_kg": "0.1"}, "quantity_kg", "0.1", "integer"),
    ("transfer", {"recipient": "nobody"}, "recipient", "nobody", "holder"),
    ("transfer", {"recipient": "customer1@customer"}, "recipient", "", "self-transfer"),
    ("transfer", {"lot_id": "bad lot"}, "lot_id", "bad lot", "identifier"),
    ("transfer", {"retire": "y", "beneficiary": "Ena", "purpose": "fun",
                  "reporting_year": "2025"}, "purpose", "fun", "enum"),
    ("retire", {"reporting_year": "20x5"}, "reporting_year", "20x5", "year"),
    ("retire", {"reporting_year": "1999"}, "reporting_year", "1999", "year"),
    ("retire", {"beneficiary": ""}, "beneficiary", "", "required"),
    ("retire", {"purpose": "greenwash"}, "purpose", "greenwash", "enum"),
    ("escrow", {"expires_at": "tomorrow"}, "expires_at", "tomorrow", "timestamp"),
    ("escrow", {"counterparty": "customer1@customer"}, "counterparty", "", "self-escrow"),
    ("release", {"action": "burn"}, "action", "burn", "enum"),
    ("release", {"escrow_id": ""}, "escrow_id", "", "required"),
])
def test_bad_input_is_400_beside_its_field_and_nothing_is_sent(
        app: Flask, client: FlaskClient, form: str, changes: dict[str, str], field: str,
        value: str, rule: str) -> None:
    login(client, "customer1@customer")
    resp = _post(client, form, csrf_token(client, "/wallet/"), **changes)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    error = field_error(page)
    assert (error["field"], error["rule"], error["status"]) == (field, rule, "400")
    if value:
        assert error["value"] == value
    assert f'id="{form}-{field}"' in page and 'aria-invalid="true"' in page
    assert 'data-testid="form-unavailable"' not in page  # refused before any connection
    assert ledger_audit(app) == []


@pytest.mark.parametrize("form", list(FORMS))
def test_valid_submissions_without_a_peer_are_503_and_keep_the_entries(
        app: Flask, client: FlaskClient, form: str) -> None:
    login(client, "customer1@customer")
    resp = _post(client, form, csrf_token(client, "/wallet/"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert f"ledger unavailable: {REASON}" in page
    assert 'data-testid="form-unavailable"' in page and 'data-testid="ledger-result"' not in page
    for name, value in FORMS[form][1].items():
        if name in ("purpose", "action"):
            assert re.search(f'<option selected value="{value}">|<option value="{value}" '
                             'selected>', page), name
        elif name == "note":
            assert f'id="{form}-note" name="{form}-note" rows="2">\r\n{value}</textarea>' in page
        else:
            assert _input_value(page, f"{form}-{name}") == value, name
    entries = ledger_audit(app)  # it reached the ledger's door: recorded as failed
    assert [(e.action, e.outcome, e.actor) for e in entries] == [
        (FORMS[form][2], "failed", "customer1@customer")]
    assert REASON in entries[0].detail


def test_transfer_and_retire_sends_the_retirement(app: Flask, client: FlaskClient) -> None:
    login(client, "customer1@customer")
    resp = _post(client, "transfer", csrf_token(client, "/wallet/"), retire="y",
                 beneficiary="Ena City", purpose="voluntary", reporting_year="2025")
    assert resp.status_code == 503
    assert [e.target for e in ledger_audit(app)] == ["LOT-1"]


def test_a_refusal_by_the_chaincode_is_shown_beside_its_field(
        app: Flask, client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """What the page does with the ledger's answers (the service is stubbed: no peer)."""
    def refused(user: Any, body: Any) -> Any:
        raise LedgerRejection("quantity_kg", 1500, "insufficient-balance",
                              "holding LOT-1@x has 900 kg tradable, 1500 kg requested",
                              operation="tokens:retire")

    monkeypatch.setattr(ledger_service, "retire_tokens", refused)
    login(client, "customer1@customer")
    resp = _post(client, "retire", csrf_token(client, "/wallet/"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 422 and "Refused by the chaincode" in page
    assert field_error(page) == {"field": "quantity_kg", "rule": "insufficient-balance",
                                  "status": "422", "value": "1500", "path": "quantity_kg"}

    def conflict(user: Any, body: Any) -> Any:
        raise LedgerConflict("MVCC_READ_CONFLICT", operation="tokens:retire",
                             transaction_id="tx-9", block_number=12)

    monkeypatch.setattr(ledger_service, "retire_tokens", conflict)
    resp = _post(client, "retire", csrf_token(client, "/wallet/"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 409 and "Conflict on the ledger" in page
    error = field_error(page)  # no input to blame: shown at the top of the form
    assert (error["rule"], error["value"]) == ("read-conflict", "MVCC_READ_CONFLICT")
    assert 'value="Ena Foods"' in page


def test_a_committed_retirement_links_history_and_certificate(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page after a commit (the service is stubbed: no peer here)."""
    committed = {"operation": "tokens:retire", "transaction_id": "ab12cd", "block_number": 41,
                 "events": [{"name": "EventRetire", "attributes": {
                     "lot_id": "LOT-1", "serial": "ENV-LOT-1-1-1500", "quantity_kg": 1500}}]}
    monkeypatch.setattr(ledger_service, "retire_tokens", lambda user, body: committed)
    login(client, "customer1@customer")
    resp = _post(client, "retire", csrf_token(client, "/wallet/"))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/wallet/?lot_id=LOT-1")
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "transaction ab12cd, block 41" in page  # the flash
    assert 'data-testid="result-history" ' not in page
    assert 'href="/wallet/?lot_id=LOT-1" data-testid="result-history"' in page
    assert ('href="/wallet/certificate?serial=ENV-LOT-1-1-1500&amp;lot_id=LOT-1" '
            'data-testid="result-certificate"') in page
    assert 'data-testid="ledger-result"' not in client.get("/wallet/").get_data(as_text=True)


def test_a_certificate_not_yet_in_the_read_model(client: FlaskClient) -> None:
    """Certificates come from the read model (test_webapp_certificates downloads one):
    a retirement it has not projected is a 404 saying how far it has got."""
    login(client, "customer1@customer")
    resp = client.get("/wallet/certificate?lot_id=LOT-1&serial=ENV-LOT-1-1-1500")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 404 and "is in the portal&#39;s read model" in page
    assert 'data-testid="readmodel-empty"' in page
    assert "ENV-LOT-1-1-1500" in page and "%PDF" not in page
    assert client.get("/wallet/certificate?lot_id=bad lot&serial=x").status_code == 400
    assert client.get("/wallet/certificate?lot_id=LOT-1").status_code == 400


def test_wallet_forms_in_japanese(client: FlaskClient) -> None:
    login(client, "customer1@customer")
    ja = {"Accept-Language": "ja"}
    page = client.get("/wallet/", headers=ja).get_data(as_text=True)
    assert "トークンの移動" in page and "受取人（user@org または保有者キー）" in page
    assert "温対法に基づく報告" in page  # the chaincode's japan_reporting_act purpose
    assert "読み取りモデル" in page  # the read-model notice is translated too
    resp = client.post("/wallet/retire", headers=ja, data={
        "retire-csrf_token": csrf_token(client, "/wallet/"), "retire-lot_id": "LOT-1",
        "retire-quantity_kg": "1.5"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "送信していません：入力が規則に反しています。" in page
    assert "ルール" in page and 'data-rule="integer"' in page
