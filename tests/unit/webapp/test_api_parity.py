"""``/api/v1`` answers what the portal's pages show, from the same service functions: the
traceability explorer's tree and in-place checks, retirement certificates (signed JSON and
PDF, who may download them), the credits page's lists and the wallet's credit holdings,
and the audit log; with 401/403 per role and the paths in the OpenAPI document.

The read models are filled as the page tests fill them: the traced lineage of
`test_webapp_trace` (simulated boiler readings, anchored, calculated, approved, minted),
and real token and credit retirements recorded and projected as in
`test_webapp_certificates`.
"""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path
from typing import Any, NamedTuple

import pytest
from flask import Flask
from flask.testing import FlaskClient
from pypdf import PdfReader
from sqlalchemy import select

# the recorded chaincode worlds of the read-model tests (as test_webapp_certificates does)
sys.path.insert(0, str(Path(__file__).parents[1] / "readmodel"))

from readmodel_world import RecordingHarness  # noqa: E402
from test_readmodel_projector import credit_world  # noqa: E402
from tokens_harness import ALICE, BOB, CAROL, OPERATOR, key  # noqa: E402

from envalue.certificates import verify_signed_certificate  # noqa: E402
from envalue.chaincode.domain.credits import (  # noqa: E402
    msg_retire_credits,
    msg_transfer_credits,
)
from envalue.chaincode.domain.credits.msg_retire_credits import MsgRetireCredits  # noqa: E402
from envalue.chaincode.domain.credits.msg_transfer_credits import (  # noqa: E402
    MsgTransferCredits,
)
from envalue.chaincode.domain.tokens import msg_retire  # noqa: E402
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire  # noqa: E402
from envalue.webapp.db import AuditEntry, PortalUser, get_session  # noqa: E402
from envalue.webapp.services import trace as trace_service  # noqa: E402
from envalue.webapp.services.audit_log import AuditFilter, find_entries  # noqa: E402
from envalue.webapp.services.certificates import readmodel_view  # noqa: E402
from envalue.webapp.services.readmodel import credits_view, lag_json, wallet_view  # noqa: E402
from tests.unit.certificates.certificates_helpers import TestCA  # noqa: E402

from .ledger_helpers import bearer  # noqa: E402
from .test_webapp_certificates import (  # noqa: E402
    CREDIT_BLOCKS,
    INFO,
    SERIAL,
    _actor,
    _portal,
    _project,
    issuer,  # noqa: F401  (a fixture)
)
from .test_webapp_trace import Lineage, _post, lineage, store_copy  # noqa: E402,F401
from .test_webapp_trace import _app as trace_app  # noqa: E402
from .webapp_helpers import FakeFabricCA, add_user, login  # noqa: E402

pytestmark = pytest.mark.unit

CUSTOMER, OTHER, AUDITOR = "customer1@customer", "customer2@customer", "auditor1@platform"
PLATFORM_OP, MARKET_OP = "operator1@platform", "operator1@market"
VERIFIER, BRIDGE = "verifier1@platform", "bridge1@platform"
LOT = "LOT-ENA-1"
LOT_CERT = f"/api/v1/certificates/lots/{LOT}/retirements/{SERIAL}"
PAGE_CERT = f"/wallet/certificate?lot_id={LOT}&serial={SERIAL}"


def _json(app: Flask, value: Any) -> Any:
    """`value` as the app's JSON provider writes it (what a client reads back)."""
    return json.loads(app.json.dumps(value))


def _user(username: str) -> PortalUser:
    """The portal user (inside an app context)."""
    return get_session().scalar(select(PortalUser).where(PortalUser.username == username))


# -- traceability explorer ------------------------------------------------------------------
@pytest.fixture
def tracer(lineage: tuple[Lineage, str], store_copy: str, tmp_path: Path,  # noqa: F811
           fabric_ca: FakeFabricCA) -> FlaskClient:
    """The traced lineage's portal, auditor1 signed in (the page's session)."""
    client = trace_app(tmp_path, fabric_ca, lineage[1], store_copy).test_client()
    login(client, AUDITOR)
    return client


def test_the_trace_tree_is_the_explorers(tracer: FlaskClient,
                                         lineage: tuple[Lineage, str]) -> None:  # noqa: F811
    app, built = tracer.application, lineage[0]
    auth = bearer(app, AUDITOR)
    for offset in (0, trace_service.PAGE_SIZE):
        resp = tracer.get(f"/api/v1/trace?q={built.lot_id}&offset={offset}", headers=auth)
        assert resp.status_code == 200, resp.data
        body = resp.get_json()
        with app.test_request_context():
            user = _user(AUDITOR)
            expected = trace_service.search(user, built.lot_id, offset)
            lag = lag_json(readmodel_view().lag)
        assert body.pop("read_model") == _json(app, lag)
        assert body == _json(app, expected)
        [lot] = body["lots"]
        assert lot["calculation"]["calculation_id"] == built.calculation_id
        assert {r["offset"] for b in lot["calculation"]["batches"]
                for r in [b["readings"]]} == {offset}
    # the page shows the same tree: every batch with its anchored root and transaction
    page = tracer.get(f"/trace/?q={built.lot_id}").get_data(as_text=True)
    for batch in lot["calculation"]["batches"]:
        assert batch["batch_id"] in page and batch["merkle_root"] in page
        assert batch["tx_id"] in page


def test_trace_refusals_match_the_page(tracer: FlaskClient) -> None:
    auth = bearer(tracer.application, AUDITOR)
    resp = tracer.get("/api/v1/trace?q=LOT-NOPE", headers=auth)
    assert resp.status_code == 404 and resp.mimetype == "application/problem+json"
    assert (resp.get_json()["rule"], resp.get_json()["field"]) == ("not_in_read_model", "q")
    assert tracer.get("/trace/?q=LOT-NOPE").status_code == 404
    resp = tracer.get("/api/v1/trace", headers=auth)
    assert resp.status_code == 400 and resp.get_json()["rule"] == "required"
    for bad in ("-1", "x", "²"):  # "²" passes str.isdigit() but int() refuses it
        resp = tracer.get(f"/api/v1/trace?q=LOT-NOPE&offset={bad}", headers=auth)
        assert resp.status_code == 400, (bad, resp.data)
        assert (resp.get_json()["field"], resp.get_json()["rule"]) == (
            "offset", "non_negative_integer")
        assert tracer.get(f"/trace/?q=LOT-NOPE&offset={bad}").status_code == 400


def test_the_checks_answer_what_the_pages_buttons_answer(
        tracer: FlaskClient, lineage: tuple[Lineage, str]) -> None:  # noqa: F811
    built = lineage[0]
    auth = bearer(tracer.application, AUDITOR)
    batch_id = built.result.batches[0].batch_id
    row_id = built.store.raw_readings_of(batch_id)[2]["id"]
    pairs = {
        f"/api/v1/trace/batches/{batch_id}/merkle": f"/trace/check/batch/{batch_id}",
        f"/api/v1/trace/batches/{batch_id}/readings/{row_id}":
            f"/trace/check/reading/{batch_id}/{row_id}",
        f"/api/v1/trace/batches/{batch_id}/signature": f"/trace/check/signature/{batch_id}"}
    for api, page in pairs.items():
        resp = tracer.get(api, headers=auth)
        assert resp.status_code == 200, (api, resp.data)
        assert resp.get_json()["status"] == "pass", resp.get_json()
        assert resp.get_json() == _post(tracer, page).get_json(), api
    missing = tracer.get("/api/v1/trace/batches/nope/merkle", headers=auth)
    assert missing.status_code == 404 and missing.get_json()["rule"] == "not_in_read_model"
    resp = tracer.get(f"/api/v1/trace/batches/{batch_id}/readings/999999", headers=auth)
    assert resp.status_code == 404 and resp.get_json()["rule"] == "unknown_reading"


def test_trace_routes_keep_apart(tracer: FlaskClient, lineage: tuple[Lineage, str]  # noqa: F811
                                 ) -> None:
    """``/trace/{lot_id}`` stays the ledger's trace (503 without a peer here); the read-model
    routes under ``/trace/batches/...`` are never taken for a lot id, and a lot may even be
    called ``batches``."""
    auth = bearer(tracer.application, AUDITOR)
    batch_id = lineage[0].result.batches[0].batch_id
    for lot_id in (lineage[0].lot_id, "batches"):
        resp = tracer.get(f"/api/v1/trace/{lot_id}", headers=auth)
        assert resp.status_code == 503 and resp.get_json()["rule"] == "ledger_unavailable"
    assert tracer.get(f"/api/v1/trace/batches/{batch_id}/signature",
                      headers=auth).get_json()["check"] == "batch.signature"
    assert tracer.get(f"/api/v1/trace/batches/{batch_id}", headers=auth).status_code == 404


def test_trace_permissions(tracer: FlaskClient, lineage: tuple[Lineage, str]  # noqa: F811
                           ) -> None:
    app, built = tracer.application, lineage[0]
    batch_id = built.result.batches[0].batch_id
    row_id = built.store.raw_readings_of(batch_id)[0]["id"]
    paths = [f"/api/v1/trace?q={built.lot_id}", f"/api/v1/trace/batches/{batch_id}/merkle",
             f"/api/v1/trace/batches/{batch_id}/readings/{row_id}",
             f"/api/v1/trace/batches/{batch_id}/signature"]
    anonymous = app.test_client()
    for path in paths:
        resp = anonymous.get(path)
        assert resp.status_code == 401 and resp.get_json()["rule"] == "unauthenticated", path
        # every role traces (trace.view); the session cookie also serves reads
        assert tracer.get(path).status_code == 200, path
    with app.app_context():
        db = get_session()
        _user("guest1@customer").role = "nobody"  # no permission at all
        db.commit()
    auth = bearer(app, "guest1@customer")
    for path in paths:
        resp = tracer.get(path, headers=auth)
        assert resp.status_code == 403 and resp.get_json()["rule"] == "permission:trace.view"


# -- certificates, credits lists, wallet credits ------------------------------------------
class Retired(NamedTuple):
    app: Flask
    credit_serial: str  # customer1's credit retirement
    ca: TestCA  # the issuing identity's CA


@pytest.fixture
def world(tmp_path: Path, fabric_ca: FakeFabricCA, issuer: TestCA  # noqa: F811
          ) -> Retired:
    """A token retirement of customer1 (as in `test_webapp_certificates`) and the credit
    program cycle, one tonne sold to customer1 and retired."""
    app = _portal(tmp_path, fabric_ca, issuer,
                  INGEST_DATABASE_URL=f"sqlite:///{tmp_path}/offchain.db")
    for name, role in (("verifier1", "verifier"), ("auditor1", "auditor"),
                       ("bridge1", "bridge")):
        add_user(app, fabric_ca, name, role, "platform")
    customer = _actor(app, CUSTOMER)
    h = RecordingHarness()
    h.mint(LOT, customer, 2000, site="ena-pv-300kw", vintage=("2025-04-01", "2026-03-31"))
    h.run(customer, msg_retire.apply, MsgRetire(key(customer), LOT, 1250, INFO))
    _project(app, h, height_ahead=2)
    credits = credit_world()
    credits.run(OPERATOR, msg_transfer_credits.apply,
                MsgTransferCredits(key(OPERATOR), "R1", key(customer), 1))
    [event] = credits.run(customer, msg_retire_credits.apply, MsgRetireCredits(
        key(customer), "R1", 1, "Ena Foods K.K.", "carbon_offset_product",
        "offset of product A", 2026))
    _project(app, credits, offset=CREDIT_BLOCKS)
    return Retired(app, str(event.attributes["serial"]), issuer)


def _signed_parts(doc: dict[str, Any]) -> dict[str, Any]:
    """The envelope less the two signature values (ECDSA signs with a fresh nonce)."""
    signature = {k: v for k, v in doc["signature"].items()
                 if k not in ("value", "field_digests_value")}
    return {"certificate": doc["certificate"], "signature": signature}


def _pdf_text(pdf: bytes) -> str:
    """The PDF's text less its last line, the SHA-256 of the signed JSON (whose signature
    values differ from one signing to the next)."""
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)
    head, digest = text.rstrip("\n").rsplit("\n", 1)
    assert len(digest) == 64 and "SHA-256 (signed JSON, canonical)" in head
    return head


def test_the_signed_certificate_is_the_wallet_pages(world: Retired) -> None:
    app, credit_serial, ca = world
    trusted = {"PlatformMSP": [ca.pem]}
    page = app.test_client()
    login(page, CUSTOMER)
    api = app.test_client()
    auth = bearer(app, CUSTOMER)
    for path, page_path in (
            (LOT_CERT, PAGE_CERT),
            (f"/api/v1/certificates/credit-batches/R1/retirements/{credit_serial}",
             f"/wallet/certificate?batch_id=R1&serial={credit_serial}")):
        resp = api.get(path, headers=auth)
        assert resp.status_code == 200 and resp.mimetype == "application/json", resp.data
        mine = page.get(page_path + "&format=json")
        assert resp.headers["Content-Disposition"] == mine.headers["Content-Disposition"]
        doc = resp.get_json()
        assert verify_signed_certificate(doc, trusted).valid
        assert _signed_parts(doc) == _signed_parts(mine.get_json())
        assert api.get(path + "?format=json", headers=auth).get_json()["certificate"] == \
            doc["certificate"]
        pdf = api.get(path + "?format=pdf", headers=auth)
        assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
        assert _pdf_text(pdf.data) == _pdf_text(page.get(page_path + "&format=pdf").data)
    assert doc["certificate"]["beneficiary"] == "Ena Foods K.K."
    with app.app_context():  # each API download is in the audit log, as the page's are
        issued = get_session().scalars(select(AuditEntry).where(
            AuditEntry.action == "certificate.issue")).all()
    assert [(e.actor, e.detail) for e in issued].count((CUSTOMER, f"{SERIAL} (pdf)")) == 2


def test_who_may_download_a_certificate(world: Retired) -> None:
    app = world.app
    client = app.test_client()
    assert client.get(LOT_CERT).status_code == 401
    for user, status, rule in ((OTHER, 403, "not_owner"), (MARKET_OP, 403, "not_owner"),
                               (VERIFIER, 403, "permission:wallet.view"),
                               (AUDITOR, 403, "permission:wallet.view"),
                               (PLATFORM_OP, 200, None), (CUSTOMER, 200, None)):
        resp = client.get(LOT_CERT, headers=bearer(app, user))
        assert resp.status_code == status, (user, resp.data)
        if rule:
            assert resp.get_json()["rule"] == rule and b"%PDF" not in resp.data
        page = app.test_client()  # the page refuses and allows the same users
        login(page, user)
        assert page.get(PAGE_CERT + "&format=json").status_code == status, user


def test_certificate_refusals(world: Retired) -> None:
    app = world.app
    auth = bearer(app, CUSTOMER)
    client = app.test_client()
    resp = client.get(f"/api/v1/certificates/lots/{LOT}/retirements/ENV-LOT-ENA-1-1251-1300",
                      headers=auth)
    problem = resp.get_json()
    assert resp.status_code == 404 and problem["field"] == "serial"
    assert "it may not be projected yet (the read model has projected" in problem["detail"]
    resp = client.get(LOT_CERT + "?format=docx", headers=auth)
    assert resp.status_code == 400 and resp.get_json()["field"] == "format"
    resp = client.get(f"/api/v1/certificates/lots/-bad/retirements/{SERIAL}", headers=auth)
    assert resp.status_code == 400 and resp.get_json()["field"] == "lot_id"
    app.config["CERTIFICATE_SIGNER"] = ""
    resp = client.get(LOT_CERT, headers=auth)
    assert resp.status_code == 503 and resp.get_json()["field"] == "CERTIFICATE_SIGNER"


def test_the_credit_lists_are_the_credits_pages(world: Retired) -> None:
    app = world.app
    auth = bearer(app, AUDITOR)
    client = app.test_client()
    body = {name: client.get(f"/api/v1/credits/{name}", headers=auth).get_json()
            for name in ("programs", "reports", "batches")}
    with app.test_request_context():
        view = credits_view(_user(AUDITOR))
        lag = _json(app, lag_json(view.lag))
        lists = view.lists
        expected = {
            "programs": [(p.program_id, p.name, p.carry_kg, p.open_report, p.tx_id,
                          p.block_number) for p in lists["programs"]],
            "reports": [(r.report_id, r.state, r.pool_kg, r.member_count, r.issued_t,
                         r.comments, r.tx_id, r.block_number) for r in lists["reports"]],
            "batches": [(v.batch.serial, v.batch.issued_t, v.batch.retired_t,
                         v.batch.settled, v.batch.tx_id, v.batch.block_number,
                         [(s.owner, s.kg, s.carried_in_kg) for s in v.shares])
                        for v in lists["batches"]]}
    assert {name: b["read_model"] for name, b in body.items()} == dict.fromkeys(body, lag)
    assert [(p["program_id"], p["name"], p["carry_kg"], p["open_report"], p["tx_id"],
             p["block_number"]) for p in body["programs"]["items"]] == expected["programs"]
    assert [(r["report_id"], r["state"], r["pool_kg"], r["member_count"], r["issued_t"],
             r["comments"], r["tx_id"], r["block_number"])
            for r in body["reports"]["items"]] == expected["reports"]
    assert [(b["serial"], b["issued_t"], b["retired_t"], b["settled"], b["tx_id"],
             b["block_number"], [(s["owner"], s["kg"], s["carried_in_kg"]) for s in b["shares"]])
            for b in body["batches"]["items"]] == expected["batches"]
    # the known cycle: program ENA, report R1 issued, 2 t with three contributors
    [program] = body["programs"]["items"]
    assert (program["program_id"], program["methodologies"], program["carry_kg"]) == (
        "ENA", ["EN-R-002"], 150)
    [report] = body["reports"]["items"]
    assert (report["state"], report["pool_kg"], report["comments"]) == ("issued", 2150,
                                                                         "meters ok")
    [batch] = body["batches"]["items"]
    assert (batch["serial"], batch["retired_t"]) == ("JCL-ENV-ENA-20250401_20250930-1-2", 1)
    assert [(s["owner"], s["kg"]) for s in batch["shares"]] == [
        (key(BOB), 800), (key(ALICE), 700), (key(CAROL), 500)]
    # what the page shows: the same rows
    login(client, AUDITOR)
    page = client.get("/credits/").get_data(as_text=True)
    assert page.count('data-testid="program-row"') == len(body["programs"]["items"])
    assert page.count('data-testid="report-row"') == len(body["reports"]["items"])
    assert page.count('data-testid="share-row"') == len(batch["shares"])
    assert batch["serial"] in page and report["tx_id"] in page and program["tx_id"] in page


def test_credit_list_permissions(world: Retired) -> None:
    app = world.app
    client = app.test_client()
    for name in ("programs", "reports", "batches"):
        path = f"/api/v1/credits/{name}"
        assert client.get(path).status_code == 401
        for user in (CUSTOMER, VERIFIER, AUDITOR, PLATFORM_OP):
            assert client.get(path, headers=bearer(app, user)).status_code == 200, user
        resp = client.get(path, headers=bearer(app, BRIDGE))  # a wallet, but no credits
        assert resp.status_code == 403 and resp.get_json()["rule"] == "permission:credits.view"


def test_the_wallets_credit_holdings(world: Retired) -> None:
    app = world.app
    client = app.test_client()
    body = client.get("/api/v1/wallet/credits", headers=bearer(app, CUSTOMER)).get_json()
    with app.test_request_context():
        view = wallet_view(_user(CUSTOMER))
        expected = [(c.batch_id, c.owner_msp, c.tradable_t, c.retired_t, c.tx_id,
                     c.block_number) for c in view.lists["credit_holdings"]]
        assert body["owner"] == view.owner and body["read_model"] == _json(
            app, lag_json(view.lag))
    assert [(c["batch_id"], c["owner_msp"], c["tradable_t"], c["retired_t"], c["tx_id"],
             c["block_number"]) for c in body["items"]] == expected
    assert [(c["batch_id"], c["tradable_t"], c["retired_t"]) for c in body["items"]] == [
        ("R1", 0, 1)]
    login(client, CUSTOMER)
    page = client.get("/wallet/").get_data(as_text=True)
    assert 'data-testid="wallet-credits"' in page and body["items"][0]["tx_id"] in page
    assert client.get("/api/v1/wallet/credits").status_code == 200  # the session reads
    for user, status in ((VERIFIER, 403), (AUDITOR, 403), (BRIDGE, 200)):
        assert app.test_client().get("/api/v1/wallet/credits",
                                     headers=bearer(app, user)).status_code == status


def test_the_wallets_transfers_and_retirements(world: Retired) -> None:
    app = world.app
    client = app.test_client()
    transfers = client.get("/api/v1/wallet/transfers", headers=bearer(app, CUSTOMER)).get_json()
    retirements = client.get("/api/v1/wallet/retirements",
                             headers=bearer(app, CUSTOMER)).get_json()
    with app.test_request_context():
        view = wallet_view(_user(CUSTOMER))
        assert [(t["tx_id"], t["event_index"], t["quantity_kg"], t["transferred_at"])
                for t in transfers["items"]] == [
            (t.tx_id, t.event_index, t.quantity_kg, t.transferred_at)
            for t in view.lists["transfers"]]
        assert [(r["serial"], r["quantity_kg"], r["certificate_id"])
                for r in retirements["items"]] == [
            (r.serial, r.quantity_kg, r.certificate_id) for r in view.lists["retirements"]]
    [retired] = retirements["items"]
    assert (retired["lot_id"], retired["quantity_kg"]) == (LOT, 1250)
    assert retired["certificate_id"] and retired["tx_id"] and retired["block_number"] > 0
    # the serial in the list opens the certificate download
    cert = client.get(f"/api/v1/certificates/lots/{LOT}/retirements/{retired['serial']}",
                      headers=bearer(app, CUSTOMER))
    assert cert.status_code == 200
    for path in ("/api/v1/wallet/transfers", "/api/v1/wallet/retirements"):
        assert client.get(path).status_code == 401
        assert client.get(path, headers=bearer(app, AUDITOR)).status_code == 403


def test_the_trace_of_retirements_and_credit_batches(world: Retired) -> None:
    """The explorer's other two kinds, on the certificates' read model (no readings stored:
    each batch says so, and the minted lot's missing calculation is named)."""
    app, credit_serial, _ = world
    auth = bearer(app, AUDITOR)
    client = app.test_client()
    for term, kind in ((SERIAL, "retirement"), (credit_serial, "retirement"),
                       ("R1", "credit_batch")):
        body = client.get(f"/api/v1/trace?q={term}", headers=auth).get_json()
        with app.test_request_context():
            expected = trace_service.search(_user(AUDITOR), term)
        assert body.pop("read_model")["projected_blocks"] > 0
        assert body == _json(app, expected) and body["kind"] == kind, term
    assert body["credit_batch"]["serial"] == "JCL-ENV-ENA-20250401_20250930-1-2"


# -- the audit log ------------------------------------------------------------------------
def test_the_audit_log_is_the_pages(app: Flask, client: FlaskClient) -> None:
    login(client, "operator1@platform")
    resp = client.get("/api/v1/audit", headers=bearer(app, "auditor1@platform"))
    assert resp.status_code == 200
    items = resp.get_json()["items"]
    with app.app_context():
        expected = find_entries(get_session(), AuditFilter()).entries
        assert [e["id"] for e in items] == [e.id for e in expected]
        first = expected[0]
        assert items[0] == {"id": first.id, "at": items[0]["at"], "actor": first.actor,
                            "msp_id": first.msp_id, "action": first.action,
                            "target": first.target, "outcome": first.outcome,
                            "detail": first.detail, "remote_addr": first.remote_addr}
        assert items[0]["at"].startswith(first.at.strftime("%Y-%m-%dT%H:%M:%S"))
        assert items[0]["at"].endswith("+00:00")
    assert any(e["action"] == "auth.login" and e["actor"] == "operator1@platform"
               for e in items), items
    page = client.get("/audit/").get_data(as_text=True)
    assert page.count("<tr class=") == len(items)
    for entry in items:
        assert f'data-id="{entry["id"]}"' in page
        assert f"<code>{entry['action']}</code>" in page


def test_audit_log_permissions(app: Flask, client: FlaskClient) -> None:
    assert client.get("/api/v1/audit").status_code == 401
    for user, status in (("operator1@platform", 200), ("auditor1@platform", 200),
                         ("verifier1@platform", 403), ("customer1@customer", 403)):
        resp = client.get("/api/v1/audit", headers=bearer(app, user))
        assert resp.status_code == status, user
        if status == 403:
            assert resp.get_json()["rule"] == "permission:audit.view"


# -- the OpenAPI document ---------------------------------------------------------------------
def test_the_openapi_document_lists_the_new_operations(client: FlaskClient) -> None:
    paths = client.get("/api/v1/openapi.json").get_json()["paths"]
    new = {"/api/v1/trace", "/api/v1/trace/batches/{batch_id}/merkle",
           "/api/v1/trace/batches/{batch_id}/readings/{row_id}",
           "/api/v1/trace/batches/{batch_id}/signature",
           "/api/v1/certificates/lots/{lot_id}/retirements/{serial}",
           "/api/v1/certificates/credit-batches/{batch_id}/retirements/{serial}",
           "/api/v1/credits/programs", "/api/v1/credits/reports", "/api/v1/credits/batches",
           "/api/v1/wallet/credits", "/api/v1/wallet/transfers",
           "/api/v1/wallet/retirements", "/api/v1/audit"}
    assert new <= set(paths)
    for path in new:
        operation = paths[path]["get"]
        assert {"200", "401", "403"} <= set(operation["responses"]), path
        assert operation["security"] == [{"bearer": []}], path
        for parameter in operation.get("parameters", []):
            if parameter["in"] == "path":
                assert f"{{{parameter['name']}}}" in path, (path, parameter)
    assert "/api/v1/trace/{lot_id}" in paths  # the ledger's trace stays
    assert set(paths["/api/v1/credits/reports"]) == {"get", "post"}
    cert = paths["/api/v1/certificates/lots/{lot_id}/retirements/{serial}"]["get"]
    assert set(cert["responses"]["200"]["content"]) == {"application/json", "application/pdf"}
    assert not any("<" in path for path in paths)  # converters become {name} too
