"""Commit status of a submitted transaction (Gateway CommitStatus).

The signature covers the serialized ``CommitStatusRequest``. :meth:`Commit.bytes` is a
serialized ``gateway.SignedCommitStatusRequest`` for offline signing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import grpc
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import transaction_pb2

from . import _grpc
from ._context import Context
from .errors import CommitError, CommitStatusError, validation_code_name

__all__ = [
    "AsyncCommit",
    "AsyncSubmittedTransaction",
    "Commit",
    "Status",
    "SubmittedTransaction",
    "build_commit_request",
]

logger = logging.getLogger("envalue.client")


@dataclass(frozen=True)
class Status:
    """Outcome of a committed transaction."""

    transaction_id: str
    block_number: int
    code: int

    @property
    def code_name(self) -> str:
        return validation_code_name(self.code)

    @property
    def successful(self) -> bool:
        return self.code == transaction_pb2.TxValidationCode.VALID

    def raise_for_status(self) -> None:
        """Raise :class:`CommitError` unless the transaction is VALID."""
        if not self.successful:
            raise CommitError(self.transaction_id, self.code, self.block_number)


def build_commit_request(ctx: Context, transaction_id: str, channel_name: str
                         ) -> gateway_pb2.SignedCommitStatusRequest:
    """Unsigned SignedCommitStatusRequest for ``transaction_id``."""
    request = gateway_pb2.CommitStatusRequest(
        transaction_id=transaction_id, channel_id=channel_name, identity=ctx.creator
    )
    return gateway_pb2.SignedCommitStatusRequest(request=request.SerializeToString())


class _CommitBase:
    def __init__(self, ctx: Context, signed_request: gateway_pb2.SignedCommitStatusRequest,
                 channel_name: str) -> None:
        self._ctx = ctx
        self._signed = signed_request
        request = gateway_pb2.CommitStatusRequest.FromString(signed_request.request)
        self._transaction_id = request.transaction_id
        self._channel_name = channel_name or request.channel_id

    @property
    def transaction_id(self) -> str:
        return self._transaction_id

    def bytes(self) -> bytes:
        """Serialized gateway.SignedCommitStatusRequest."""
        return self._signed.SerializeToString()

    def digest(self) -> bytes:
        """Hash of the serialized CommitStatusRequest: what the signer signs."""
        return self._ctx.hash(self._signed.request)

    def is_signed(self) -> bool:
        return bool(self._signed.signature)

    def _request(self) -> gateway_pb2.SignedCommitStatusRequest:
        if not self.is_signed():
            self._signed.signature = self._ctx.sign(self._signed.request)
        return self._signed

    def _timeout(self, given: float | None) -> float | None:
        return self._ctx.timeouts.commit_status if given is None else given

    def _status(self, response: gateway_pb2.CommitStatusResponse) -> Status:
        status = Status(self._transaction_id, int(response.block_number), int(response.result))
        logger.debug("commit status", extra={
            "call": "CommitStatus", "tx_id": self._transaction_id,
            "channel": self._channel_name, "block": status.block_number,
            "validation_code": status.code_name,
        })
        return status


class Commit(_CommitBase):
    """Waits for the commit status over a blocking channel."""

    def get_status(self, *, timeout: float | None = None) -> Status:
        """Block until the transaction is committed (or the deadline passes)."""
        try:
            response = self._ctx.gateway.CommitStatus(self._request(),
                                                      timeout=self._timeout(timeout))
        except grpc.RpcError as err:
            raise _grpc.to_gateway_error(
                err, CommitStatusError, transaction_id=self._transaction_id
            ) from err
        return self._status(response)


class AsyncCommit(_CommitBase):
    """Waits for the commit status over a ``grpc.aio`` channel."""

    async def get_status(self, *, timeout: float | None = None) -> Status:
        """Wait until the transaction is committed (or the deadline passes)."""
        try:
            response = await self._ctx.gateway.CommitStatus(self._request(),
                                                            timeout=self._timeout(timeout))
        except grpc.RpcError as err:
            raise _grpc.to_gateway_error(
                err, CommitStatusError, transaction_id=self._transaction_id
            ) from err
        return self._status(response)


class SubmittedTransaction(Commit):
    """A transaction sent to the orderer: its endorsed ``result`` and its commit status."""

    def __init__(self, ctx: Context, signed_request: gateway_pb2.SignedCommitStatusRequest,
                 channel_name: str, *, result: bytes) -> None:
        super().__init__(ctx, signed_request, channel_name)
        self.result = result


class AsyncSubmittedTransaction(AsyncCommit):
    """Asyncio twin of :class:`SubmittedTransaction`."""

    def __init__(self, ctx: Context, signed_request: gateway_pb2.SignedCommitStatusRequest,
                 channel_name: str, *, result: bytes) -> None:
        super().__init__(ctx, signed_request, channel_name)
        self.result = result
