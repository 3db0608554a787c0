"""Event streams: chaincode events (Gateway ChaincodeEvents) and blocks (peer Deliver).

Streams are iterators (sync) or async iterators (asyncio) that must be closed — use them as
context managers. Resume after a restart by passing a checkpoint (see
:mod:`envalue.client.checkpointers`) and checkpointing *after* each event is processed.

Signing: the chaincode events request signs the serialized ``ChaincodeEventsRequest``; the
block events request is a ``common.Envelope`` whose ``payload`` is signed.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator, Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import grpc
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.orderer import ab_pb2
from fabric_protos.peer import events_pb2
from google.protobuf import timestamp_pb2

from . import _grpc
from ._context import Context
from .errors import GatewayError

if TYPE_CHECKING:
    from .checkpointers import Checkpoint

__all__ = [
    "AsyncBlockEventsRequest",
    "AsyncChaincodeEventsRequest",
    "AsyncEventStream",
    "BlockEventsRequest",
    "ChaincodeEvent",
    "ChaincodeEventsRequest",
    "EventStream",
    "build_block_events_envelope",
    "build_chaincode_events_request",
    "start_position",
]

logger = logging.getLogger("envalue.client")

T = TypeVar("T")
_MAX_BLOCK = 2**64 - 1


@dataclass(frozen=True)
class ChaincodeEvent:
    """An event set by a transaction function, with the block that committed it."""

    block_number: int
    transaction_id: str
    chaincode_name: str
    event_name: str
    payload: bytes = field(repr=False)


def start_position(
    start_block: int | None, checkpoint: Checkpoint | None
) -> tuple[ab_pb2.SeekPosition, str]:
    """Seek position and after-transaction ID; a used checkpoint wins over ``start_block``."""
    if checkpoint is not None and checkpoint.block_number is not None:
        return (ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=checkpoint.block_number)),
                checkpoint.transaction_id or "")
    if start_block is not None:
        if start_block < 0:
            raise ValueError("start_block must be non-negative")
        return ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=start_block)), ""
    return ab_pb2.SeekPosition(next_commit=ab_pb2.SeekNextCommit()), ""


def build_chaincode_events_request(
    ctx: Context, channel_name: str, chaincode_name: str, *,
    start_block: int | None = None, checkpoint: Checkpoint | None = None,
) -> gateway_pb2.SignedChaincodeEventsRequest:
    """Unsigned SignedChaincodeEventsRequest."""
    position, after_tx = start_position(start_block, checkpoint)
    request = gateway_pb2.ChaincodeEventsRequest(
        channel_id=channel_name, chaincode_id=chaincode_name, identity=ctx.creator,
        start_position=position, after_transaction_id=after_tx,
    )
    return gateway_pb2.SignedChaincodeEventsRequest(request=request.SerializeToString())


def build_block_events_envelope(
    ctx: Context, channel_name: str, *,
    start_block: int | None = None, checkpoint: Checkpoint | None = None,
) -> common_pb2.Envelope:
    """Unsigned Deliver envelope seeking from the start position to the end of time."""
    position, _ = start_position(start_block, checkpoint)
    now = timestamp_pb2.Timestamp()
    now.GetCurrentTime()
    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.DELIVER_SEEK_INFO, channel_id=channel_name,
        timestamp=now, epoch=0, tls_cert_hash=ctx.tls_cert_hash or b"",
    )
    signature_header = common_pb2.SignatureHeader(creator=ctx.creator, nonce=os.urandom(24))
    seek = ab_pb2.SeekInfo(
        start=position,
        stop=ab_pb2.SeekPosition(specified=ab_pb2.SeekSpecified(number=_MAX_BLOCK)),
        behavior=ab_pb2.SeekInfo.SeekBehavior.BLOCK_UNTIL_READY,
    )
    payload = common_pb2.Payload(
        header=common_pb2.Header(channel_header=channel_header.SerializeToString(),
                                 signature_header=signature_header.SerializeToString()),
        data=seek.SerializeToString(),
    )
    return common_pb2.Envelope(payload=payload.SerializeToString())


def _chaincode_events(response: gateway_pb2.ChaincodeEventsResponse) -> list[ChaincodeEvent]:
    return [
        ChaincodeEvent(block_number=int(response.block_number), transaction_id=e.tx_id,
                       chaincode_name=e.chaincode_id, event_name=e.event_name,
                       payload=bytes(e.payload))
        for e in response.events
    ]


def _deliver_items(response: events_pb2.DeliverResponse) -> list[Any] | None:
    """Blocks in a Deliver response; ``None`` when the peer ends the stream successfully."""
    kind = response.WhichOneof("Type")
    if kind == "status":
        if response.status != common_pb2.Status.SUCCESS:
            raise GatewayError(
                f"deliver ended with status {common_pb2.Status.Name(response.status)}",
                code=grpc.StatusCode.UNKNOWN,
            )
        return None
    if kind == "block":
        return [response.block]
    if kind == "filtered_block":
        return [response.filtered_block]
    if kind == "block_and_private_data":
        return [response.block_and_private_data]
    return []


class EventStream(Generic[T]):
    """Blocking iterator over a server stream; ``close()`` cancels the call."""

    def __init__(self, call: Any, convert: Callable[[Any], Iterable[T] | None]) -> None:
        self._call = call
        self._convert = convert
        self._closed = False

    def __iter__(self) -> Iterator[T]:
        try:
            for response in self._call:
                items = self._convert(response)
                if items is None:  # server signalled the end of the stream
                    self._call.cancel()
                    return
                yield from items
        except grpc.RpcError as err:
            if self._closed and err.code() == grpc.StatusCode.CANCELLED:  # type: ignore[attr-defined]
                return
            raise _grpc.to_gateway_error(err, GatewayError) from err

    def close(self) -> None:
        self._closed = True
        self._call.cancel()

    def __enter__(self) -> EventStream[T]:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncEventStream(Generic[T]):
    """Async iterator over a ``grpc.aio`` server stream; ``close()`` cancels the call."""

    def __init__(self, call: Any, convert: Callable[[Any], Iterable[T] | None]) -> None:
        self._call = call
        self._convert = convert
        self._closed = False

    async def _iterate(self) -> AsyncIterator[T]:
        try:
            async for response in self._call:
                items = self._convert(response)
                if items is None:  # server signalled the end of the stream
                    self._call.cancel()
                    return
                for item in items:
                    yield item
        except grpc.RpcError as err:
            if self._closed and err.code() == grpc.StatusCode.CANCELLED:  # type: ignore[attr-defined]
                return
            raise _grpc.to_gateway_error(err, GatewayError) from err

    def __aiter__(self) -> AsyncIterator[T]:
        return self._iterate()

    def close(self) -> None:
        self._closed = True
        self._call.cancel()

    async def __aenter__(self) -> AsyncEventStream[T]:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


class _ChaincodeEventsRequestBase:
    def __init__(self, ctx: Context, signed: gateway_pb2.SignedChaincodeEventsRequest) -> None:
        self._ctx = ctx
        self._signed = signed

    def bytes(self) -> bytes:
        """Serialized gateway.SignedChaincodeEventsRequest."""
        return self._signed.SerializeToString()

    def digest(self) -> bytes:
        """Hash of the serialized ChaincodeEventsRequest: what the signer signs."""
        return self._ctx.hash(self._signed.request)

    def _request(self) -> gateway_pb2.SignedChaincodeEventsRequest:
        if not self._signed.signature:
            self._signed.signature = self._ctx.sign(self._signed.request)
        request = gateway_pb2.ChaincodeEventsRequest.FromString(self._signed.request)
        logger.debug("chaincode events", extra={
            "call": "ChaincodeEvents", "channel": request.channel_id,
            "chaincode": request.chaincode_id})
        return self._signed


class ChaincodeEventsRequest(_ChaincodeEventsRequestBase):
    """A (possibly offline-signed) chaincode events request over a blocking channel."""

    def get_events(self, *, timeout: float | None = None) -> EventStream[ChaincodeEvent]:
        call = self._ctx.gateway.ChaincodeEvents(self._request(), timeout=timeout)
        return EventStream(call, _chaincode_events)


class AsyncChaincodeEventsRequest(_ChaincodeEventsRequestBase):
    """A (possibly offline-signed) chaincode events request over a ``grpc.aio`` channel."""

    def get_events(self, *, timeout: float | None = None) -> AsyncEventStream[ChaincodeEvent]:
        call = self._ctx.gateway.ChaincodeEvents(self._request(), timeout=timeout)
        return AsyncEventStream(call, _chaincode_events)


_DELIVER_METHODS = {"full": "Deliver", "filtered": "DeliverFiltered",
                    "private": "DeliverWithPrivateData"}


class _BlockEventsRequestBase:
    def __init__(self, ctx: Context, envelope: common_pb2.Envelope, kind: str = "full") -> None:
        if kind not in _DELIVER_METHODS:
            raise ValueError(f"kind must be one of {sorted(_DELIVER_METHODS)}")
        self._ctx = ctx
        self._envelope = envelope
        self._kind = kind

    def bytes(self) -> bytes:
        """Serialized common.Envelope."""
        return self._envelope.SerializeToString()

    def digest(self) -> bytes:
        """Hash of the envelope payload: what the signer signs."""
        return self._ctx.hash(self._envelope.payload)

    def _call(self, timeout: float | None) -> Any:
        if not self._envelope.signature:
            self._envelope.signature = self._ctx.sign(self._envelope.payload)
        method = getattr(self._ctx.deliver, _DELIVER_METHODS[self._kind])
        logger.debug("block events", extra={"call": _DELIVER_METHODS[self._kind]})
        # One request, then half-close: the peer keeps streaming until the stop position.
        return method(iter([self._envelope]), timeout=timeout)


class BlockEventsRequest(_BlockEventsRequestBase):
    """Block events (full ``common.Block``, ``peer.FilteredBlock`` or block with private
    data, per ``kind``) over a blocking channel."""

    def get_events(self, *, timeout: float | None = None) -> EventStream[Any]:
        return EventStream(self._call(timeout), _deliver_items)


class AsyncBlockEventsRequest(_BlockEventsRequestBase):
    """Asyncio twin of :class:`BlockEventsRequest`."""

    def get_events(self, *, timeout: float | None = None) -> AsyncEventStream[Any]:
        return AsyncEventStream(self._call(timeout), _deliver_items)
