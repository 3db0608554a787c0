"""The peer side of the chaincode shim protocol, for tests over real gRPC.

`FakePeer` dials a chaincode server and calls `Chaincode/Connect` as a Fabric
peer does for chaincode-as-a-service, answers REGISTER with REGISTERED and
READY, sends TRANSACTION messages carrying signed-proposal-shaped proposals,
and answers GET_STATE / PUT_STATE / DEL_STATE from an in-memory ledger (reads
see committed state only, as in Fabric; writes go to the transaction's write
set, which `commit()` applies).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import grpc
from fabric_protos.common import common_pb2
from fabric_protos.msp import identities_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2
from fabric_protos.peer import chaincode_shim_pb2 as shim_pb2
from fabric_protos.peer import chaincode_shim_pb2_grpc as shim_grpc

Msg = shim_pb2.ChaincodeMessage
CHANNEL = "envalue"


@dataclass
class TxRecord:
    """What the peer saw of one transaction."""

    writes: dict[str, bytes | None] = field(default_factory=dict)
    requests: list[int] = field(default_factory=list)


def signed_proposal(
    *,
    tx_id: str,
    args: Sequence[bytes],
    msp_id: str,
    cert_pem: bytes,
    timestamp: datetime,
    transient: Mapping[str, bytes] | None = None,
    chaincode: str = "envalue",
) -> proposal_pb2.SignedProposal:
    """A proposal shaped like the Gateway client's (unsigned: chaincode never verifies)."""
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.ENDORSER_TRANSACTION, channel_id=CHANNEL, tx_id=tx_id
    )
    channel_header.timestamp.FromDatetime(timestamp)
    creator = identities_pb2.SerializedIdentity(mspid=msp_id, id_bytes=cert_pem)
    signature_header = common_pb2.SignatureHeader(
        creator=creator.SerializeToString(), nonce=os.urandom(24)
    )
    header = common_pb2.Header(
        channel_header=channel_header.SerializeToString(),
        signature_header=signature_header.SerializeToString(),
    )
    spec = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(
            chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode),
            input=chaincode_pb2.ChaincodeInput(args=list(args)),
        )
    )
    payload = proposal_pb2.ChaincodeProposalPayload(
        input=spec.SerializeToString(), TransientMap=dict(transient or {})
    )
    proposal = proposal_pb2.Proposal(
        header=header.SerializeToString(), payload=payload.SerializeToString()
    )
    return proposal_pb2.SignedProposal(proposal_bytes=proposal.SerializeToString())


class FakePeer:
    """A Fabric peer, as far as one chaincode stream is concerned."""

    def __init__(
        self,
        target: str,
        *,
        channel_options: Sequence[tuple[str, int]] = (),
        msp_id: str = "PlatformMSP",
        cert_pem: bytes = b"",
        credentials: grpc.ChannelCredentials | None = None,
        ready_timeout: float = 10,
    ) -> None:
        self._ready_timeout = ready_timeout
        self.target = target
        self._credentials = credentials
        self.ledger: dict[str, bytes] = {}
        self.registered_as: str | None = None
        self.transactions: dict[str, TxRecord] = {}
        self.keepalives = 0
        #: GET_STATE of these keys is answered with ERROR, as a peer does on ledger errors.
        self.failing_keys: set[str] = set()
        self.msp_id = msp_id
        self.cert_pem = cert_pem
        self._channel_options = list(channel_options)
        self._outgoing: asyncio.Queue[shim_pb2.ChaincodeMessage | None] = asyncio.Queue()
        self._results: dict[str, asyncio.Future[shim_pb2.ChaincodeMessage]] = {}
        self._ready = asyncio.Event()
        self.stream_error: BaseException | None = None
        self._reader: asyncio.Task[None] | None = None
        self._channel: grpc.aio.Channel | None = None
        self._call: grpc.aio.StreamStreamCall | None = None

    async def __aenter__(self) -> FakePeer:
        if self._credentials is None:
            self._channel = grpc.aio.insecure_channel(self.target, options=self._channel_options)
        else:
            self._channel = grpc.aio.secure_channel(
                self.target, self._credentials, options=self._channel_options
            )
        self._call = shim_grpc.ChaincodeStub(self._channel).Connect(self._requests())
        self._reader = asyncio.create_task(self._read())
        await asyncio.wait_for(self._ready.wait(), timeout=self._ready_timeout)
        return self

    async def __aexit__(self, *exc: object) -> None:
        self._outgoing.put_nowait(None)
        if self._reader is not None:
            with contextlib.suppress(asyncio.TimeoutError, asyncio.CancelledError):
                await asyncio.wait_for(self._reader, timeout=5)
        if self._channel is not None:
            await self._channel.close()

    async def _requests(self) -> AsyncIterator[shim_pb2.ChaincodeMessage]:
        while (message := await self._outgoing.get()) is not None:
            yield message

    def send(self, message: shim_pb2.ChaincodeMessage) -> None:
        self._outgoing.put_nowait(message)

    async def _read(self) -> None:
        assert self._call is not None
        try:
            async for message in self._call:
                self._handle(message)
        except grpc.aio.AioRpcError as exc:
            self.stream_error = exc
        finally:
            for future in self._results.values():
                if not future.done():
                    future.set_exception(ConnectionError(f"stream ended: {self.stream_error}"))

    def _handle(self, message: shim_pb2.ChaincodeMessage) -> None:
        if message.type == Msg.REGISTER:
            self.registered_as = chaincode_pb2.ChaincodeID.FromString(message.payload).name
            self.send(Msg(type=Msg.REGISTERED))
            self.send(Msg(type=Msg.READY))
            self._ready.set()
        elif message.type == Msg.KEEPALIVE:
            self.keepalives += 1
        elif message.type in (Msg.COMPLETED, Msg.ERROR):
            future = self._results.get(message.txid)
            if future is not None and not future.done():
                future.set_result(message)
        else:
            self._answer(message)

    def _answer(self, message: shim_pb2.ChaincodeMessage) -> None:
        record = self.transactions.setdefault(message.txid, TxRecord())
        record.requests.append(message.type)
        payload = b""
        if message.type == Msg.GET_STATE:
            key = shim_pb2.GetState.FromString(message.payload).key
            if key in self.failing_keys:
                self._reply(message, Msg.ERROR, b"ledger unavailable")
                return
            payload = self.ledger.get(key, b"")
        elif message.type == Msg.PUT_STATE:
            put = shim_pb2.PutState.FromString(message.payload)
            record.writes[put.key] = put.value
        elif message.type == Msg.DEL_STATE:
            record.writes[shim_pb2.DelState.FromString(message.payload).key] = None
        else:
            self._reply(message, Msg.ERROR, b"unsupported")
            return
        self._reply(message, Msg.RESPONSE, payload)

    def _reply(self, request: shim_pb2.ChaincodeMessage, kind: int, payload: bytes) -> None:
        self.send(Msg(type=kind, payload=payload, txid=request.txid, channel_id=request.channel_id))

    async def invoke(
        self,
        tx_id: str,
        *args: str,
        transient: Mapping[str, bytes] | None = None,
        timestamp: datetime | None = None,
        timeout: float = 30,
    ) -> shim_pb2.ChaincodeMessage:
        """Send one TRANSACTION and wait for its COMPLETED (or ERROR) message."""
        raw_args = [a.encode("utf-8") for a in args]
        proposal = signed_proposal(
            tx_id=tx_id,
            args=raw_args,
            msp_id=self.msp_id,
            cert_pem=self.cert_pem,
            timestamp=timestamp or datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
            transient=transient,
        )
        future: asyncio.Future[shim_pb2.ChaincodeMessage] = (
            asyncio.get_running_loop().create_future()
        )
        self._results[tx_id] = future
        self.send(
            Msg(
                type=Msg.TRANSACTION,
                payload=chaincode_pb2.ChaincodeInput(args=raw_args).SerializeToString(),
                txid=tx_id,
                channel_id=CHANNEL,
                proposal=proposal,
            )
        )
        return await asyncio.wait_for(future, timeout=timeout)

    def commit(self, tx_id: str) -> None:
        """Apply a transaction's write set to the ledger."""
        for key, value in self.transactions.get(tx_id, TxRecord()).writes.items():
            if value is None:
                self.ledger.pop(key, None)
            else:
                self.ledger[key] = value
