"""Fix for defect (a): one writer per peer stream.

A grpc.aio stream allows one outstanding write. fabric-chaincode-python 2.5.4
handles every peer message in its own task and each task calls
`context.write()` directly, so two transactions answering at once raise
`GRPC_CALL_ERROR_TOO_MANY_OPERATIONS` and the stream is lost. Here every
outgoing message goes through a queue drained by a single task; senders await
the outcome of their own write.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Awaitable, Callable

from fabric_protos.peer import chaincode_shim_pb2 as shim_pb2

__all__ = ["SerialStreamWriter", "StreamClosedError"]

Write = Callable[[shim_pb2.ChaincodeMessage], Awaitable[None]]


class StreamClosedError(ConnectionError):
    """The peer stream is closed; the message was not sent."""


class SerialStreamWriter:
    """Serialises writes to one gRPC stream through an asyncio queue.

    `write` is the stream's write coroutine (`context.write` on the server side).
    Call `start()` inside the event loop before sending, `close()` when done.
    """

    def __init__(self, write: Write) -> None:
        self._write = write
        self._queue: asyncio.Queue[
            tuple[shim_pb2.ChaincodeMessage, asyncio.Future[None]] | None
        ] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._closed = False

    def start(self) -> None:
        """Start the single writer task."""
        if self._task is None:
            self._task = asyncio.get_running_loop().create_task(
                self._drain(), name="chaincode-stream-writer"
            )

    async def send(self, message: shim_pb2.ChaincodeMessage) -> None:
        """Queue `message` and wait until it is written (or fails)."""
        if self._closed:
            raise StreamClosedError("peer stream is closed")
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._queue.put_nowait((message, done))
        await done

    async def close(self) -> None:
        """Stop accepting messages, flush what is queued, and stop the writer task."""
        if self._closed:
            return
        self._closed = True
        self._queue.put_nowait(None)
        if self._task is not None:
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    async def _drain(self) -> None:
        while True:
            item = await self._queue.get()
            if item is None:
                return
            message, done = item
            try:
                await self._write(message)
            except asyncio.CancelledError:
                if not done.done():
                    done.set_exception(StreamClosedError("peer stream writer cancelled"))
                self._fail_pending()
                raise
            except Exception as exc:  # the stream is broken: fail this and the rest
                if not done.done():
                    done.set_exception(StreamClosedError(f"peer stream write failed: {exc}"))
                self._closed = True
                self._fail_pending()
                return
            if not done.done():
                done.set_result(None)

    def _fail_pending(self) -> None:
        while not self._queue.empty():
            item = self._queue.get_nowait()
            if item is not None and not item[1].done():
                item[1].set_exception(StreamClosedError("peer stream is closed"))
