"""The bridge and wrapped contracts through the contract API's dispatcher (memory stub)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "chaincode"))

from chaincode_certs import operator_cert  # noqa: E402
from chaincode_memory_stub import MemoryLedger, MemoryStub  # noqa: E402

from envalue.chaincode.contracts import all_contracts  # noqa: E402
from envalue.chaincode.partner import partner_contracts  # noqa: E402
from envalue.chaincode.runtime import build_chaincode  # noqa: E402

pytestmark = pytest.mark.unit

OP_CERT = operator_cert("olivia", role="operator")


def invoke(chaincode, ledger: MemoryLedger, *args: str, msp: str, cert: bytes):  # noqa: ANN001, ANN201
    stub = MemoryStub(ledger, *args, msp_id=msp, cert_pem=cert)
    response = asyncio.run(chaincode.invoke(stub))
    if response.status == 200:
        stub.commit()
    return response


def test_registries():
    names = [c.Name for c in all_contracts()]
    assert "bridge" in names and "wrapped" not in names
    partner = [c.Name for c in partner_contracts()]
    assert "wrapped" in partner and "tokens" not in partner and "bridge" not in partner


def test_bridge_contract_configures_and_serves_views():
    chaincode = build_chaincode(all_contracts())
    ledger = MemoryLedger()
    response = invoke(chaincode, ledger, "bridge:configure", json.dumps({"network_id": "envalue"}),
                      msp="PlatformMSP", cert=OP_CERT)
    assert response.status == 200, response.message
    assert json.loads(response.payload)["events"][0]["name"] == "EventConfigureBridge"
    response = invoke(chaincode, ledger, "bridge:pledge_view", "P-404", msp="PlatformMSP",
                      cert=OP_CERT)
    assert response.status == 500
    assert json.loads(response.message) == {
        "type": "NotFoundError", "field": "pledge_id", "value": "P-404", "rule": "exists",
        "message": "pledge_id: pledge 'P-404' does not exist"}


def test_wrapped_contract_refuses_claim_without_registered_source():
    chaincode = build_chaincode(partner_contracts())
    ledger = MemoryLedger()
    assert invoke(chaincode, ledger, "wrapped:configure", json.dumps({"network_id": "greenx"}),
                  msp="ExchangeMSP", cert=OP_CERT).status == 200
    claim = json.dumps({"source_network": "envalue", "proof": {"version": 1,
                                                              "endorsements": []}})
    response = invoke(chaincode, ledger, "wrapped:claim", claim, msp="ExchangeMSP",
                      cert=OP_CERT)
    assert response.status == 500
    assert json.loads(response.message) == {
        "type": "NotFoundError", "field": "network_id", "value": "envalue", "rule": "exists",
        "message": "network_id: remote network 'envalue' does not exist"}
