"""The probe contract through the contract API's dispatcher, on an in-memory stub."""

from __future__ import annotations

import asyncio
import inspect
import json
import typing
from collections.abc import Callable
from datetime import UTC, datetime

import pytest
from chaincode_certs import make_cert, operator_cert, subject
from chaincode_memory_stub import MemoryLedger, MemoryStub
from fabric_chaincode_python.fabric_contract_api.contractapi import ContractChaincode
from fabric_chaincode_python.fabric_contract_api.internal.contract_function import (
    ContractFunction,
)
from fabric_protos.peer import proposal_response_pb2

from envalue.chaincode.contracts import all_contracts
from envalue.chaincode.contracts.common import ChaincodeRefusal, EnvalueContract, refusing
from envalue.chaincode.contracts.probe import COUNTER_TYPE, ProbeError, increment_counter
from envalue.chaincode.domain.errors import ForbiddenError
from envalue.chaincode.domain.store import composite_key
from envalue.chaincode.identity import AccessDeniedError, actor_from_certificate
from envalue.chaincode.partner import partner_contracts
from envalue.chaincode.runtime import EnvalueContext, StubStore, build_chaincode

pytestmark = pytest.mark.unit

CHAINCODE = build_chaincode(all_contracts())


def invoke(stub: MemoryStub) -> proposal_response_pb2.Response:
    return invoke_on(CHAINCODE, stub)


def invoke_on(chaincode: ContractChaincode, stub: MemoryStub) -> proposal_response_pb2.Response:
    return asyncio.run(chaincode.invoke(stub))


def refusal(response: proposal_response_pb2.Response) -> dict[str, object]:
    """The refusal the contract sent: a 500 whose message is `DomainError.to_dict()` JSON."""
    assert response.status == 500
    data = json.loads(response.message)
    assert response.message == json.dumps(data, sort_keys=True, separators=(",", ":"))
    return data


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
    assert refusal(response) == {"type": "NotFoundError", "field": "key", "value": "nope",
                                 "rule": "exists", "message": "key: 'nope' not found"}


@pytest.mark.parametrize(("key", "value", "rule", "message"), [
    ("", "", "required", "key: must not be empty"),
    ("\x00composite", "\x00composite", "plain-key", "key: must not start with U+0000"),
    ("x" * 257, "<257 characters>", "max-length", "key: longer than 256 characters"),
])
def test_put_rejects_bad_keys(key: str, value: str, rule: str, message: str) -> None:
    stub = MemoryStub(MemoryLedger(), "probe:put", key, "secret value")
    assert refusal(invoke(stub)) == {"type": "ProbeError", "field": "key", "value": value,
                                     "rule": rule, "message": message}
    assert stub.writes == {} and stub.event is None


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
    cert = operator_cert("victor", role="verifier")
    stub = MemoryStub(MemoryLedger(), "probe:put_restricted", "k", "v", msp_id="PlatformMSP",
                      cert_pem=cert)
    data = refusal(invoke(stub))
    actor = actor_from_certificate("PlatformMSP", cert)
    assert actor.id.startswith("x509::CN=victor,")
    assert {k: data[k] for k in ("type", "field", "value", "rule")} == {
        "type": "ForbiddenError", "field": "actor", "value": f"PlatformMSP/{actor.id}",
        "rule": "access-denied"}
    assert data["message"] == (
        f"actor: access denied: identity {actor.id} of PlatformMSP has role 'verifier'; "
        "function put_restricted requires role operator")
    assert stub.writes == {} and stub.event is None


def test_put_restricted_denies_operators_of_other_organisations() -> None:
    stub = MemoryStub(MemoryLedger(), "probe:put_restricted", "k", "v",
                      msp_id="MunicipalityMSP", cert_pem=operator_cert())
    data = refusal(invoke(stub))
    assert (data["field"], data["rule"]) == ("actor", "access-denied")
    assert str(data["value"]).startswith("MunicipalityMSP/x509::CN=")
    assert "of MunicipalityMSP is not a member" in str(data["message"])
    assert str(data["message"]).endswith("requires MSP PlatformMSP or MarketMSP")


def test_put_restricted_denies_certificates_without_role() -> None:
    stub = MemoryStub(MemoryLedger(), "probe:put_restricted", "k", "v", msp_id="PlatformMSP",
                      cert_pem=make_cert(subject("nobody", "client")))
    data = refusal(invoke(stub))
    assert (data["type"], data["field"], data["rule"]) == (
        "ForbiddenError", "actor", "access-denied")
    assert "has no role attribute" in str(data["message"])


def test_an_unreadable_creator_is_refused_as_an_identity_failure() -> None:
    stub = MemoryStub(MemoryLedger(), "probe:whoami", msp_id="PlatformMSP",
                      cert_pem=b"not a certificate")
    assert refusal(invoke(stub)) == {
        "type": "ForbiddenError", "field": "actor", "value": None, "rule": "identity",
        "message": "actor: creator of PlatformMSP is not an X.509 PEM certificate"}


def test_errors_that_are_not_refusals_pass_through_as_text() -> None:
    response = invoke(MemoryStub(MemoryLedger(), "probe:nothing"))
    assert (response.status, response.message) == (
        500, "Function nothing not found in contract probe")


def test_increment_counter_pure_function_rejects_empty_counter() -> None:
    store = StubStore(MemoryStub(MemoryLedger()))
    with pytest.raises(ProbeError, match="counter: must not be empty") as err:
        asyncio.run(increment_counter(store, "", datetime(2026, 1, 1, tzinfo=UTC)))
    assert (err.value.field, err.value.value, err.value.rule) == ("counter", "", "required")


@pytest.mark.parametrize("contracts", [all_contracts, partner_contracts],
                         ids=["envalue", "partner"])
def test_refusal_wrapping_keeps_what_the_contract_api_reads(
        contracts: Callable[[], list[EnvalueContract]]) -> None:
    """Every public coroutine is wrapped, with the original's signature and type hints, so
    the metadata lists the same functions, parameters and SUBMIT/EVALUATE tags."""
    chaincode = build_chaincode(contracts())
    response = invoke_on(chaincode, MemoryStub(MemoryLedger(),
                                               "org.hyperledger.fabric:get_metadata"))
    assert response.status == 200, response.message
    metadata = json.loads(response.payload)["contracts"]
    for contract in contracts():
        assert isinstance(contract, EnvalueContract)
        assert type(contract.get_transaction_context_handler()) is EnvalueContext
        evaluates = set(contract.get_evaluate_transactions())
        public = {name: member for name, member in vars(type(contract)).items()
                  if not name.startswith("_") and inspect.iscoroutinefunction(member)}
        assert evaluates <= set(public)
        listed = {t["name"]: t for t in metadata[contract.Name]["transactions"]}
        assert set(listed) == set(public)
        for name, member in public.items():
            original = member.__wrapped__
            assert inspect.signature(member) == inspect.signature(original)
            assert typing.get_type_hints(member) == typing.get_type_hints(original)
            wrapped_fn = ContractFunction.from_callable(getattr(contract, name), 0,
                                                        EnvalueContext)
            original_fn = ContractFunction.from_callable(original.__get__(contract), 0,
                                                         EnvalueContext)
            assert wrapped_fn.params == original_fn.params
            assert wrapped_fn.returns == original_fn.returns
            assert wrapped_fn.params.context is EnvalueContext
            tag = "EVALUATE" if name in evaluates else "SUBMIT"
            assert tag in listed[name]["tag"]
            assert len(listed[name].get("parameters", [])) == len(original_fn.params.fields)


def test_a_refusal_keeps_the_raised_exception_and_faults_pass_through() -> None:
    denied = AccessDeniedError("access denied: identity x of M has no role attribute",
                               actor_key="M/x")
    fault = RuntimeError("GET_STATE failed: ledger unavailable")

    async def raises(exc: Exception) -> None:
        raise exc

    with pytest.raises(ChaincodeRefusal) as refused:
        asyncio.run(refusing(raises)(denied))
    assert refused.value.__cause__ is denied
    assert isinstance(refused.value.error, ForbiddenError)
    assert json.loads(str(refused.value)) == refused.value.error.to_dict() == {
        "type": "ForbiddenError", "field": "actor", "value": "M/x", "rule": "access-denied",
        "message": "actor: access denied: identity x of M has no role attribute"}
    with pytest.raises(RuntimeError) as passed:
        asyncio.run(refusing(raises)(fault))
    assert passed.value is fault
