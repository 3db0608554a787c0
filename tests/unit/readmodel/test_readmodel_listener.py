"""The checkpoint the SDK resumes from, blocks read into records, one block per database
transaction, and the listener's answers when the ledger cannot be reached."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.ledger.rwset import rwset_pb2
from fabric_protos.ledger.rwset.kvrwset import kv_rwset_pb2
from fabric_protos.orderer import ab_pb2
from fabric_protos.peer import (
    chaincode_event_pb2,
    chaincode_pb2,
    proposal_pb2,
    proposal_response_pb2,
    transaction_pb2,
)
from google.protobuf import timestamp_pb2
from readmodel_world import dump
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from test_readmodel_projector import states, token_world
from tokens_harness import ALICE, BOB, key

from envalue.client import (
    BlockEventsRequest,
    ChaincodeEvent,
    Checkpointer,
    X509Identity,
    connect,
    create_channel,
)
from envalue.ledger.errors import LedgerUnavailableError
from envalue.ledger.peers import LedgerPeers
from envalue.network.settings import NetworkSettings
from envalue.network.topology import org_by_key
from envalue.readmodel import (
    ChaincodeEventRecord,
    ReadModelCheckpointer,
    ReadModelListener,
    lag_status,
)
from envalue.readmodel import queries as rq
from envalue.readmodel.blocks import block_records
from envalue.readmodel.schema import AppliedEvent, TokenLot, Transfer
from envalue.readmodel.status import record_status

pytestmark = pytest.mark.unit

MVCC_READ_CONFLICT = transaction_pb2.TxValidationCode.MVCC_READ_CONFLICT


def _certificate(cn: str) -> tuple[bytes, bytes]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, cn)])
    now = dt.datetime.now(dt.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=1))
            .not_valid_after(now + dt.timedelta(days=1)).sign(key, hashes.SHA256()))
    return (cert.public_bytes(serialization.Encoding.PEM),
            key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                              serialization.NoEncryption()))


# -- checkpoint ----------------------------------------------------------------------------

def test_the_sdk_resumes_from_the_stored_checkpoint(sessions) -> None:
    checkpointer = ReadModelCheckpointer(sessions)
    assert isinstance(checkpointer, Checkpointer)
    assert (checkpointer.block_number, checkpointer.transaction_id) == (None, None)
    checkpointer.checkpoint_chaincode_event(
        ChaincodeEvent(7, "tx-7b", "envalue", "transfer", b"{}"))
    restarted = ReadModelCheckpointer(sessions)  # a new process over the same database
    assert (restarted.block_number, restarted.transaction_id) == (7, "tx-7b")
    cert, _ = _certificate("auditor1")
    channel = create_channel("localhost:1")  # building a request contacts no peer
    try:
        with connect(X509Identity("PlatformMSP", cert), client=channel) as gateway:
            network = gateway.get_network("envalue")
            signed = network.new_chaincode_events_request("envalue", checkpoint=restarted)
            request = gateway_pb2.ChaincodeEventsRequest.FromString(
                gateway_pb2.SignedChaincodeEventsRequest.FromString(signed.bytes()).request)
            assert request.start_position.specified.number == 7
            assert request.after_transaction_id == "tx-7b"
            fresh = ReadModelCheckpointer(sessions, name="never-ran")
            assert _seek(network.new_block_events_request(start_block=0, checkpoint=fresh)) == 0
            restarted.checkpoint_block(7)
            assert (checkpointer.block_number, checkpointer.transaction_id) == (8, None)
            request = network.new_block_events_request(start_block=0, checkpoint=checkpointer)
            assert _seek(request) == 8  # the listener's call: the checkpoint wins
    finally:
        channel.close()


def _seek(request: BlockEventsRequest) -> int:
    """The block a Deliver request starts at."""
    payload = common_pb2.Payload.FromString(common_pb2.Envelope.FromString(
        request.bytes()).payload)
    return int(ab_pb2.SeekInfo.FromString(payload.data).start.specified.number)


# -- blocks --------------------------------------------------------------------------------

def _envelope(record: ChaincodeEventRecord, chaincode: str = "envalue") -> bytes:
    """A committed endorser transaction as the peer's Deliver service sends it."""
    kv = kv_rwset_pb2.KVRWSet(writes=[
        kv_rwset_pb2.KVWrite(key=k, is_delete=v is None, value=v or b"")
        for k, v in record.writes.items()])
    rwset = rwset_pb2.TxReadWriteSet(data_model=rwset_pb2.TxReadWriteSet.KV, ns_rwset=[
        rwset_pb2.NsReadWriteSet(namespace="_lifecycle", rwset=b""),
        rwset_pb2.NsReadWriteSet(namespace=chaincode, rwset=kv.SerializeToString())])
    event = chaincode_event_pb2.ChaincodeEvent(chaincode_id=chaincode,
                                               tx_id=record.transaction_id,
                                               event_name=record.event_name,
                                               payload=record.payload)
    action = proposal_pb2.ChaincodeAction(results=rwset.SerializeToString(),
                                          events=event.SerializeToString(),
                                          chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode))
    prp = proposal_response_pb2.ProposalResponsePayload(extension=action.SerializeToString())
    cap = transaction_pb2.ChaincodeActionPayload(action=transaction_pb2.ChaincodeEndorsedAction(
        proposal_response_payload=prp.SerializeToString()))
    tx = transaction_pb2.Transaction(actions=[
        transaction_pb2.TransactionAction(payload=cap.SerializeToString())])
    stamp = timestamp_pb2.Timestamp()
    stamp.FromDatetime(dt.datetime.fromisoformat(record.timestamp))
    header = common_pb2.ChannelHeader(type=common_pb2.HeaderType.ENDORSER_TRANSACTION,
                                      channel_id="envalue", tx_id=record.transaction_id,
                                      timestamp=stamp)
    payload = common_pb2.Payload(header=common_pb2.Header(
        channel_header=header.SerializeToString()), data=tx.SerializeToString())
    return common_pb2.Envelope(payload=payload.SerializeToString()).SerializeToString()


def _block(number: int, txs: list[tuple[bytes, int]]) -> common_pb2.Block:
    codes = bytes(code for _, code in txs)
    return common_pb2.Block(
        header=common_pb2.BlockHeader(number=number),
        data=common_pb2.BlockData(data=[raw for raw, _ in txs]),
        metadata=common_pb2.BlockMetadata(metadata=[b"", b"", codes, b"", b""]))


def test_a_block_is_projected_in_one_transaction_with_its_checkpoint(sessions) -> None:
    world = token_world()
    mint, transfer, retire = world.records[:3]
    block = _block(4, [
        (_envelope(mint), 0),
        (_envelope(transfer), 0),
        (_envelope(retire), MVCC_READ_CONFLICT),  # invalid: changed nothing on the ledger
        (_envelope(retire, chaincode="other"), 0),  # another chaincode's transaction
    ])
    records = block_records(block, "envalue")
    assert [(r.block_number, r.transaction_id, r.event_name) for r in records] == [
        (4, mint.transaction_id, "mint"), (4, transfer.transaction_id, "transfer")]
    assert records[0].writes == mint.writes and records[0].payload == mint.payload
    # the channel header's timestamp, formatted as the chaincode formats ctx.timestamp
    assert [r.timestamp for r in records] == [mint.timestamp, transfer.timestamp]
    listener = ReadModelListener(sessions, None)
    result = listener.project_block(block)
    assert (result.transactions, result.applied, result.unprojected) == (2, 2, 0)
    assert (listener.checkpointer.block_number, listener.checkpointer.transaction_id) == (5, None)
    with sessions() as session:
        assert states(session, key(ALICE)) == {"tradable": 300}
        assert states(session, key(BOB)) == {"tradable": 200}
        [row] = session.scalars(select(Transfer)).all()
        assert row.transferred_at == transfer.timestamp
        lag = lag_status(session)
        assert (lag.projected_blocks, lag.channel_height, lag.behind_blocks) == (5, 5, 0)
        record_status(session, height=12)  # what qscc GetChainInfo answered at connect
        assert lag_status(session).behind_blocks == 7


def test_a_block_resumes_after_the_checkpointed_transaction(sessions) -> None:
    world = token_world()
    mint, transfer = world.records[:2]
    block = _block(4, [(_envelope(mint), 0), (_envelope(transfer), 0)])
    listener = ReadModelListener(sessions, None)
    listener.checkpointer.checkpoint_transaction(4, mint.transaction_id)
    result = listener.project_block(block)
    assert (result.applied, result.skipped) == (1, 1)
    with sessions() as session:
        assert states(session, key(BOB)) == {"tradable": 200}
        # the mint was before the checkpoint: no lot row, no mint event; Alice's holding
        # is the record the transfer wrote
        assert session.get(TokenLot, "LOT-1") is None
        assert [e.name for e in session.scalars(select(AppliedEvent))] == ["EventTransfer"]
        alice = rq.holdings_of(session, key(ALICE))
        assert [(h.kg, h.tx_id) for h in alice] == [(300, transfer.transaction_id)]
    before = _dump(sessions)
    listener.project_block(block)  # delivered again after a reconnect: nothing changes
    assert _dump(sessions) == before


def _dump(sessions: sessionmaker[Session]) -> dict:
    with sessions() as session:
        data = dump(session)
    data.pop("rm_checkpoints")
    data.pop("rm_listener_status")
    return data


# -- no ledger -----------------------------------------------------------------------------

def test_without_a_peer_the_listener_says_why(sessions, tmp_path: Path) -> None:
    settings = NetworkSettings.resolve(name="t", base_port=21200, home=tmp_path / "net")
    listener = ReadModelListener(sessions, settings)
    assert listener.user == "auditor1"
    with pytest.raises(LedgerUnavailableError) as info:
        listener.run()
    assert "peer0.platform.envalue.local has not been created" in info.value.reason
    with sessions() as session:
        lag = lag_status(session)
    assert lag.state == "unavailable" and "has not been created" in lag.detail
    assert lag.empty and lag.behind_blocks is None


def test_transport_failures_reconnect_with_backoff_then_give_up(sessions,
                                                                 tmp_path: Path) -> None:
    settings = NetworkSettings.resolve(name="t", base_port=21300, home=tmp_path / "net")
    org = org_by_key("platform")
    settings.layout.node(org, org.peer_host(0)).mkdir(parents=True)
    cert, key_pem = _certificate("ca.platform")
    settings.layout.ca_cert(org).parent.mkdir(parents=True)
    settings.layout.ca_cert(org).write_bytes(cert)
    msp = settings.layout.user(org, "auditor1") / "msp"
    (msp / "signcerts").mkdir(parents=True)
    (msp / "keystore").mkdir()
    user_cert, user_key = _certificate("auditor1")
    (msp / "signcerts" / "cert.pem").write_bytes(user_cert)
    (msp / "keystore" / "key_sk").write_bytes(user_key)
    waits: list[tuple[float, str]] = []

    def sleep(seconds: float) -> None:
        with sessions() as session:
            waits.append((seconds, lag_status(session).state))

    peers = LedgerPeers(settings, connect_timeout=0.2)
    listener = ReadModelListener(sessions, settings, max_attempts=3, sleep=sleep, peers=peers)
    with pytest.raises(LedgerUnavailableError) as info:
        listener.run()  # nothing listens on the peer's port: UNAVAILABLE each time
    assert [state for _, state in waits] == ["reconnecting", "reconnecting"]
    assert 0 <= waits[0][0] <= 1.0 and 0 <= waits[1][0] <= 2.0
    # the final reason is the peer status's diagnosis: silent peer, no process running
    assert f"localhost:{settings.ports.peer(org)} did not answer within 0.2s" \
        in info.value.reason
    assert "no peer0.platform.envalue.local process of network 't' is running" \
        in info.value.reason
    assert "(3 attempts to follow its blocks failed)" in info.value.reason
    with sessions() as session:
        assert lag_status(session).state == "unavailable"


def test_a_reader_without_enrolled_identities_is_named(sessions, tmp_path: Path) -> None:
    settings = NetworkSettings.resolve(name="t", base_port=21500, home=tmp_path / "net")
    org = org_by_key("customer")
    settings.layout.node(org, org.peer_host(0)).mkdir(parents=True)
    settings.layout.ca_cert(org).parent.mkdir(parents=True)
    settings.layout.ca_cert(org).write_bytes(_certificate("ca.customer")[0])
    listener = ReadModelListener(sessions, settings, org_key="customer")
    assert listener.user == "customer1"  # no auditor or operator in the Customer org
    with pytest.raises(LedgerUnavailableError) as info:
        listener.run()
    assert "has no enrolled identities" in info.value.reason
