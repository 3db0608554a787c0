"""CSV downloads of the read model's tables on the portal and the API: real chaincode
transactions projected into the app's read model, downloaded per role and compared with
the chaincode's records; holders get their own rows, PlatformMSP operators and auditors
everyone's, other roles 403; each download is in the audit log."""

from __future__ import annotations

import io
import sys
from pathlib import Path

import pandas as pd
import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select

sys.path[:0] = [str(Path(__file__).parents[1] / folder) for folder in ("readmodel", "tokens")
                if str(Path(__file__).parents[1] / folder) not in sys.path]

from readmodel_world import RecordingHarness  # noqa: E402
from test_readmodel_projector import INFO, credit_world, project  # noqa: E402
from tokens_harness import BOB, key  # noqa: E402

from envalue.chaincode.domain.tokens import msg_retire, msg_transfer  # noqa: E402
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire  # noqa: E402
from envalue.chaincode.domain.tokens.msg_transfer import MsgTransfer, TransferItem  # noqa: E402
from envalue.chaincode.identity import actor_from_certificate  # noqa: E402
from envalue.webapp.db import AuditEntry, PortalUser, get_session  # noqa: E402
from envalue.webapp.services.readmodel import owner_key, sessions  # noqa: E402
from envalue.webapp.services.users import create_api_token  # noqa: E402

from .webapp_helpers import add_user, login  # noqa: E402

pytestmark = pytest.mark.unit


def _user(app: Flask, username: str) -> PortalUser:
    with app.app_context():
        return get_session().scalar(select(PortalUser).where(PortalUser.username == username))


def _fill(app: Flask) -> tuple[RecordingHarness, str]:
    """The portal customer mints 900 kg, sends Bob 300, retires 100; Bob has his own lot."""
    user = _user(app, "customer1@customer")
    customer, holder = actor_from_certificate(user.msp_id, user.cert_pem.encode()), ""
    with app.app_context():
        holder = owner_key(user)
        factory = sessions()
    h = RecordingHarness()
    h.mint("LOT-ENA-1", customer, 900)
    h.run(customer, msg_transfer.apply, MsgTransfer(holder, (
        TransferItem("LOT-ENA-1", key(BOB), 300),)))
    h.run(customer, msg_retire.apply, MsgRetire(holder, "LOT-ENA-1", 100, INFO))
    h.mint("LOT-OTHER", BOB, 50)
    project(factory, h.records)
    return h, holder


def _csv(resp) -> pd.DataFrame:  # noqa: ANN001
    assert resp.status_code == 200, resp.get_data(as_text=True)
    assert resp.mimetype == "text/csv"
    assert resp.headers["Content-Disposition"].startswith("attachment; filename=")
    return pd.read_csv(io.BytesIO(resp.data), dtype={"tx_id": str})


def _audit(app: Flask) -> list[tuple[str, str, str, str]]:
    with app.app_context():
        rows = get_session().scalars(select(AuditEntry).where(
            AuditEntry.action == "export.csv").order_by(AuditEntry.id))
        return [(e.actor, e.target, e.outcome, e.detail) for e in rows]


def test_a_holder_downloads_its_own_rows_only(app: Flask, client: FlaskClient) -> None:
    h, holder = _fill(app)
    login(client, "customer1@customer")
    holdings = _csv(client.get("/exports/holdings.csv"))
    assert holdings[["lot_id", "owner", "tradable_kg", "retired_kg", "total_kg"]
                    ].values.tolist() == [["LOT-ENA-1", holder, 500, 100, 600]]
    audit = h.audit("LOT-ENA-1").lots[0]
    assert audit.supply["tradable"] == 500 + 300 and audit.supply["retired"] == 100
    transfers = _csv(client.get("/exports/transfers.csv"))
    assert transfers[["sender", "recipient", "quantity_kg", "block_number"]].values.tolist() == [
        [holder, key(BOB), 300, 2]]
    assert transfers.tx_id.tolist() == [h.records[1].transaction_id]
    retirements = _csv(client.get("/exports/retirements.csv"))
    assert retirements[["serial", "quantity_kg", "beneficiary"]].values.tolist() == [
        ["ENV-LOT-ENA-1-1-100", 100, "Ena City"]]
    for asked in ("all", key(BOB)):
        resp = client.get("/exports/holdings.csv", query_string={"owner": asked})
        assert resp.status_code == 403
        assert "may export only its own rows" in resp.get_data(as_text=True)
    assert _csv(client.get("/exports/holdings.csv", query_string={"owner": holder})).shape[0] == 1
    entries = _audit(app)
    assert [e[1:3] for e in entries] == [
        ("holdings", "ok"), ("transfers", "ok"), ("retirements", "ok"),
        ("holdings", "refused"), ("holdings", "refused"), ("holdings", "ok")]
    assert entries[0][0] == "customer1@customer" and entries[0][3] == f"owner={holder}, rows=1"


def test_platform_operators_and_auditors_export_everyone(app: Flask,
                                                         client: FlaskClient) -> None:
    _, holder = _fill(app)
    login(client, "auditor1@platform")  # no wallet: every holder's rows by default
    everyone = _csv(client.get("/exports/holdings.csv"))
    assert sorted(everyone.owner.unique()) == sorted([holder, key(BOB)])
    assert int(everyone.total_kg.sum()) == 900 + 50
    one = _csv(client.get("/exports/holdings.csv", query_string={"owner": holder}))
    assert set(one.owner) == {holder}
    bad = client.get("/exports/holdings.csv", query_string={"owner": "nobody"})
    assert bad.status_code == 400
    client = app.test_client()
    login(client, "operator1@platform")  # a wallet: its own rows unless it asks for all
    assert _csv(client.get("/exports/holdings.csv")).empty
    assert len(_csv(client.get("/exports/holdings.csv?owner=all"))) == 3
    assert ("auditor1@platform", "holdings", "ok", "owner=all, rows=3") in _audit(app)


def test_other_roles_and_orgs_are_refused(app: Flask, client: FlaskClient,
                                          fabric_ca) -> None:  # noqa: ANN001
    _fill(app)
    login(client, "verifier1@platform")
    resp = client.get("/exports/credit-batches.csv")
    assert resp.status_code == 403 and "may not export" in resp.get_data(as_text=True)
    add_user(app, fabric_ca, "operator1", "operator", "market")
    client = app.test_client()
    login(client, "operator1@market")  # exports.all needs PlatformMSP
    assert client.get("/exports/holdings.csv?owner=all").status_code == 403
    assert client.get("/exports/holdings.csv").status_code == 200
    assert client.get("/exports/wallets.csv").status_code == 404
    anonymous = app.test_client().get("/exports/holdings.csv")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
    assert ("verifier1@platform", "credit-batches", "refused") in [e[:3] for e in _audit(app)]


def test_an_empty_read_model_gives_header_only_files(client: FlaskClient) -> None:
    login(client, "customer1@customer")
    for table, first in (("holdings", "lot_id"), ("transfers", "timestamp"),
                         ("retirements", "retired_at"), ("credit-batches", "batch_id"),
                         ("credit-shares", "batch_id")):
        resp = client.get(f"/exports/{table}.csv")
        lines = resp.get_data(as_text=True).splitlines()
        assert resp.status_code == 200 and len(lines) == 1 and lines[0].startswith(first)
    excel = client.get("/exports/holdings.csv?excel=1").data
    assert excel.startswith(b"\xef\xbb\xbf") and excel.endswith(b"\r\n")


def test_pages_link_the_downloads_their_user_may_make(app: Flask, client: FlaskClient) -> None:
    _fill(app)
    login(client, "customer1@customer")
    wallet = client.get("/wallet/").get_data(as_text=True)
    for table in ("holdings", "transfers", "retirements"):
        assert f'href="/exports/{table}.csv" download data-testid="export-{table}"' in wallet
    japanese = client.get("/wallet/", headers={"Accept-Language": "ja"}).get_data(as_text=True)
    assert "CSVをダウンロード" in japanese
    credits = client.get("/credits/").get_data(as_text=True)
    assert 'data-testid="export-credit-batches"' in credits
    assert 'data-testid="export-credit-shares"' in credits
    client = app.test_client()
    login(client, "verifier1@platform")
    credits = client.get("/credits/").get_data(as_text=True)
    assert "data-testid=\"credit-batches\"" in credits and "export-credit" not in credits


def test_the_api_serves_the_same_csv_by_token(app: Flask, client: FlaskClient) -> None:
    h = credit_world()  # a credit cycle: batch R1 with three contributors' shares
    with app.app_context():
        project(sessions(), h.records)
        token = create_api_token(get_session(), _user(app, "auditor1@platform"), "t")
    auth = {"Authorization": f"Bearer {token}"}
    shares = _csv(client.get("/api/v1/exports/credit-shares.csv", headers=auth))
    assert int(shares.kg.sum()) == 2000 and len(shares) == 3
    batches = _csv(client.get("/api/v1/exports/credit-batches.csv", headers=auth))
    assert batches[["batch_id", "issued_t", "credited_kg"]].values.tolist() == [["R1", 2, 2000]]
    missing = client.get("/api/v1/exports/wallets.csv", headers=auth)
    assert missing.status_code == 404 and missing.mimetype == "application/problem+json"
    assert client.get("/api/v1/exports/holdings.csv").status_code == 401
    spec = client.get("/api/v1/openapi.json").get_json()
    operation = spec["paths"]["/api/v1/exports/{table}.csv"]["get"]
    assert "text/csv" in operation["responses"]["200"]["content"]
