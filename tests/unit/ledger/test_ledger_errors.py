"""Gateway SDK errors, built the way the SDK builds them, decoded into ledger outcomes.

Each chaincode refusal here is the text the chaincode really sends: the contract API
answers ``str(exception)``, which envalue's contracts make the JSON of the domain error's
``to_dict()`` (`contracts.common.ChaincodeRefusal`) for errors raised by the chaincode's
own checks (run here without a ledger, or through the contract API's dispatcher on the
chaincode unit tests' memory stub), and the Gateway wraps it per peer as ``chaincode
response 500, …`` in the gateway.ErrorDetail entries of the gRPC status. The SDK errors
come out of `envalue.client._grpc.to_gateway_error`, from a gRPC error carrying that status.
"""

from __future__ import annotations

import asyncio
import json
import sys
from datetime import UTC, datetime
from pathlib import Path

import grpc
import pytest
from fabric_protos.gateway import gateway_pb2

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chaincode"))

from chaincode_certs import operator_cert  # noqa: E402
from chaincode_memory_stub import MemoryLedger, MemoryStub  # noqa: E402

from envalue.chaincode.contracts import all_contracts  # noqa: E402
from envalue.chaincode.contracts.common import ChaincodeRefusal, as_domain_error  # noqa: E402
from envalue.chaincode.domain.context import TxContext  # noqa: E402
from envalue.chaincode.domain.errors import NotFoundError  # noqa: E402
from envalue.chaincode.domain.tokens import msg_transfer  # noqa: E402
from envalue.chaincode.domain.tokens.access import require_owner  # noqa: E402
from envalue.chaincode.domain.tokens.ledger import require_available  # noqa: E402
from envalue.chaincode.domain.tokens.state import Holding  # noqa: E402
from envalue.chaincode.identity import (  # noqa: E402
    Actor,
    actor_from_certificate,
    require_role,
)
from envalue.chaincode.runtime import build_chaincode  # noqa: E402
from envalue.client import (  # noqa: E402
    CommitError,
    CommitStatusError,
    EndorseError,
    GatewayError,
    SubmitError,
)
from envalue.client._grpc import _RpcStatus, to_gateway_error  # noqa: E402
from envalue.ledger.errors import (  # noqa: E402
    LedgerConflict,
    LedgerRejection,
    LedgerUnavailableError,
    decode_rejection,
    ledger_error,
)

pytestmark = pytest.mark.unit

ALICE = "CustomerMSP/x509::CN=alice::CN=ca.customer"
BOB_ACTOR = Actor("MunicipalityMSP", "x509::CN=bob::CN=ca.municipality", {"role": "municipality"})
BOB = f"{BOB_ACTOR.msp_id}/{BOB_ACTOR.id}"
PEER = ("peer0.customer.envalue.local:17053", "CustomerMSP")


class _RpcError(grpc.RpcError):
    """What grpcio raises: a code, a message and the trailing metadata of the call."""

    def __init__(self, code: grpc.StatusCode, message: str,
                 details: list[tuple[str, str, str]]) -> None:
        status = _RpcStatus(code=code.value[0], message=message)
        for address, msp_id, text in details:
            item = status.details.add()
            item.type_url = "type.googleapis.com/gateway.ErrorDetail"
            item.value = gateway_pb2.ErrorDetail(address=address, msp_id=msp_id,
                                                 message=text).SerializeToString()
        self._code, self._message = code, message
        self._trailer = status.SerializeToString()

    def code(self) -> grpc.StatusCode:
        return self._code

    def details(self) -> str:
        return self._message

    def trailing_metadata(self) -> tuple[tuple[str, bytes], ...]:
        return (("grpc-status-details-bin", self._trailer),)


def sdk_error(error_type: type[GatewayError], code: grpc.StatusCode, message: str,
              *details: tuple[str, str, str], tx: str = "tx-42") -> GatewayError:
    kwargs = {"transaction_id": tx} if error_type is not GatewayError else {}
    return to_gateway_error(_RpcError(code, message, list(details)), error_type, **kwargs)


def chaincode_says(check: object) -> str:
    """The response message of a contract whose check raised (``str(ChaincodeRefusal)``)."""
    try:
        check()  # type: ignore[operator]
    except Exception as exc:  # noqa: BLE001 - a refusal is whatever the check raised
        error = as_domain_error(exc)
        assert error is not None, f"{exc!r} is not a refusal"
        return str(ChaincodeRefusal(error))
    raise AssertionError("the check passed")


def _ctx(actor: Actor) -> TxContext:
    return TxContext("tx-42", datetime(2026, 4, 1, tzinfo=UTC), actor)


def test_endorse_refusal_names_field_and_detail_and_keeps_every_peer() -> None:
    said = chaincode_says(lambda: require_owner(_ctx(BOB_ACTOR), ALICE, f"LOT-1@{ALICE}"))
    err = sdk_error(EndorseError, grpc.StatusCode.ABORTED,
                    "failed to endorse transaction, see attached details for more info",
                    (*PEER, f"chaincode response 500, {said}"))
    assert isinstance(err, EndorseError) and err.details[0].message.endswith(said)
    outcome = ledger_error(err, operation="tokens:transfer")
    assert isinstance(outcome, LedgerRejection)
    sent = json.loads(said)
    assert (outcome.field, outcome.value, outcome.rule) == ("owner", BOB, "owner-only")
    assert sent["message"] == f"owner: {outcome.detail}" == outcome.message
    assert outcome.detail.startswith(f"{BOB} may not move holding LOT-1@{ALICE}")
    assert (outcome.http_status, outcome.exit_code) == (422, 4)
    assert outcome.transaction_id == "tx-42" and outcome.operation == "tokens:transfer"
    data = outcome.to_dict()
    assert data["peers"] == [{"address": PEER[0], "msp_id": PEER[1],
                              "message": f"chaincode response 500, {said}"}]
    assert {k: data[k] for k in sent if k != "type"} == {
        k: v for k, v in sent.items() if k != "type"}


def test_indexed_field_paths_and_balance_conflicts() -> None:
    bad = msg_transfer.MsgTransfer(ALICE, (msg_transfer.TransferItem("LOT-1", BOB, -3),))
    said = chaincode_says(lambda: msg_transfer.validate(bad))
    outcome = ledger_error(sdk_error(EndorseError, grpc.StatusCode.ABORTED, "failed",
                                     (*PEER, f"chaincode response 500, {said}")))
    assert (outcome.field, outcome.value, outcome.rule, outcome.detail) == (
        "items[0].quantity_kg", -3, "positive", "-3 must be greater than 0")
    holding = Holding(lot_id="LOT-1", owner=ALICE, tradable=10)
    said = chaincode_says(lambda: require_available(holding, "tradable", 11,
                                                    "items[0].quantity_kg"))
    outcome = ledger_error(sdk_error(EndorseError, grpc.StatusCode.ABORTED, "failed",
                                     (*PEER, f"chaincode response 500, {said}")))
    assert isinstance(outcome, LedgerRejection) and outcome.field == "items[0].quantity_kg"
    assert (outcome.value, outcome.rule) == (json.loads(said)["value"], json.loads(said)["rule"])
    assert outcome.rule != "chaincode" and outcome.value == 11
    assert "has 10 kg-CO2e tradable, 11 kg-CO2e requested" in outcome.detail


def test_evaluate_refusal_is_read_from_the_message_too() -> None:
    said = str(ChaincodeRefusal(NotFoundError("lot_id", "LOT-9", "exists",
                                              "lot 'LOT-9' does not exist")))
    message = f"evaluate call to endorser returned error: chaincode response 500, {said}"
    err = sdk_error(GatewayError, grpc.StatusCode.UNKNOWN, message)
    outcome = ledger_error(err, operation="tokens:holding")
    assert isinstance(outcome, LedgerRejection)
    assert (outcome.field, outcome.value, outcome.rule, outcome.detail) == (
        "lot_id", "LOT-9", "exists", "lot 'LOT-9' does not exist")


def test_access_denied_by_identity_checks_arrives_as_a_forbidden_actor() -> None:
    said = chaincode_says(lambda: require_role(BOB_ACTOR, "operator", function="put"))
    outcome = decode_rejection(said)
    assert (outcome.field, outcome.value, outcome.rule) == ("actor", BOB, "access-denied")
    assert outcome.detail == (f"access denied: identity {BOB_ACTOR.id} of MunicipalityMSP has "
                              "role 'municipality'; function put requires role operator")


def test_messages_without_a_field_and_structured_messages() -> None:
    outcome = decode_rejection("Function mint not found in contract tokens")
    assert outcome.field == "" and outcome.detail == "Function mint not found in contract tokens"
    assert (outcome.rule, outcome.value) == ("chaincode", None)
    outcome = decode_rejection("access denied: identity x has role 'customer'")
    assert outcome.field == ""  # "access denied" is not a field path
    outcome = decode_rejection("lot_id: lot 'LOT-9' does not exist")  # plain text keeps a path
    assert (outcome.field, outcome.detail) == ("lot_id", "lot 'LOT-9' does not exist")
    structured = json.dumps({"type": "ForbiddenError", "field": "actor", "value": BOB,
                             "rule": "four-eyes", "message": f"actor: {BOB} may not approve"})
    outcome = decode_rejection(structured)
    assert (outcome.field, outcome.value, outcome.rule) == ("actor", BOB, "four-eyes")
    assert outcome.message == f"actor: {BOB} may not approve"


def test_read_conflict_at_commit_is_a_conflict_not_lost() -> None:
    outcome = ledger_error(CommitError("tx-7", 11, 42), operation="tokens:transfer")
    assert isinstance(outcome, LedgerConflict)
    assert (outcome.code_name, outcome.block_number, outcome.transaction_id) == (
        "MVCC_READ_CONFLICT", 42, "tx-7")
    assert (outcome.http_status, outcome.exit_code) == (409, 5)
    assert "nothing was written" in outcome.message
    assert isinstance(ledger_error(CommitError("tx-8", 12)), LedgerConflict)  # phantom read
    other = ledger_error(CommitError("tx-9", 10))  # ENDORSEMENT_POLICY_FAILURE
    assert isinstance(other, LedgerRejection)
    assert other.rule == "commit-endorsement-policy-failure"


def test_transport_failures_are_unavailable_with_the_reason() -> None:
    outcome = ledger_error(sdk_error(GatewayError, grpc.StatusCode.UNAVAILABLE,
                                     "failed to connect to all addresses"),
                           peer="peer peer0.customer at localhost:17053")
    assert isinstance(outcome, LedgerUnavailableError)
    assert outcome.reason.startswith("peer peer0.customer at localhost:17053: UNAVAILABLE")
    assert (outcome.http_status, outcome.exit_code, outcome.rule) == (
        503, 3, "ledger_unavailable")
    submit = ledger_error(sdk_error(SubmitError, grpc.StatusCode.UNAVAILABLE,
                                    "no orderers could successfully process transaction",
                                    ("orderer0:17020", "OrdererMSP", "connection refused")))
    assert isinstance(submit, LedgerUnavailableError)
    assert "was not committed" in submit.reason and "orderer0:17020" in submit.reason
    status = ledger_error(sdk_error(CommitStatusError, grpc.StatusCode.DEADLINE_EXCEEDED,
                                    "context deadline exceeded"))
    assert isinstance(status, LedgerUnavailableError)
    assert "tx-42 may still commit" in status.reason


def test_other_gateway_refusals_keep_the_grpc_code() -> None:
    err = sdk_error(EndorseError, grpc.StatusCode.FAILED_PRECONDITION,
                    "access denied: channel [envalue] creator org unknown")
    outcome = ledger_error(err)
    assert isinstance(outcome, LedgerRejection)
    assert (outcome.rule, outcome.value) == ("gateway-failed_precondition", "FAILED_PRECONDITION")
    assert "access denied" in outcome.detail


CUSTOMER_CERT = operator_cert("carol", role="customer")
CAROL = f"CustomerMSP/{actor_from_certificate('CustomerMSP', CUSTOMER_CERT).id}"
CHAINCODE = build_chaincode(all_contracts())
RETIRE_INFO = {"beneficiary": "Ena", "purpose": "voluntary", "reporting_year": 2025}


@pytest.mark.parametrize(("args", "field", "value", "rule"), [
    (("tokens:transfer", json.dumps({"owner": CAROL, "items": [
        {"lot_id": "LOT-1", "recipient": BOB, "quantity_kg": 0}]})),
     "items[0].quantity_kg", 0, "positive"),
    (("tokens:retire", f'{{"owner": "{CAROL}", "lot_id": "L", "quantity_kg": 1.25, '
                       f'"info": {json.dumps(RETIRE_INFO)}}}'), "quantity_kg", "1.25", "integer"),
    (("tokens:holding", "LOT-404", ALICE), "lot_id", "LOT-404", "exists"),
    (("probe:put_restricted", "k", "v"), "actor", CAROL, "access-denied"),
    (("credits:create_program", '{"program_id": "P", "name": "n", "methodologies": ["A"]}'),
     "actor", CAROL, "platform-operator"),
])
def test_a_refusal_through_the_dispatcher_reaches_the_client_with_field_value_and_rule(
        args: tuple[str, ...], field: str, value: object, rule: str) -> None:
    """Chaincode to client without a ledger: the contract API's response message, wrapped
    the way the Gateway wraps it, decodes to the field, value and rule the contract raised."""
    stub = MemoryStub(MemoryLedger(), *args, msp_id="CustomerMSP", cert_pem=CUSTOMER_CERT)
    response = asyncio.run(CHAINCODE.invoke(stub))
    assert response.status == 500 and stub.writes == {} and stub.event is None
    sent = json.loads(response.message)
    assert (sent["field"], sent["value"], sent["rule"]) == (field, value, rule)

    err = sdk_error(EndorseError, grpc.StatusCode.ABORTED,
                    "failed to endorse transaction, see attached details for more info",
                    (*PEER, f"chaincode response 500, {response.message}"))
    outcome = ledger_error(err, operation=args[0])
    direct = decode_rejection(response.message)
    for decoded in (outcome, direct):
        assert isinstance(decoded, LedgerRejection)
        assert (decoded.field, decoded.value, decoded.rule) == (field, value, rule)
        assert decoded.message == sent["message"]
        assert decoded.message == f"{field}: {decoded.detail}"
    assert outcome.operation == args[0] and outcome.peers[0].message.endswith(response.message)
