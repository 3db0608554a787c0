"""The registry and measurement contracts through the contract API's dispatcher.

Thin wrappers: JSON in, the domain's refusal (field, value, rule, message as JSON) out,
one combined event per transaction. (Range queries need a peer, so the dispatcher tests
stay on calls that do not scan; the domain tests cover the rest on the in-memory store.)
"""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chaincode"))

from chaincode_certs import operator_cert  # noqa: E402
from chaincode_memory_stub import MemoryLedger, MemoryStub  # noqa: E402

from envalue.chaincode.contracts import all_contracts  # noqa: E402
from envalue.chaincode.identity import actor_from_certificate  # noqa: E402
from envalue.chaincode.runtime import build_chaincode  # noqa: E402

pytestmark = pytest.mark.unit

CHAINCODE = build_chaincode(all_contracts())


def invoke(stub: MemoryStub) -> tuple[int, str, bytes]:
    response = asyncio.run(CHAINCODE.invoke(stub))
    return response.status, response.message, response.payload


def test_bootstrap_and_register_site_emit_one_combined_event() -> None:
    ledger = MemoryLedger()
    operator = operator_cert("op1", "operator")
    stub = MemoryStub(ledger, "registry:bootstrap", msp_id="PlatformMSP", cert_pem=operator,
                      tx_id="tx-genesis")
    status, message, payload = invoke(stub)
    assert status == 200, message
    name, body = stub.event or ("", b"")
    assert name == "bootstrap"
    events = json.loads(body)["events"]
    assert [e["name"] for e in events] == ["EventBootstrap"]
    assert "pv-battery@1" in events[0]["attributes"]["methodologies"]
    assert json.loads(payload) == json.loads(body)
    stub.commit()

    site = json.dumps({"site_id": "ena-city-hall", "name": "Ena City Hall",
                       "owner_msp": "MunicipalityMSP"})
    stub = MemoryStub(ledger, "registry:register_site", site, msp_id="MunicipalityMSP",
                      cert_pem=operator_cert("ena", "municipality"))
    status, message, _ = invoke(stub)
    assert status == 200, message
    stub.commit()
    status, message, payload = invoke(MemoryStub(ledger, "registry:get_site", "ena-city-hall"))
    assert status == 200, message
    assert json.loads(payload)["owner_msp"] == "MunicipalityMSP"


def test_refusals_carry_the_domain_error_and_write_nothing() -> None:
    ledger = MemoryLedger()
    cert = operator_cert("c", "customer")
    stub = MemoryStub(ledger, "registry:bootstrap", msp_id="CustomerMSP", cert_pem=cert)
    status, message, _ = invoke(stub)
    assert status == 500
    data = json.loads(message)
    actor = actor_from_certificate("CustomerMSP", cert)
    assert {k: data[k] for k in ("type", "field", "value", "rule")} == {
        "type": "ForbiddenError", "field": "actor", "value": f"CustomerMSP/{actor.id}",
        "rule": "platform-operator"}
    assert "may not bootstrap the registry: requires role operator in PlatformMSP" in \
        data["message"]
    assert stub.writes == {} and stub.event is None
    stub = MemoryStub(ledger, "measurement:mint", '{"calculation_id": "calc-x", "x": 1}',
                      msp_id="PlatformMSP", cert_pem=operator_cert())
    status, message, _ = invoke(stub)
    assert status == 500
    data = json.loads(message)
    assert {k: data[k] for k in ("type", "field", "value", "rule")} == {
        "type": "ValidationError", "field": "x", "value": 1, "rule": "unknown-field"}
    assert data["message"].startswith("x: is not a field of MsgMintReduction")
    assert stub.writes == {} and stub.event is None
