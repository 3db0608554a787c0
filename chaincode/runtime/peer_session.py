"""The chaincode side of one peer stream (`Chaincode/Connect`).

Replaces fabric-chaincode-python 2.5.4's `Handler` by composition: the shim's
`ChaincodeStub`, query iterators and contract API are reused, this class
speaks the protocol. Flow (as fabric-chaincode-go's shim/handler.go):

    chaincode -> REGISTER(ChaincodeID)      peer -> REGISTERED, then READY
    peer -> TRANSACTION / INIT              (one task per transaction)
        chaincode -> GET_STATE, PUT_STATE... peer -> RESPONSE | ERROR
    chaincode -> COMPLETED(Response, event)  or ERROR when the handler fails
    peer -> KEEPALIVE                        chaincode echoes it

Every outgoing message goes through one `SerialStreamWriter` (defect a);
requests within one transaction are sent one at a time and matched to the
peer's answer by channel + tx id; ERROR answers raise `PeerRequestError`.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterable, Awaitable, Callable
from typing import Any

from fabric_chaincode_python.fabric_shim.interfaces import Chaincode
from fabric_protos.peer import chaincode_pb2, proposal_response_pb2
from fabric_protos.peer import chaincode_shim_pb2 as shim_pb2

from envalue.chaincode.runtime.stream_writer import SerialStreamWriter, StreamClosedError
from envalue.chaincode.runtime.stub import EnvalueStub
from envalue.chaincode.runtime.tx_logging import log_transaction, short_txid

__all__ = ["PeerRequestError", "PeerSession", "ProtocolError"]

_log = logging.getLogger("envalue.chaincode.session")
Msg = shim_pb2.ChaincodeMessage
Write = Callable[[shim_pb2.ChaincodeMessage], Awaitable[None]]
_ERROR_STATUS = 500


class PeerRequestError(RuntimeError):
    """The peer answered a chaincode request (GET_STATE, PUT_STATE, ...) with ERROR."""


class ProtocolError(RuntimeError):
    """The peer sent a message that is invalid in the session's state."""


class PeerSession:
    """Serves one peer stream for one chaincode."""

    def __init__(self, chaincode_id: str, chaincode: Chaincode, write: Write) -> None:
        self._chaincode_id = chaincode_id
        self._chaincode = chaincode
        self._writer = SerialStreamWriter(write)
        self._state = "created"
        self._pending: dict[str, asyncio.Future[shim_pb2.ChaincodeMessage]] = {}
        self._tx_locks: dict[str, asyncio.Lock] = {}
        self._tasks: set[asyncio.Task[None]] = set()

    @property
    def state(self) -> str:
        """created, established or ready."""
        return self._state

    # -- the stream ---------------------------------------------------
    async def run(self, incoming: AsyncIterable[shim_pb2.ChaincodeMessage]) -> None:
        """Register with the peer and serve its messages until the stream ends."""
        self._writer.start()
        try:
            cc_id = chaincode_pb2.ChaincodeID(name=self._chaincode_id)
            await self._writer.send(Msg(type=Msg.REGISTER, payload=cc_id.SerializeToString()))
            async for message in incoming:
                await self._dispatch(message)
        except ProtocolError as exc:
            _log.warning("closing peer stream: %s", exc)
        finally:
            await self._shutdown()

    async def _dispatch(self, message: shim_pb2.ChaincodeMessage) -> None:
        if message.type == Msg.KEEPALIVE:
            self._spawn(self._send_quietly(message))
        elif self._state == "ready":
            self._dispatch_ready(message)
        elif self._state == "established" and message.type == Msg.READY:
            self._state = "ready"
            _log.info("peer stream ready chaincode_id=%s", self._chaincode_id)
        elif self._state == "created" and message.type == Msg.REGISTERED:
            self._state = "established"
        else:
            await self._reject(message)

    def _dispatch_ready(self, message: shim_pb2.ChaincodeMessage) -> None:
        if message.type in (Msg.RESPONSE, Msg.ERROR):
            future = self._pending.get(message.channel_id + message.txid)
            if future is None or future.done():
                _log.warning("unexpected peer answer tx=%s", short_txid(message.txid))
            else:
                future.set_result(message)
        elif message.type == Msg.TRANSACTION:
            self._spawn(self._run_transaction(message, "invoke"))
        elif message.type == Msg.INIT:
            self._spawn(self._run_transaction(message, "init"))
        else:
            self._spawn(self._reject(message))

    async def _reject(self, message: shim_pb2.ChaincodeMessage) -> None:
        kind = Msg.Type.Name(message.type)
        text = f"chaincode cannot handle message {kind} in state {self._state}"
        await self._send_quietly(Msg(type=Msg.ERROR, payload=text.encode(), txid=message.txid))
        if self._state != "ready":
            raise ProtocolError(text)

    def _spawn(self, coro: Awaitable[None]) -> None:
        task = asyncio.ensure_future(coro)
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)

    async def _send_quietly(self, message: shim_pb2.ChaincodeMessage) -> None:
        try:
            await self._writer.send(message)
        except StreamClosedError:
            _log.warning("peer stream closed, tx=%s not answered", short_txid(message.txid))

    async def _shutdown(self) -> None:
        for future in self._pending.values():
            if not future.done():
                future.set_exception(StreamClosedError("peer stream ended"))
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)
        await self._writer.close()

    # -- transactions -------------------------------------------------
    async def _run_transaction(self, message: shim_pb2.ChaincodeMessage, kind: str) -> None:
        started = time.perf_counter()
        function = ""
        try:
            cc_input = chaincode_pb2.ChaincodeInput.FromString(message.payload)
            stub = EnvalueStub(self, message.channel_id, message.txid, cc_input, message.proposal)
            function = stub.get_function_name()
            call = self._chaincode.init if kind == "init" else self._chaincode.invoke
            response: proposal_response_pb2.Response = await call(stub)
            if response is None or not response.status:
                response = proposal_response_pb2.Response(
                    status=_ERROR_STATUS, message=f"chaincode {kind} returned no response"
                )
            reply = self._completion(message, kind, response, stub)
            status = response.status
        except Exception as exc:  # a chaincode bug must not kill the stream
            _log.warning(
                "tx=%s fn=%s failed with %s", short_txid(message.txid), function, type(exc).__name__
            )
            reply = Msg(
                type=Msg.ERROR,
                payload=f"chaincode failed: {exc}".encode(),
                txid=message.txid,
                channel_id=message.channel_id,
            )
            status = _ERROR_STATUS
        finally:
            self._tx_locks.pop(message.channel_id + message.txid, None)
        await self._send_quietly(reply)
        log_transaction(
            txid=message.txid,
            channel=message.channel_id,
            function=function,
            status=status,
            duration_ms=(time.perf_counter() - started) * 1000,
            kind=kind,
        )

    @staticmethod
    def _completion(
        message: shim_pb2.ChaincodeMessage,
        kind: str,
        response: proposal_response_pb2.Response,
        stub: EnvalueStub,
    ) -> shim_pb2.ChaincodeMessage:
        if kind == "init" and response.status >= 400:
            return Msg(
                type=Msg.ERROR,
                payload=response.message.encode(),
                txid=message.txid,
                channel_id=message.channel_id,
                chaincode_event=stub.chaincode_event,
            )
        return Msg(
            type=Msg.COMPLETED,
            payload=response.SerializeToString(),
            txid=message.txid,
            channel_id=message.channel_id,
            chaincode_event=stub.chaincode_event,
        )

    # -- requests to the peer (called by the stub and query iterators) -
    async def ask_peer(
        self, msg_type: int, payload: bytes, channel_id: str, tx_id: str
    ) -> shim_pb2.ChaincodeMessage:
        """Send one request for a transaction and wait for the peer's RESPONSE."""
        context_id = channel_id + tx_id
        lock = self._tx_locks.setdefault(context_id, asyncio.Lock())
        async with lock:
            future: asyncio.Future[shim_pb2.ChaincodeMessage] = (
                asyncio.get_running_loop().create_future()
            )
            self._pending[context_id] = future
            try:
                await self._writer.send(
                    Msg(type=msg_type, payload=payload, txid=tx_id, channel_id=channel_id)
                )
                answer = await future
            finally:
                self._pending.pop(context_id, None)
        if answer.type == Msg.ERROR:
            raise PeerRequestError(
                f"{Msg.Type.Name(msg_type)} failed: {answer.payload.decode('utf-8', 'replace')}"
            )
        return answer

    async def handle_get_state(
        self, collection: str, key: str, channel_id: str, tx_id: str
    ) -> bytes:
        payload = shim_pb2.GetState(key=key, collection=collection).SerializeToString()
        return (await self.ask_peer(Msg.GET_STATE, payload, channel_id, tx_id)).payload

    async def handle_put_state(
        self, collection: str, key: str, value: bytes, channel_id: str, tx_id: str
    ) -> None:
        payload = shim_pb2.PutState(key=key, value=value, collection=collection).SerializeToString()
        await self.ask_peer(Msg.PUT_STATE, payload, channel_id, tx_id)

    async def handle_delete_state(
        self, collection: str, key: str, channel_id: str, tx_id: str
    ) -> None:
        payload = shim_pb2.DelState(key=key, collection=collection).SerializeToString()
        await self.ask_peer(Msg.DEL_STATE, payload, channel_id, tx_id)

    async def handle_get_state_by_range(
        self,
        collection: str,
        start_key: str,
        end_key: str,
        channel_id: str,
        tx_id: str,
        metadata: bytes | None = None,
    ) -> shim_pb2.ChaincodeMessage:
        request = shim_pb2.GetStateByRange(
            startKey=start_key or "", endKey=end_key or "", collection=collection
        )
        if metadata is not None:
            request.metadata = metadata
        return await self.ask_peer(
            Msg.GET_STATE_BY_RANGE, request.SerializeToString(), channel_id, tx_id
        )

    async def handle_get_query_result(
        self,
        collection: str,
        query: str,
        channel_id: str,
        tx_id: str,
        metadata: bytes | None = None,
    ) -> shim_pb2.ChaincodeMessage:
        request = shim_pb2.GetQueryResult(query=query, collection=collection)
        if metadata is not None:
            request.metadata = metadata
        return await self.ask_peer(
            Msg.GET_QUERY_RESULT, request.SerializeToString(), channel_id, tx_id
        )

    async def handle_get_history_for_key(
        self, key: str, channel_id: str, tx_id: str
    ) -> shim_pb2.ChaincodeMessage:
        payload = shim_pb2.GetHistoryForKey(key=key).SerializeToString()
        return await self.ask_peer(Msg.GET_HISTORY_FOR_KEY, payload, channel_id, tx_id)

    async def handle_query_state_next(
        self, query_id: str, channel_id: str, tx_id: str
    ) -> shim_pb2.ChaincodeMessage:
        payload = shim_pb2.QueryStateNext(id=query_id).SerializeToString()
        return await self.ask_peer(Msg.QUERY_STATE_NEXT, payload, channel_id, tx_id)

    async def handle_query_state_close(
        self, query_id: str, channel_id: str, tx_id: str
    ) -> shim_pb2.ChaincodeMessage:
        payload = shim_pb2.QueryStateClose(id=query_id).SerializeToString()
        return await self.ask_peer(Msg.QUERY_STATE_CLOSE, payload, channel_id, tx_id)

    async def handle_invoke_chaincode(
        self, chaincode_name: str, args: list[Any], channel_id: str, tx_id: str
    ) -> shim_pb2.ChaincodeMessage:
        """Call another chaincode; returns its COMPLETED message (payload: Response).

        The 2.5.4 handler sent a bare ChaincodeInput and so lost the target name;
        the peer expects a ChaincodeSpec.
        """
        spec = chaincode_pb2.ChaincodeSpec(
            chaincode_id=chaincode_pb2.ChaincodeID(name=chaincode_name),
            input=chaincode_pb2.ChaincodeInput(
                args=[a.encode() if isinstance(a, str) else bytes(a) for a in args]
            ),
        )
        answer = await self.ask_peer(
            Msg.INVOKE_CHAINCODE, spec.SerializeToString(), channel_id, tx_id
        )
        inner = Msg.FromString(answer.payload)
        if inner.type != Msg.COMPLETED:
            raise PeerRequestError(
                f"invoked chaincode {chaincode_name} failed: "
                f"{inner.payload.decode('utf-8', 'replace')}"
            )
        return inner
