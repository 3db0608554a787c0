"""Gateway calls over real gRPC (sync and grpc.aio) against a recording endpoint.

Checks what goes on the wire (fields, signatures over the right bytes), the error
conversion with gateway.ErrorDetail, deadlines, commit errors and the retry policy.
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import time

import grpc
import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)

from envalue.client import (
    CommitError,
    CommitStatusError,
    EndorseError,
    GatewayError,
    RetryPolicy,
    SubmitError,
    connect,
    connect_async,
    create_aio_channel,
    create_channel,
)
from envalue.client.signers import is_low_s

pytestmark = pytest.mark.unit

VALID = transaction_pb2.TxValidationCode.VALID
MVCC = transaction_pb2.TxValidationCode.MVCC_READ_CONFLICT


def verify(identity, signature: bytes, message: bytes) -> None:
    assert is_low_s(signature)
    identity.key.public_key().verify(signature, message, ec.ECDSA(hashes.SHA256()))


def prepared_envelope(request: gateway_pb2.EndorseRequest, result: bytes) -> common_pb2.Envelope:
    """An endorsed-transaction envelope shaped like the one a Gateway returns."""
    proposal = proposal_pb2.Proposal.FromString(request.proposed_transaction.proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    action = proposal_pb2.ChaincodeAction(
        response=proposal_response_pb2.Response(status=200, payload=result))
    response_payload = proposal_response_pb2.ProposalResponsePayload(
        proposal_hash=b"h", extension=action.SerializeToString())
    action_payload = transaction_pb2.ChaincodeActionPayload(
        chaincode_proposal_payload=proposal.payload,
        action=transaction_pb2.ChaincodeEndorsedAction(
            proposal_response_payload=response_payload.SerializeToString()))
    tx = transaction_pb2.Transaction(actions=[transaction_pb2.TransactionAction(
        header=header.signature_header, payload=action_payload.SerializeToString())])
    payload = common_pb2.Payload(header=header, data=tx.SerializeToString())
    return common_pb2.Envelope(payload=payload.SerializeToString())


def script_submit(recorder, *, codes=(VALID,), result=b"done") -> None:
    remaining = list(codes)
    recorder.handlers["Endorse"] = lambda req, ctx: gateway_pb2.EndorseResponse(
        prepared_transaction=prepared_envelope(req, result))
    recorder.handlers["Submit"] = gateway_pb2.SubmitResponse()

    def status(req, ctx):
        code = remaining.pop(0) if len(remaining) > 1 else remaining[0]
        return gateway_pb2.CommitStatusResponse(result=code, block_number=7)

    recorder.handlers["CommitStatus"] = status


@pytest.fixture
def sync_gateway(gateway_server, test_identity):
    target, recorder = gateway_server
    channel = create_channel(target, insecure=True)
    gateway = connect(test_identity.identity, client=channel, signer=test_identity.signer)
    yield gateway, recorder
    channel.close()


def test_evaluate_sends_signed_proposal(sync_gateway, test_identity) -> None:
    gateway, recorder = sync_gateway
    recorder.handlers["Evaluate"] = gateway_pb2.EvaluateResponse(
        result=proposal_response_pb2.Response(status=200, payload=b"42"))
    contract = gateway.get_network("ch1").get_contract("cc")
    assert contract.evaluate("Get", arguments=["k"], endorsing_organizations=["Org2MSP"]) == b"42"
    assert contract.evaluate_transaction("Get", "k") == b"42"
    request = recorder.requests["Evaluate"][0]
    assert request.channel_id == "ch1"
    assert list(request.target_organizations) == ["Org2MSP"]
    verify(test_identity, request.proposed_transaction.signature,
           request.proposed_transaction.proposal_bytes)
    proposal = proposal_pb2.Proposal.FromString(request.proposed_transaction.proposal_bytes)
    ch = common_pb2.ChannelHeader.FromString(
        common_pb2.Header.FromString(proposal.header).channel_header)
    assert ch.tx_id == request.transaction_id


def test_submit_transaction_signs_every_step(sync_gateway, test_identity) -> None:
    gateway, recorder = sync_gateway
    script_submit(recorder, result=b"retired")
    contract = gateway.get_network("ch1").get_contract("cc", "Credits")
    result = contract.submit_transaction("Retire", "b1", "10")
    assert result == b"retired"

    endorse = recorder.requests["Endorse"][0]
    submit = recorder.requests["Submit"][0]
    status = recorder.requests["CommitStatus"][0]
    tx_id = endorse.transaction_id
    assert submit.transaction_id == tx_id and submit.channel_id == "ch1"
    verify(test_identity, endorse.proposed_transaction.signature,
           endorse.proposed_transaction.proposal_bytes)
    verify(test_identity, submit.prepared_transaction.signature,
           submit.prepared_transaction.payload)
    verify(test_identity, status.signature, status.request)
    inner = gateway_pb2.CommitStatusRequest.FromString(status.request)
    assert inner.transaction_id == tx_id and inner.channel_id == "ch1"
    assert inner.identity == test_identity.identity.serialize()


def test_submit_async_returns_result_and_status(sync_gateway) -> None:
    gateway, recorder = sync_gateway
    script_submit(recorder, result=b"r")
    submitted = gateway.get_network("ch").get_contract("cc").submit_async("F", arguments=["a"])
    assert submitted.result == b"r"
    status = submitted.get_status()
    assert status.successful and status.block_number == 7 and status.code_name == "VALID"
    assert status.transaction_id == submitted.transaction_id


def test_commit_error_carries_validation_code(sync_gateway) -> None:
    gateway, recorder = sync_gateway
    script_submit(recorder, codes=(MVCC,))
    with pytest.raises(CommitError) as excinfo:
        gateway.get_network("ch").get_contract("cc").submit_transaction("F")
    assert excinfo.value.code_name == "MVCC_READ_CONFLICT"
    assert excinfo.value.transaction_id == recorder.requests["Endorse"][0].transaction_id
    assert len(recorder.requests["Endorse"]) == 1  # no retry unless asked


def test_retry_policy_reruns_mvcc_conflicts(sync_gateway) -> None:
    gateway, recorder = sync_gateway
    script_submit(recorder, codes=(MVCC, MVCC, VALID))
    contract = gateway.get_network("ch").get_contract("cc")
    retry = RetryPolicy(max_attempts=4, initial_backoff=0.001, max_backoff=0.002)
    assert contract.submit_transaction("F", retry=retry) == b"done"
    tx_ids = [r.transaction_id for r in recorder.requests["Endorse"]]
    assert len(tx_ids) == 3 and len(set(tx_ids)) == 3  # each retry is a new transaction


def test_retry_policy_is_bounded(sync_gateway) -> None:
    gateway, recorder = sync_gateway
    script_submit(recorder, codes=(MVCC,))
    contract = gateway.get_network("ch").get_contract("cc")
    with pytest.raises(CommitError):
        contract.submit_transaction("F", retry=RetryPolicy(max_attempts=2, initial_backoff=0))
    assert len(recorder.requests["Endorse"]) == 2


def test_retry_policy_ignores_other_codes(sync_gateway) -> None:
    gateway, recorder = sync_gateway
    script_submit(recorder, codes=(transaction_pb2.TxValidationCode.ENDORSEMENT_POLICY_FAILURE,))
    with pytest.raises(CommitError) as excinfo:
        gateway.get_network("ch").get_contract("cc").submit_transaction(
            "F", retry=RetryPolicy(initial_backoff=0))
    assert excinfo.value.code_name == "ENDORSEMENT_POLICY_FAILURE"
    assert len(recorder.requests["Endorse"]) == 1


def test_endorse_error_decodes_error_details(sync_gateway, abort_with_details) -> None:
    gateway, recorder = sync_gateway
    recorder.handlers["Endorse"] = abort_with_details(
        grpc.StatusCode.ABORTED, "failed to endorse transaction",
        [("peer0.org1:7051", "Org1MSP", "chaincode response 500, asset not found"),
         ("peer0.org2:9051", "Org2MSP", "chaincode response 500, asset not found")])
    with pytest.raises(EndorseError) as excinfo:
        gateway.get_network("ch").get_contract("cc").submit_transaction("F")
    err = excinfo.value
    assert err.code == grpc.StatusCode.ABORTED
    assert err.transaction_id == recorder.requests["Endorse"][0].transaction_id
    assert [(d.address, d.msp_id) for d in err.details] == [
        ("peer0.org1:7051", "Org1MSP"), ("peer0.org2:9051", "Org2MSP")]
    assert "asset not found" in err.details[0].message
    assert isinstance(err.__cause__, grpc.RpcError)
    assert "Org2MSP" in str(err)


def test_submit_and_commit_status_errors(sync_gateway, abort_with_details) -> None:
    gateway, recorder = sync_gateway
    script_submit(recorder)
    recorder.handlers["Submit"] = abort_with_details(grpc.StatusCode.UNAVAILABLE, "no orderer",
                                                     [("orderer0:7050", "OrdererMSP", "down")])
    contract = gateway.get_network("ch").get_contract("cc")
    with pytest.raises(SubmitError) as excinfo:
        contract.submit_async("F")
    assert excinfo.value.details[0].msp_id == "OrdererMSP"
    assert excinfo.value.transaction_id

    script_submit(recorder)
    recorder.handlers["CommitStatus"] = abort_with_details(grpc.StatusCode.DEADLINE_EXCEEDED,
                                                           "slow", [])
    with pytest.raises(CommitStatusError) as excinfo2:
        contract.submit_transaction("F")
    assert excinfo2.value.details == ()
    assert excinfo2.value.code == grpc.StatusCode.DEADLINE_EXCEEDED


def test_deadlines_default_and_override(gateway_server, test_identity) -> None:
    target, recorder = gateway_server

    def slow(request, context):
        time.sleep(1.0)
        return gateway_pb2.EvaluateResponse()

    recorder.handlers["Evaluate"] = slow
    with create_channel(target, insecure=True) as channel:
        gateway = connect(test_identity.identity, client=channel, signer=test_identity.signer,
                          evaluate_timeout=0.2)
        assert gateway.timeouts.evaluate == 0.2 and gateway.timeouts.endorse == 15.0
        contract = gateway.get_network("ch").get_contract("cc")
        start = time.monotonic()
        with pytest.raises(GatewayError) as excinfo:
            contract.evaluate_transaction("F")
        assert excinfo.value.code == grpc.StatusCode.DEADLINE_EXCEEDED
        assert time.monotonic() - start < 0.9
        # a per-call timeout wins over the connection default
        assert contract.evaluate("F", timeout=5.0) == b""


def test_offline_signing_end_to_end(gateway_server, test_identity) -> None:
    """No signer in the client: every step is signed out-of-band over digest()."""
    target, recorder = gateway_server
    script_submit(recorder, result=b"ok")
    sign = test_identity.signer.sign
    with create_channel(target, insecure=True) as channel:
        gateway = connect(test_identity.identity, client=channel)
        unsigned = gateway.get_network("ch").get_contract("cc").new_proposal("F")
        with pytest.raises(ValueError):
            unsigned.endorse()
        proposal = gateway.new_signed_proposal(unsigned.bytes(), sign(unsigned.digest()))
        unsigned_tx = proposal.endorse()
        assert unsigned_tx.result == b"ok"
        envelope = gateway_pb2.PreparedTransaction.FromString(unsigned_tx.bytes()).envelope
        assert unsigned_tx.digest() == hashlib.sha256(envelope.payload).digest()
        assert not envelope.signature
        tx = gateway.new_signed_transaction(unsigned_tx.bytes(), sign(unsigned_tx.digest()))
        assert tx.transaction_id == proposal.transaction_id and tx.channel_name == "ch"
        unsigned_commit = tx.submit()
        commit = gateway.new_signed_commit(unsigned_commit.bytes(),
                                           sign(unsigned_commit.digest()))
        assert commit.get_status().successful
    verify(test_identity, recorder.requests["Submit"][0].prepared_transaction.signature,
           recorder.requests["Submit"][0].prepared_transaction.payload)
    status_request = recorder.requests["CommitStatus"][0]
    verify(test_identity, status_request.signature, status_request.request)


def test_logs_never_contain_arguments_or_payloads(sync_gateway, caplog) -> None:
    gateway, recorder = sync_gateway
    script_submit(recorder, result=b"RESULT-PAYLOAD")
    caplog.set_level(logging.DEBUG, logger="envalue.client")
    gateway.get_network("ch").get_contract("cc").submit(
        "F", arguments=["ARG-SECRET"], transient_data={"k": b"TRANSIENT-SECRET"})
    assert caplog.records, "expected structured debug logs"
    for record in caplog.records:
        text = repr(record.__dict__)
        for secret in ("ARG-SECRET", "TRANSIENT-SECRET", "RESULT-PAYLOAD", "PRIVATE"):
            assert secret not in text
    assert any(getattr(r, "tx_id", None) for r in caplog.records)


# --- asyncio ------------------------------------------------------------------------------

def test_async_flows(gateway_server, test_identity, abort_with_details) -> None:
    target, recorder = gateway_server
    script_submit(recorder, result=b"async-result")
    recorder.handlers["Evaluate"] = gateway_pb2.EvaluateResponse(
        result=proposal_response_pb2.Response(payload=b"q"))

    async def main() -> None:
        channel = create_aio_channel(target, insecure=True)
        try:
            async with connect_async(test_identity.identity, client=channel,
                                     signer=test_identity.signer) as gateway:
                contract = gateway.get_network("ch").get_contract("cc")
                assert await contract.evaluate_transaction("Q") == b"q"
                assert await contract.submit_transaction("F", "x") == b"async-result"
                submitted = await contract.submit_async("F")
                assert submitted.result == b"async-result"
                assert (await submitted.get_status()).block_number == 7

                recorder.handlers["CommitStatus"] = lambda r, c: \
                    gateway_pb2.CommitStatusResponse(result=MVCC, block_number=8)
                with pytest.raises(CommitError):
                    await contract.submit_transaction("F")

                recorder.handlers["Endorse"] = abort_with_details(
                    grpc.StatusCode.FAILED_PRECONDITION, "no peers",
                    [("peer1:7051", "Org1MSP", "unavailable")])
                with pytest.raises(EndorseError) as excinfo:
                    await contract.submit_transaction("F")
                assert excinfo.value.details[0].address == "peer1:7051"
                assert excinfo.value.transaction_id
        finally:
            await channel.close()

    asyncio.run(main())
    for request in recorder.requests["Submit"]:
        verify(test_identity, request.prepared_transaction.signature,
               request.prepared_transaction.payload)


# --- events -------------------------------------------------------------------------------

def test_chaincode_events_stream_and_checkpoint(sync_gateway, test_identity) -> None:
    from envalue.client import InMemoryCheckpointer

    gateway, recorder = sync_gateway

    def events(request, context):
        for block, txs in ((5, ("t1", "t2")), (6, ("t3",))):
            yield gateway_pb2.ChaincodeEventsResponse(block_number=block, events=[
                chaincode_event_pb2.ChaincodeEvent(chaincode_id="cc", tx_id=t,
                                                   event_name="Retired", payload=t.encode())
                for t in txs])

    recorder.handlers["ChaincodeEvents"] = events
    checkpointer = InMemoryCheckpointer()
    checkpointer.checkpoint_transaction(5, "t0")
    network = gateway.get_network("ch")
    with network.get_chaincode_events("cc", checkpoint=checkpointer, start_block=1) as stream:
        seen = []
        for event in stream:
            seen.append((event.block_number, event.transaction_id, event.payload))
            checkpointer.checkpoint_chaincode_event(event)
    assert seen == [(5, "t1", b"t1"), (5, "t2", b"t2"), (6, "t3", b"t3")]
    assert (checkpointer.block_number, checkpointer.transaction_id) == (6, "t3")

    signed = recorder.requests["ChaincodeEvents"][0]
    verify(test_identity, signed.signature, signed.request)
    request = gateway_pb2.ChaincodeEventsRequest.FromString(signed.request)
    assert request.channel_id == "ch" and request.chaincode_id == "cc"
    assert request.start_position.specified.number == 5  # checkpoint wins over start_block
    assert request.after_transaction_id == "t0"
    assert request.identity == test_identity.identity.serialize()


def test_chaincode_events_default_start_is_next_commit(sync_gateway) -> None:
    gateway, _ = sync_gateway
    req = gateway.get_network("ch").new_chaincode_events_request("cc")
    inner = gateway_pb2.ChaincodeEventsRequest.FromString(
        gateway_pb2.SignedChaincodeEventsRequest.FromString(req.bytes()).request)
    assert inner.start_position.WhichOneof("Type") == "next_commit"
    assert inner.after_transaction_id == ""


def test_chaincode_events_error_and_close(sync_gateway, abort_with_details) -> None:
    gateway, recorder = sync_gateway
    recorder.handlers["ChaincodeEvents"] = abort_with_details(
        grpc.StatusCode.PERMISSION_DENIED, "access denied", [])
    with pytest.raises(GatewayError) as excinfo:
        list(gateway.get_network("ch").get_chaincode_events("cc"))
    assert excinfo.value.code == grpc.StatusCode.PERMISSION_DENIED


def test_filtered_block_events(sync_gateway, test_identity) -> None:
    from fabric_protos.orderer import ab_pb2
    from fabric_protos.peer import events_pb2

    from envalue.client import InMemoryCheckpointer

    gateway, recorder = sync_gateway

    def deliver(envelope, context):
        for n in (3, 4):
            yield events_pb2.DeliverResponse(
                filtered_block=events_pb2.FilteredBlock(channel_id="ch", number=n))
        yield events_pb2.DeliverResponse(status=common_pb2.Status.SUCCESS)

    recorder.handlers["DeliverFiltered"] = deliver
    checkpointer = InMemoryCheckpointer()
    checkpointer.checkpoint_block(2)
    with gateway.get_network("ch").get_filtered_block_events(checkpoint=checkpointer) as stream:
        numbers = []
        for block in stream:
            numbers.append(block.number)
            checkpointer.checkpoint_block(block.number)
    assert numbers == [3, 4] and checkpointer.block_number == 5

    envelope = recorder.requests["DeliverFiltered"][0]
    verify(test_identity, envelope.signature, envelope.payload)
    payload = common_pb2.Payload.FromString(envelope.payload)
    ch = common_pb2.ChannelHeader.FromString(payload.header.channel_header)
    assert ch.type == common_pb2.HeaderType.DELIVER_SEEK_INFO and ch.channel_id == "ch"
    seek = ab_pb2.SeekInfo.FromString(payload.data)
    assert seek.start.specified.number == 3
    assert seek.stop.specified.number == 2**64 - 1
    assert seek.behavior == ab_pb2.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY

    recorder.handlers["Deliver"] = lambda env, ctx: iter(
        [events_pb2.DeliverResponse(status=common_pb2.Status.FORBIDDEN)])
    with pytest.raises(GatewayError, match="FORBIDDEN"):
        list(gateway.get_network("ch").get_block_events(start_block=0))


def test_async_event_streams(gateway_server, test_identity) -> None:
    from fabric_protos.peer import events_pb2

    from envalue.client import FileCheckpointer

    target, recorder = gateway_server
    recorder.handlers["ChaincodeEvents"] = lambda req, ctx: iter([
        gateway_pb2.ChaincodeEventsResponse(block_number=2, events=[
            chaincode_event_pb2.ChaincodeEvent(chaincode_id="cc", tx_id="a", event_name="E")])])
    recorder.handlers["Deliver"] = lambda env, ctx: iter([
        events_pb2.DeliverResponse(block=common_pb2.Block(
            header=common_pb2.BlockHeader(number=9))),
        events_pb2.DeliverResponse(status=common_pb2.Status.SUCCESS)])

    async def main(checkpointer) -> None:
        channel = create_aio_channel(target, insecure=True)
        try:
            gateway = connect_async(test_identity.identity, client=channel,
                                    signer=test_identity.signer)
            network = gateway.get_network("ch")
            async with network.get_chaincode_events("cc", checkpoint=checkpointer) as stream:
                async for event in stream:
                    assert event.transaction_id == "a" and event.block_number == 2
                    checkpointer.checkpoint_chaincode_event(event)
            async with network.get_block_events(start_block=9) as blocks:
                assert [b.header.number async for b in blocks] == [9]
        finally:
            await channel.close()

    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        asyncio.run(main(FileCheckpointer(f"{tmp}/cp.json")))
        resumed = FileCheckpointer(f"{tmp}/cp.json")
        assert (resumed.block_number, resumed.transaction_id) == (2, "a")
    envelope = recorder.requests["Deliver"][0]
    verify(test_identity, envelope.signature, envelope.payload)
