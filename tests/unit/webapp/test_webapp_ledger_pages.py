"""Ledger-backed pages show 'ledger unavailable: <reason>' and never made-up data."""

from __future__ import annotations

from pathlib import Path

import pytest
from flask.testing import FlaskClient

from envalue.network.settings import NetworkSettings
from envalue.webapp.gateway import LedgerGateway

from .webapp_helpers import login

pytestmark = pytest.mark.unit


@pytest.mark.parametrize(("user", "path"), [
    ("customer1@customer", "/wallet/?lot_id=LOT-1"),
    ("verifier1@platform", "/credits/?report_id=R-1"),
])  # the trace page reads the read model: see test_webapp_trace.py
def test_queries_show_the_unavailable_panel(client: FlaskClient, user: str, path: str) -> None:
    login(client, user)
    resp = client.get(path)
    page = resp.get_data(as_text=True)
    assert resp.status_code == 503
    assert 'data-testid="ledger-unavailable"' in page
    assert "ledger unavailable: the Fabric network is not running in unit tests" in page
    assert 'data-testid="ledger-data"' not in page


def test_pages_without_a_query_still_say_why(client: FlaskClient) -> None:
    login(client, "customer1@customer")
    page = client.get("/wallet/").get_data(as_text=True)
    assert 'data-testid="ledger-unavailable"' in page
    page = client.get("/dashboard").get_data(as_text=True)
    assert "ledger unavailable:" in page


def test_gateway_names_the_missing_peer(tmp_path: Path) -> None:
    settings = NetworkSettings.resolve(name="t", base_port=21000, home=tmp_path)
    state = LedgerGateway(settings).status("platform")
    assert not state.available
    assert "peer0.platform.envalue.local has not been created" in state.reason
    assert "customer" in LedgerGateway(settings).endpoint("customer").host


def test_gateway_reports_a_silent_peer(tmp_path: Path) -> None:
    from envalue.network.topology import org_by_key

    settings = NetworkSettings.resolve(name="t", base_port=21100, home=tmp_path)
    org = org_by_key("platform")
    settings.layout.node(org, org.peer_host(0)).mkdir(parents=True)
    settings.layout.ca_cert(org).parent.mkdir(parents=True, exist_ok=True)
    settings.layout.ca_cert(org).write_bytes(b"")
    gateway = LedgerGateway(settings, connect_timeout=0.2)
    state = gateway.status("platform")
    assert not state.available and "did not answer within 0.2s" in state.reason
