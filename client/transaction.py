"""Endorsed transactions ready to be signed and submitted to the orderer via the Gateway.

The signature covers the prepared envelope's ``payload``. :meth:`Transaction.bytes` is a
serialized ``gateway.PreparedTransaction`` for offline signing.
"""

from __future__ import annotations

import logging

import grpc
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import proposal_pb2, proposal_response_pb2, transaction_pb2

from . import _grpc
from ._context import Context
from .commit import AsyncSubmittedTransaction, SubmittedTransaction, build_commit_request
from .errors import SubmitError

__all__ = ["AsyncTransaction", "Transaction", "result_from_envelope"]

logger = logging.getLogger("envalue.client")


def result_from_envelope(envelope: common_pb2.Envelope) -> bytes:
    """The chaincode response payload carried inside an endorsed transaction envelope."""
    payload = common_pb2.Payload.FromString(envelope.payload)
    transaction = transaction_pb2.Transaction.FromString(payload.data)
    if not transaction.actions:
        return b""
    action_payload = transaction_pb2.ChaincodeActionPayload.FromString(
        transaction.actions[0].payload
    )
    response_payload = proposal_response_pb2.ProposalResponsePayload.FromString(
        action_payload.action.proposal_response_payload
    )
    chaincode_action = proposal_pb2.ChaincodeAction.FromString(response_payload.extension)
    return bytes(chaincode_action.response.payload)


class _TransactionBase:
    def __init__(self, ctx: Context, prepared: gateway_pb2.PreparedTransaction,
                 channel_name: str) -> None:
        self._ctx = ctx
        self._prepared = prepared
        self._channel_name = channel_name
        self._result = result_from_envelope(prepared.envelope)

    @property
    def transaction_id(self) -> str:
        return self._prepared.transaction_id

    @property
    def channel_name(self) -> str:
        return self._channel_name

    @property
    def result(self) -> bytes:
        """The transaction function's return value, as endorsed."""
        return self._result

    def bytes(self) -> bytes:
        """Serialized gateway.PreparedTransaction (carry it to an offline signer)."""
        return self._prepared.SerializeToString()

    def digest(self) -> bytes:
        """Hash of the envelope payload: what the signer signs."""
        return self._ctx.hash(self._prepared.envelope.payload)

    def is_signed(self) -> bool:
        return bool(self._prepared.envelope.signature)

    def _submit_request(self) -> gateway_pb2.SubmitRequest:
        if not self.is_signed():
            self._prepared.envelope.signature = self._ctx.sign(self._prepared.envelope.payload)
        return gateway_pb2.SubmitRequest(
            transaction_id=self.transaction_id,
            channel_id=self._channel_name,
            prepared_transaction=self._prepared.envelope,
        )

    def _timeout(self, given: float | None) -> float | None:
        return self._ctx.timeouts.submit if given is None else given

    def _log_extra(self) -> dict[str, object]:
        return {"call": "Submit", "tx_id": self.transaction_id, "channel": self._channel_name}


class Transaction(_TransactionBase):
    """A prepared transaction over a blocking channel."""

    def submit(self, *, timeout: float | None = None) -> SubmittedTransaction:
        """Send to the orderer; returns at once with a handle to wait for the commit."""
        request = self._submit_request()
        logger.debug("submit", extra=self._log_extra())
        try:
            self._ctx.gateway.Submit(request, timeout=self._timeout(timeout))
        except grpc.RpcError as err:
            raise _grpc.to_gateway_error(
                err, SubmitError, transaction_id=self.transaction_id
            ) from err
        commit_request = build_commit_request(self._ctx, self.transaction_id,
                                              self._channel_name)
        return SubmittedTransaction(self._ctx, commit_request, self._channel_name,
                                    result=self._result)


class AsyncTransaction(_TransactionBase):
    """A prepared transaction over a ``grpc.aio`` channel."""

    async def submit(self, *, timeout: float | None = None) -> AsyncSubmittedTransaction:
        """Send to the orderer; returns at once with a handle to wait for the commit."""
        request = self._submit_request()
        logger.debug("submit", extra=self._log_extra())
        try:
            await self._ctx.gateway.Submit(request, timeout=self._timeout(timeout))
        except grpc.RpcError as err:
            raise _grpc.to_gateway_error(
                err, SubmitError, transaction_id=self.transaction_id
            ) from err
        commit_request = build_commit_request(self._ctx, self.transaction_id,
                                              self._channel_name)
        return AsyncSubmittedTransaction(self._ctx, commit_request, self._channel_name,
                                         result=self._result)
