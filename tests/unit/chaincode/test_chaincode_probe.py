"""The probe contract through the contract API's dispatcher, on an in-memory stub."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime

import pytest
from chaincode_certs import make_cert, operator_cert, subject
from chaincode_memory_stub import MemoryLedger, MemoryStub
from fabric_protos.peer import proposal_response_pb2

from envalue.chaincode.contracts import all_contracts
from envalue.chaincode.contracts.probe import COUNTER_TYPE, ProbeError, increment_counter
from envalue.chaincode.domain.store import composite_key
from envalue.chaincode.runtime import StubStore, build_chaincode

pytestmark = pytest.mark.unit

CHAINCODE = build_chaincode(all_contracts())


def invoke(stub: MemoryStub) -> proposal_response_pb2.Response:
    return asyncio.run(CHAINCODE.invoke(stub))


def test_put_writes_and_emits_key_only_event() -> None:
    ledger = MemoryLedger()
    stub = MemoryStub(ledger, "probe:put", "asset-1", "secret value")
    response = invoke(stub)
    assert response.status == 200, response.message
    assert stub.writes == {"asset-1": b"secret value"}
    assert stub.event == ("ValuePut", b'{"key":"asset-1"}')


def test_get_reads_committed_value_and_default_contract_routing() -> None:
    ledger = MemoryLedger()
    put = MemoryStub(ledger, "put", "k", "v1")  # no prefix: probe is the default contract
    assert invoke(put).status == 200
    put.commit()
    response = invoke(MemoryStub(ledger, "probe:get", "k"))
    assert (response.status, response.payload) == (200, b"v1")


def test_get_of_missing_key_is_an_error_response() -> None:
    response = invoke(MemoryStub(MemoryLedger(), "probe:get", "nope"))
    assert response.status == 500
    assert response.message == "key: 'nope' not found"


@pytest.mark.parametrize("key", ["", "\x00composite", "x" * 257])
def test_put_rejects_bad_keys(key: str) -> None:
    response = invoke(MemoryStub(MemoryLedger(), "probe:put", key, "v"))
    assert response.status == 500
    assert response.message.startswith("key: ")


def test_increment_is_read_modify_write_on_a_composite_key() -> None:
    ledger = MemoryLedger()
    at = datetime(2026, 5, 1, 8, 30, tzinfo=UTC)
    for expected in (1, 2):
        stub = MemoryStub(ledger, "probe:increment", "bench", at=at)
        response = invoke(stub)
        assert (response.status, response.payload) == (200, str(expected).encode())
        stub.commit()
    key = composite_key(COUNTER_TYPE, "bench")
    assert key == "\x00probe.counter\x00bench\x00"
    assert json.loads(ledger.state[key]) == {"value": 2, "updated_at": "2026-05-01T08:30:00+00:00"}
    name, payload = stub.event or ("", b"")
    assert name == "CounterIncremented"
    assert json.loads(payload) == {
        "counter": "bench", "value": 2, "updated_at": "2026-05-01T08:30:00+00:00"
    }


def test_increments_in_the_same_block_read_the_same_version() -> None:
    # Both read the committed value (MVCC: the peer would invalidate one of them).
    ledger = MemoryLedger()
    first = MemoryStub(ledger, "probe:increment", "c")
    second = MemoryStub(ledger, "probe:increment", "c")
    assert invoke(first).payload == invoke(second).payload == b"1"


def test_whoami_reports_msp_go_id_and_role() -> None:
    stub = MemoryStub(MemoryLedger(), "probe:whoami", msp_id="MarketMSP",
                      cert_pem=operator_cert("mallory", role="auditor"))
    response = invoke(stub)
    assert response.status == 200, response.message
    body = json.loads(response.payload)
    assert body["msp_id"] == "MarketMSP"
    assert body["role"] == "auditor"
    assert body["id"].startswith(
        "x509::CN=mallory,OU=client,O=Hyperledger,ST=North Carolina,C=US::"
    )


@pytest.mark.parametrize("msp_id", ["PlatformMSP", "MarketMSP"])
def test_put_restricted_allows_operators_of_platform_and_market(msp_id: str) -> None:
    stub = MemoryStub(MemoryLedger(), "probe:put_restricted", "k", "v", msp_id=msp_id,
                      cert_pem=operator_cert())
    response = invoke(stub)
    assert response.status == 200, response.message
    assert stub.writes == {"k": b"v"}
    assert stub.event == ("ValuePut", b'{"key":"k","restricted":true}')


def test_put_restricted_denies_other_roles_with_a_clear_message() -> None:
    stub = MemoryStub(MemoryLedger(), "probe:put_restricted", "k", "v", msp_id="PlatformMSP",
                      cert_pem=operator_cert("victor", role="verifier"))
    response = invoke(stub)
    assert response.status == 500
    assert response.message.startswith("access denied: identity x509::CN=victor,")
    assert response.message.endswith(
        "of PlatformMSP has role 'verifier'; function put_restricted requires role operator"
    )
    assert stub.writes == {}


def test_put_restricted_denies_operators_of_other_organisations() -> None:
    stub = MemoryStub(MemoryLedger(), "probe:put_restricted", "k", "v",
                      msp_id="MunicipalityMSP", cert_pem=operator_cert())
    response = invoke(stub)
    assert response.status == 500
    assert "of MunicipalityMSP is not a member" in response.message
    assert response.message.endswith("requires MSP PlatformMSP or MarketMSP")


def test_put_restricted_denies_certificates_without_role() -> None:
    stub = MemoryStub(MemoryLedger(), "probe:put_restricted", "k", "v", msp_id="PlatformMSP",
                      cert_pem=make_cert(subject("nobody", "client")))
    response = invoke(stub)
    assert "has no role attribute" in response.message


def test_increment_counter_pure_function_rejects_empty_counter() -> None:
    with pytest.raises(ProbeError, match="counter: must not be empty"):
        store = StubStore(MemoryStub(MemoryLedger()))
        asyncio.run(increment_counter(store, "", datetime(2026, 1, 1, tzinfo=UTC)))
