"""The tokens and credits contracts through the contract API's dispatcher (memory stub)."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest

sys.path.insert(0, str(Path(__file__).parents[1] / "chaincode"))

from chaincode_certs import operator_cert  # noqa: E402
from chaincode_memory_stub import MemoryLedger, MemoryStub  # noqa: E402

from envalue.chaincode.contracts import all_contracts  # noqa: E402
from envalue.chaincode.domain.context import TxContext  # noqa: E402
from envalue.chaincode.domain.store import composite_key  # noqa: E402
from envalue.chaincode.domain.tokens.mint import mint_lot  # noqa: E402
from envalue.chaincode.identity import actor_from_certificate  # noqa: E402
from envalue.chaincode.runtime import StubStore, build_chaincode  # noqa: E402

pytestmark = pytest.mark.unit

CHAINCODE = build_chaincode(all_contracts())
ALICE_CERT = operator_cert("alice", role="customer")
BOB_CERT = operator_cert("bob", role="municipality")
OP_CERT = operator_cert("olivia", role="operator")


class RangeStub(MemoryStub):
    """The memory stub plus partial-composite-key range queries over committed state."""

    async def get_state_by_partial_composite_key(self, object_type: str,
                                                 attributes: list[str]):  # noqa: ANN201
        prefix = composite_key(object_type, *attributes)
        rows = [SimpleNamespace(key=k, value=v)
                for k, v in sorted(self.ledger.state.items()) if k.startswith(prefix)]

        async def iterate():  # noqa: ANN202
            for row in rows:
                yield row
        return iterate()


def owner(msp: str, cert: bytes) -> str:
    actor = actor_from_certificate(msp, cert)
    return f"{actor.msp_id}/{actor.id}"


ALICE = owner("CustomerMSP", ALICE_CERT)
BOB = owner("MunicipalityMSP", BOB_CERT)


def invoke(ledger: MemoryLedger, *args: str, msp: str, cert: bytes, tx: str = "tx1"):  # noqa: ANN201
    stub = RangeStub(ledger, *args, msp_id=msp, cert_pem=cert, tx_id=tx)
    response = asyncio.run(CHAINCODE.invoke(stub))
    if response.status == 200:
        stub.commit()
    return response, stub


def refusal(response) -> dict[str, object]:  # noqa: ANN001
    """The refusal the contract sent: a 500 whose message is `DomainError.to_dict()` JSON."""
    assert response.status == 500
    return json.loads(response.message)


@pytest.fixture
def ledger() -> MemoryLedger:
    ledger = MemoryLedger()
    stub = MemoryStub(ledger, "tokens:mint", msp_id="PlatformMSP", cert_pem=OP_CERT)
    operator = actor_from_certificate("PlatformMSP", OP_CERT)

    async def mint() -> None:
        ctx = TxContext("tx0", stub.get_tx_timestamp().ToDatetime(), operator)
        await mint_lot(StubStore(stub), ctx, lot_id="LOT-1", owner=ALICE, quantity_kg=500,
                       vintage_start="2025-04-01", vintage_end="2025-06-30",
                       methodology="EN-R-002", methodology_version="3.0", site_id="S",
                       equipment_id="E", calculation_id="C")
    asyncio.run(mint())
    stub.commit()
    return ledger


def test_transfer_through_the_dispatcher_emits_one_combined_event(ledger: MemoryLedger) -> None:
    msg = json.dumps({"owner": ALICE, "items": [
        {"lot_id": "LOT-1", "recipient": BOB, "quantity_kg": 100},
        {"lot_id": "LOT-1", "recipient": BOB, "quantity_kg": 50, "retire": {
            "beneficiary": "Ena City", "purpose": "voluntary", "reporting_year": 2025}}]})
    response, stub = invoke(ledger, "tokens:transfer", msg, msp="CustomerMSP", cert=ALICE_CERT)
    assert response.status == 200, response.message
    name, payload = stub.event or ("", b"")
    assert name == "transfer"
    assert [e["name"] for e in json.loads(payload)["events"]] == [
        "EventTransfer", "EventTransfer", "EventRetire"]
    response, _ = invoke(ledger, "tokens:holding", "LOT-1", BOB, msp="CustomerMSP",
                         cert=ALICE_CERT)
    assert json.loads(response.payload)["tradable"] == 100
    assert json.loads(response.payload)["retired"] == 50
    response, _ = invoke(ledger, "tokens:audit", "", msp="CustomerMSP", cert=ALICE_CERT)
    assert response.status == 200, response.message
    assert json.loads(response.payload)["balanced"] is True


@pytest.mark.parametrize("quantity, value, rule, detail", [
    ("1.5", "1.5", "integer", "Decimal('1.5') is not a whole number of kg-CO2e"),
    ('"7"', "7", "integer", "'7' is not a whole number of kg-CO2e"),
    ("-3", -3, "positive", "-3 must be greater than 0"),
])
def test_contract_refuses_non_integer_quantities(ledger: MemoryLedger, quantity: str,
                                                 value: object, rule: str,
                                                 detail: str) -> None:
    msg = (f'{{"owner": {json.dumps(ALICE)}, "items": [{{"lot_id": "LOT-1", '
           f'"recipient": {json.dumps(BOB)}, "quantity_kg": {quantity}}}]}}')
    before = dict(ledger.state)
    response, stub = invoke(ledger, "tokens:transfer", msg, msp="CustomerMSP", cert=ALICE_CERT)
    assert refusal(response) == {"type": "ValidationError", "field": "items[0].quantity_kg",
                                 "value": value, "rule": rule,
                                 "message": f"items[0].quantity_kg: {detail}"}
    assert ledger.state == before and stub.event is None


def test_contract_refuses_moving_another_owners_holding(ledger: MemoryLedger) -> None:
    msg = json.dumps({"owner": ALICE, "lot_id": "LOT-1", "quantity_kg": 5, "info": {
        "beneficiary": "x", "purpose": "voluntary", "reporting_year": 2025}})
    before = dict(ledger.state)
    response, _ = invoke(ledger, "tokens:retire", msg, msp="MunicipalityMSP", cert=BOB_CERT)
    data = refusal(response)
    assert {k: data[k] for k in ("type", "field", "value", "rule")} == {
        "type": "ForbiddenError", "field": "owner", "value": BOB, "rule": "owner-only"}
    assert str(data["message"]).startswith(f"owner: {BOB} may not move holding LOT-1@{ALICE}")
    assert ledger.state == before


def test_unknown_fields_are_refused(ledger: MemoryLedger) -> None:
    response, _ = invoke(ledger, "tokens:release", '{"escrow_id": "E", "amount": 1}',
                         msp="CustomerMSP", cert=ALICE_CERT)
    assert refusal(response) == {"type": "ValidationError", "field": "amount", "value": 1,
                                 "rule": "unknown-field",
                                 "message": "amount: is not a field of this message"}


def test_credits_program_creation_is_operator_only(ledger: MemoryLedger) -> None:
    msg = json.dumps({"program_id": "ENA", "name": "Ena", "methodologies": ["EN-R-002"]})
    response, _ = invoke(ledger, "credits:create_program", msg, msp="CustomerMSP",
                         cert=ALICE_CERT)
    data = refusal(response)
    assert {k: data[k] for k in ("type", "field", "value", "rule")} == {
        "type": "ForbiddenError", "field": "actor", "value": ALICE,
        "rule": "platform-operator"}
    assert "requires role operator in PlatformMSP" in str(data["message"])
    response, stub = invoke(ledger, "credits:create_program", msg, msp="PlatformMSP",
                            cert=OP_CERT)
    assert response.status == 200, response.message
    assert stub.event is not None and stub.event[0] == "create_program"
