"""The wallet and credits pages list the read model's rows (with tx id and block) and say
whether it is empty, behind, or cut off from the ledger; the CLI reports the same."""

from __future__ import annotations

import json

import pytest
from flask import Flask
from flask.testing import FlaskClient
from readmodel_world import RecordingHarness
from sqlalchemy import select
from test_readmodel_projector import INFO, credit_world, project
from tokens_harness import BOB, key

from envalue.chaincode.domain.tokens import msg_retire, msg_transfer
from envalue.chaincode.domain.tokens.msg_retire import MsgRetire
from envalue.chaincode.domain.tokens.msg_transfer import MsgTransfer, TransferItem
from envalue.chaincode.identity import Actor, actor_from_certificate
from envalue.cli import main
from envalue.readmodel.status import record_status
from envalue.webapp.db import PortalUser, get_session
from envalue.webapp.services.readmodel import owner_key, readmodel_url, sessions
from tests.unit.webapp.webapp_helpers import login

pytestmark = pytest.mark.unit


def _portal_actor(app: Flask, username: str) -> tuple[Actor, str]:
    with app.app_context():
        user = get_session().scalar(select(PortalUser).where(PortalUser.username == username))
        actor = actor_from_certificate(user.msp_id, user.cert_pem.encode())
        return actor, owner_key(user)


def test_wallet_lists_the_signed_in_identitys_holdings_and_the_lag(
        app: Flask, client: FlaskClient) -> None:
    customer, holder = _portal_actor(app, "customer1@customer")
    assert holder == key(customer)
    h = RecordingHarness()
    h.mint("LOT-ENA-1", customer, 900)
    h.run(customer, msg_transfer.apply, MsgTransfer(holder, (
        TransferItem("LOT-ENA-1", key(BOB), 300),)))
    h.run(customer, msg_retire.apply, MsgRetire(holder, "LOT-ENA-1", 100, INFO))
    h.mint("LOT-OTHER", BOB, 50)  # someone else's lot: not on this wallet
    with app.app_context():
        factory = sessions()
    project(factory, h.records)
    with factory.begin() as session:
        from envalue.readmodel import ReadModelCheckpointer

        ReadModelCheckpointer(factory).checkpoint_block(4)
        record_status(session, height=7, state="unavailable",
                      detail="peer peer0.customer.envalue.local has not been created")
    login(client, "customer1@customer")
    resp = client.get("/wallet/")
    page = resp.get_data(as_text=True)
    assert resp.status_code == 200
    rows = page.count('data-testid="holding-row"')
    assert rows == 2 and "LOT-OTHER" not in page
    retire_tx = h.records[2].transaction_id
    assert f"<td>retired</td><td class=\"num\">100</td>\n        <td><code>{retire_tx}</code>" \
        "</td><td class=\"num\">3</td>" in page
    assert "<td>tradable</td><td class=\"num\">500</td>" in page
    assert "ENV-LOT-ENA-1-1-100" in page and "Ena City" in page
    assert 'data-testid="readmodel-behind"' in page
    assert "behind by 2 blocks" in page and "projected 5 of the channel" in page
    assert 'data-testid="readmodel-unavailable"' in page
    assert "ledger unavailable: peer peer0.customer.envalue.local has not been created" in page
    # the single-lot ledger lookup is still there, and still says the ledger is unavailable
    assert 'name="lot_id"' in page and 'data-testid="ledger-unavailable"' in page


def test_an_empty_read_model_says_so(client: FlaskClient) -> None:
    login(client, "customer1@customer")
    page = client.get("/wallet/").get_data(as_text=True)
    assert 'data-testid="readmodel-empty"' in page and "The read model is empty" in page
    assert 'data-testid="holding-row"' not in page


def test_credits_page_lists_programs_reports_and_batches(app: Flask,
                                                         client: FlaskClient) -> None:
    h = credit_world()
    with app.app_context():
        factory = sessions()
    project(factory, h.records)
    last = h.records[-1].block_number
    with factory.begin() as session:
        record_status(session, height=last + 1, state="running")
    from envalue.readmodel import ReadModelCheckpointer

    ReadModelCheckpointer(factory).checkpoint_block(last)
    login(client, "verifier1@platform")
    page = client.get("/credits/").get_data(as_text=True)
    assert page.count('data-testid="program-row"') == 1
    assert page.count('data-testid="report-row"') == 1 and "meters ok" in page
    assert "JCL-ENV-ENA-20250401_20250930-1-2" in page
    assert page.count('data-testid="share-row"') == 3
    assert 'data-testid="readmodel-current"' in page


def test_readmodel_url_defaults_beside_the_portal_database() -> None:
    assert readmodel_url("", "sqlite:////srv/portal/p.db") == "sqlite:////srv/portal/readmodel.db"
    assert readmodel_url("postgresql://x/rm", "sqlite:////a.db") == "postgresql://x/rm"


def test_cli_status_and_run_without_a_peer(tmp_path) -> None:  # noqa: ANN001
    from click.testing import CliRunner

    url = f"sqlite:///{tmp_path}/rm.db"
    runner = CliRunner()
    result = runner.invoke(main, ["readmodel", "status", "--json", "--db", url])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert (data["empty"], data["state"], data["behind_blocks"]) == (True, "never-run", None)
    result = runner.invoke(main, ["readmodel", "run", "--db", url],
                           env={"ENVALUE_NETWORK_HOME": str(tmp_path / "net"),
                                "ENVALUE_BASE_PORT": "21400"})
    assert result.exit_code == 3
    assert "ledger unavailable: peer peer0.platform.envalue.local has not been created" \
        in result.output
    result = runner.invoke(main, ["readmodel", "status", "--db", url])
    assert "listener        unavailable: peer peer0.platform" in result.output
