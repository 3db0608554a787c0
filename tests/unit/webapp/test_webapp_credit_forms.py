"""Credit-program write forms: each shown only to the roles holding its permission and
checked again on POST; CSRF; the chaincode's validation beside the field; 503 with the
reason and the entries kept while there is no peer (``LEDGER_DISABLED`` here); audit
entries only for submissions that reached the ledger's door.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from envalue.webapp.services import ledger as ledger_service

from .ledger_helpers import assert_only_allowed_forms, field_error, ledger_audit  # noqa: E402
from .webapp_helpers import csrf_token, login

pytestmark = pytest.mark.unit

REASON = "the Fabric network is not running in unit tests"
OPERATOR, VERIFIER = "operator1@platform", "verifier1@platform"
CUSTOMER, AUDITOR = "customer1@customer", "auditor1@platform"

#: form -> (POST path, page test id, user allowed to post it, valid entries, audit action)
FORMS: dict[str, tuple[str, str, str, dict[str, str], str]] = {
    "program": ("/credits/programs", "program-form", OPERATOR, {
        "program_id": "ENA", "name": "Ena City solar", "methodologies": "EN-R-002, EN-R-003"},
        "ledger.credits:create_program"),
    "enroll": ("/credits/sites", "enroll-form", OPERATOR, {
        "program_id": "ENA", "site_id": "S-1", "owner": CUSTOMER}, "ledger.credits:enroll_site"),
    "open": ("/credits/reports", "open-form", OPERATOR, {
        "report_id": "R-1", "program_id": "ENA", "period_start": "2025-04-01",
        "period_end": "2025-06-30"}, "ledger.credits:open_report"),
    "lots": ("/credits/lots", "lots-form", OPERATOR, {
        "report_id": "R-1", "lots": f"LOT-1 {CUSTOMER}\nLOT-2, {OPERATOR}"},
        "ledger.credits:add_lots"),
    "submit": ("/credits/submit", "submit-form", OPERATOR, {"report_id": "R-1"},
               "ledger.credits:submit_report"),
    "settle": ("/credits/settle", "settle-form", OPERATOR, {"report_id": "R-1", "limit": "500"},
               "ledger.credits:settle_report"),
    "release": ("/credits/release", "release-form", OPERATOR, {"report_id": "R-1",
                                                                "limit": "100"},
                "ledger.credits:release_report"),
    "verify": ("/credits/verify", "verify-form", VERIFIER, {
        "report_id": "R-1", "decision": "reject", "comments": "meter M-3 calibration expired"},
        "ledger.credits:verify_report"),
    "transfer": ("/credits/transfer", "credit-transfer-form", OPERATOR, {
        "batch_id": "R-1", "recipient": CUSTOMER, "quantity_t": "3"}, "ledger.credits:transfer"),
    "retire": ("/credits/retire", "credit-retire-form", CUSTOMER, {
        "batch_id": "R-1", "quantity_t": "2", "user_name": "Ena Foods K.K.",
        "use": "carbon_offset_product", "purpose_detail": "carbon-neutral rice crackers",
        "reporting_year": "2025"}, "ledger.credits:retire"),
}
#: which forms each role sees (its permissions in `webapp.roles`)
VISIBLE = {
    OPERATOR: {"program", "enroll", "open", "lots", "submit", "settle", "release", "transfer",
               "retire"},
    VERIFIER: {"verify"},
    CUSTOMER: {"transfer", "retire"},
    AUDITOR: set(),
}


def _post(client: FlaskClient, form: str, token: str | None, **changes: str) -> Any:
    path, _, _, values, _ = FORMS[form]
    data = {f"{form}-{k}": v for k, v in {**values, **changes}.items()}
    if token is not None:
        data[f"{form}-csrf_token"] = token
    return client.post(path, data=data)






@pytest.mark.parametrize("user", list(VISIBLE))
def test_each_role_sees_only_the_forms_it_may_post(app: Flask, client: FlaskClient,
                                                   user: str) -> None:
    login(client, user)
    assert_only_allowed_forms(app, client, "/credits/", FORMS, VISIBLE[user], _post)


def test_posts_need_the_csrf_token(app: Flask, client: FlaskClient) -> None:
    login(client, OPERATOR)
    for name in VISIBLE[OPERATOR]:
        assert _post(client, name, None).status_code == 400, name
    assert ledger_audit(app) == []


@pytest.mark.parametrize(("form", "changes", "field", "path", "value", "rule"), [
    ("program", {"methodologies": " , "}, "methodologies", "methodologies", "", "required"),
    ("program", {"program_id": "ENA city"}, "program_id", "program_id", "ENA city",
     "identifier"),
    ("enroll", {"owner": "nobody"}, "owner", "owner", "nobody", "holder"),
    ("open", {"period_end": "2025-03-31"}, "period_end", "period_end", "2025-03-31",
     "period-order"),
    ("open", {"period_start": "2025/04/01"}, "period_start", "period_start", "2025/04/01",
     "date"),
    ("lots", {"lots": "LOT-1"}, "lots", "lots[0]", "LOT-1", "lot-line"),
    ("lots", {"lots": f"LOT-1 {CUSTOMER}\nLOT-2 ghost@nowhere"}, "lots", "lots[1].owner",
     "ghost@nowhere", "holder"),
    ("lots", {"lots": ""}, "lots", "lots", "0", "page-size"),
    ("submit", {"report_id": ""}, "report_id", "report_id", "", "required"),
    ("settle", {"limit": "501"}, "limit", "limit", "501", "page-size"),
    ("settle", {"limit": "lots"}, "limit", "limit", "lots", "integer"),
    ("release", {"report_id": "R 1"}, "report_id", "report_id", "R 1", "identifier"),
    ("verify", {"comments": ""}, "comments", "comments", "", "required"),
    ("verify", {"decision": "maybe"}, "decision", "decision", "maybe", "enum"),
    ("transfer", {"quantity_t": "1.5"}, "quantity_t", "quantity_t", "1.5", "integer"),
    ("transfer", {"quantity_t": "1500"}, "", "", "", ""),  # 1500 t is fine: no error
    ("transfer", {"recipient": OPERATOR}, "recipient", "recipient", "", "self-transfer"),
    ("retire", {"use": "fun"}, "use", "use", "fun", "enum"),
    ("retire", {"user_name": ""}, "user_name", "user_name", "", "required"),
    ("retire", {"purpose_detail": " "}, "purpose_detail", "purpose_detail", "", "required"),
    ("retire", {"reporting_year": "FY25"}, "reporting_year", "reporting_year", "FY25", "year"),
    ("retire", {"quantity_t": "1500kg"}, "quantity_t", "quantity_t", "1500kg", "integer"),
])
def test_bad_input_is_400_beside_its_field_and_nothing_is_sent(
        app: Flask, client: FlaskClient, form: str, changes: dict[str, str], field: str,
        path: str, value: str, rule: str) -> None:
    login(client, FORMS[form][2])
    resp = _post(client, form, csrf_token(client, "/credits/"), **changes)
    page = resp.get_data(as_text=True)
    if not rule:  # a valid variant: it goes to the (absent) ledger
        assert resp.status_code == 503 and len(ledger_audit(app)) == 1
        return
    assert resp.status_code == 400
    error = field_error(page)
    assert (error["field"], error["path"], error["rule"]) == (field, path, rule)
    if value:
        assert error["value"] == value
    assert ledger_audit(app) == []


@pytest.mark.parametrize("form", list(FORMS))
def test_valid_submissions_without_a_peer_are_503_and_keep_the_entries(
        app: Flask, client: FlaskClient, form: str) -> None:
    path, testid, user, values, action = FORMS[form]
    login(client, user)
    resp = _post(client, form, csrf_token(client, "/credits/"))
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503
    section = page[page.index(f'data-testid="{testid}"'):]
    section = section[:section.index("</form>")]
    assert f"ledger unavailable: {REASON}" in section
    for name, value in values.items():
        assert re.search(f'name="{form}-{name}"', section), name
        if name in ("decision", "use"):
            assert re.search(f'<option (selected )?value="{value}"( selected)?>', section)
            assert "selected" in re.search(f'<option[^>]*value="{value}"[^>]*>',
                                           section).group(0)
        else:
            assert value in section, name
    entries = ledger_audit(app)
    assert [(e.action, e.outcome, e.actor) for e in entries] == [(action, "failed", user)]


def test_issuance_is_the_operators_and_review_the_verifiers(app: Flask,
                                                            client: FlaskClient) -> None:
    login(client, VERIFIER)
    token = csrf_token(client, "/credits/")
    assert _post(client, "settle", token).status_code == 403
    assert _post(client, "verify", token, decision="approve", comments="").status_code == 503
    assert [e.action for e in ledger_audit(app)] == ["ledger.credits:verify_report"]


def test_a_report_link_prefills_the_report_forms(client: FlaskClient) -> None:
    login(client, OPERATOR)
    page = client.get("/credits/?report_id=R-7").get_data(as_text=True)
    assert page.count('value="R-7"') >= 5  # lookup, lots, submit, settle, release


def test_a_committed_retirement_links_its_certificate(
        client: FlaskClient, monkeypatch: pytest.MonkeyPatch) -> None:
    """The page after a commit (the service is stubbed: there is no peer here)."""
    committed = {"operation": "credits:retire", "transaction_id": "ff00", "block_number": 7,
                 "events": [{"name": "EventRetireCredits", "attributes": {
                     "batch_id": "R-1", "serial": "JCR-ENA-1-2", "quantity_t": 2}}]}
    monkeypatch.setattr(ledger_service, "retire_credits", lambda user, body: committed)
    login(client, CUSTOMER)
    resp = _post(client, "retire", csrf_token(client, "/credits/"))
    assert resp.status_code == 303 and resp.headers["Location"].endswith("/credits/")
    page = client.get("/credits/").get_data(as_text=True)
    assert "transaction ff00, block 7" in page
    assert ('href="/wallet/certificate?serial=JCR-ENA-1-2&amp;batch_id=R-1" '
            'data-testid="result-certificate"') in page
    resp = client.get("/wallet/certificate?serial=JCR-ENA-1-2&batch_id=R-1")
    page = resp.get_data(as_text=True)  # the read model has not projected it (no listener)
    assert resp.status_code == 404 and "credit batch R-1 is in the portal&#39;s read" in page


def test_credit_forms_in_japanese(client: FlaskClient) -> None:
    login(client, CUSTOMER)
    ja = {"Accept-Language": "ja"}
    page = client.get("/credits/", headers=ja).get_data(as_text=True)
    assert "クレジットの償却（無効化）" in page and "クレジット使用者名" in page
    assert "プログラムの作成" not in page  # the operator's forms are not shown
    assert "発行済みクレジットバッチ" in page  # read-model strings are translated too
    resp = client.post("/credits/retire", headers=ja, data={
        "retire-csrf_token": csrf_token(client, "/credits/"), "retire-use": "fun"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "送信していません" in page and "規則" in page
