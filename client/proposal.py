"""Transaction proposals: building, signing, evaluating and endorsing.

A proposal is built exactly as the official client builds it:

* nonce = 24 random bytes, creator = msp.SerializedIdentity
* tx_id = hex(SHA-256(nonce || creator))
* ChannelHeader{ENDORSER_TRANSACTION, channel_id, tx_id, timestamp,
  extension=ChaincodeHeaderExtension{chaincode_id}}, SignatureHeader{creator, nonce}
* ChaincodeProposalPayload{input=ChaincodeInvocationSpec, TransientMap}

The signature covers ``Proposal`` bytes (``SignedProposal.proposal_bytes``).
:meth:`Proposal.bytes` is a serialized ``gateway.ProposedTransaction`` so that a proposal
can be carried to an offline signer and back (see ``Gateway.new_signed_proposal``).
"""

from __future__ import annotations

import hashlib
import logging
import os
from collections.abc import Mapping, Sequence

import grpc
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2
from fabric_protos.peer import chaincode_pb2, proposal_pb2
from google.protobuf import timestamp_pb2

from . import _grpc
from ._context import Context
from .errors import EndorseError, GatewayError
from .transaction import AsyncTransaction, Transaction

__all__ = [
    "AsyncProposal",
    "Proposal",
    "build_proposal",
    "channel_name_of",
    "new_transaction_id",
]

logger = logging.getLogger("envalue.client")

NONCE_LENGTH = 24
Arg = str | bytes


def new_transaction_id(nonce: bytes, creator: bytes) -> str:
    """Fabric's transaction ID: hex SHA-256 over nonce followed by the creator bytes."""
    return hashlib.sha256(nonce + creator).hexdigest()


def _as_bytes(value: Arg) -> bytes:
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    raise TypeError(f"arguments must be str or bytes, not {type(value).__name__}")


def build_proposal(
    *,
    creator: bytes,
    channel_name: str,
    chaincode_name: str,
    transaction_name: str,
    arguments: Sequence[Arg] = (),
    transient_data: Mapping[str, Arg] | None = None,
    endorsing_organizations: Sequence[str] | None = None,
    nonce: bytes | None = None,
    timestamp: timestamp_pb2.Timestamp | None = None,
) -> gateway_pb2.ProposedTransaction:
    """Build an unsigned ProposedTransaction (``proposal.signature`` left empty).

    ``transaction_name`` is the full function name (``"Contract:function"`` for a named
    contract). ``nonce`` and ``timestamp`` are parameters only so tests can pin them.
    """
    if not channel_name or not chaincode_name or not transaction_name:
        raise ValueError("channel_name, chaincode_name and transaction_name are required")
    nonce = os.urandom(NONCE_LENGTH) if nonce is None else nonce
    tx_id = new_transaction_id(nonce, creator)
    if timestamp is None:
        timestamp = timestamp_pb2.Timestamp()
        timestamp.GetCurrentTime()
    chaincode_id = chaincode_pb2.ChaincodeID(name=chaincode_name)

    channel_header = common_pb2.ChannelHeader(
        type=common_pb2.HeaderType.ENDORSER_TRANSACTION,
        channel_id=channel_name,
        tx_id=tx_id,
        timestamp=timestamp,
        extension=proposal_pb2.ChaincodeHeaderExtension(
            chaincode_id=chaincode_id
        ).SerializeToString(),
    )
    signature_header = common_pb2.SignatureHeader(creator=creator, nonce=nonce)
    header = common_pb2.Header(
        channel_header=channel_header.SerializeToString(),
        signature_header=signature_header.SerializeToString(),
    )
    invocation = chaincode_pb2.ChaincodeInvocationSpec(
        chaincode_spec=chaincode_pb2.ChaincodeSpec(
            chaincode_id=chaincode_id,
            input=chaincode_pb2.ChaincodeInput(
                args=[transaction_name.encode("utf-8"), *(_as_bytes(a) for a in arguments)]
            ),
        )
    )
    payload = proposal_pb2.ChaincodeProposalPayload(
        input=invocation.SerializeToString(),
        TransientMap={k: _as_bytes(v) for k, v in (transient_data or {}).items()},
    )
    proposal = proposal_pb2.Proposal(
        header=header.SerializeToString(), payload=payload.SerializeToString()
    )
    return gateway_pb2.ProposedTransaction(
        transaction_id=tx_id,
        proposal=proposal_pb2.SignedProposal(proposal_bytes=proposal.SerializeToString()),
        endorsing_organizations=list(endorsing_organizations or ()),
    )


def channel_name_of(signed_proposal: proposal_pb2.SignedProposal) -> str:
    """Channel ID from the channel header inside a signed proposal."""
    proposal = proposal_pb2.Proposal.FromString(signed_proposal.proposal_bytes)
    header = common_pb2.Header.FromString(proposal.header)
    return common_pb2.ChannelHeader.FromString(header.channel_header).channel_id


class _ProposalBase:
    """Transport-independent part: identity of the proposal, bytes, digest, signing."""

    def __init__(self, ctx: Context, proposed: gateway_pb2.ProposedTransaction,
                 channel_name: str) -> None:
        self._ctx = ctx
        self._proposed = proposed
        self._channel_name = channel_name

    @property
    def transaction_id(self) -> str:
        return self._proposed.transaction_id

    @property
    def channel_name(self) -> str:
        return self._channel_name

    @property
    def endorsing_organizations(self) -> tuple[str, ...]:
        return tuple(self._proposed.endorsing_organizations)

    def bytes(self) -> bytes:
        """Serialized gateway.ProposedTransaction (carry it to an offline signer)."""
        return self._proposed.SerializeToString()

    def digest(self) -> bytes:
        """Hash of the proposal bytes: what the signer signs."""
        return self._ctx.hash(self._proposed.proposal.proposal_bytes)

    @property
    def signed_proposal(self) -> proposal_pb2.SignedProposal:
        return self._proposed.proposal

    def is_signed(self) -> bool:
        return bool(self._proposed.proposal.signature)

    def _sign(self) -> None:
        if not self.is_signed():
            self._proposed.proposal.signature = self._ctx.sign(
                self._proposed.proposal.proposal_bytes
            )

    def _evaluate_request(self) -> gateway_pb2.EvaluateRequest:
        self._sign()
        return gateway_pb2.EvaluateRequest(
            transaction_id=self.transaction_id,
            channel_id=self._channel_name,
            proposed_transaction=self._proposed.proposal,
            target_organizations=self._proposed.endorsing_organizations,
        )

    def _endorse_request(self) -> gateway_pb2.EndorseRequest:
        self._sign()
        return gateway_pb2.EndorseRequest(
            transaction_id=self.transaction_id,
            channel_id=self._channel_name,
            proposed_transaction=self._proposed.proposal,
            endorsing_organizations=self._proposed.endorsing_organizations,
        )

    def _log_extra(self, call: str) -> dict[str, object]:
        return {"call": call, "tx_id": self.transaction_id, "channel": self._channel_name}

    def _timeout(self, given: float | None, default: float | None) -> float | None:
        return default if given is None else given


class Proposal(_ProposalBase):
    """A proposal over a blocking channel."""

    def evaluate(self, *, timeout: float | None = None) -> bytes:
        """Run the transaction function on one peer without ordering; returns its result."""
        request = self._evaluate_request()
        logger.debug("evaluate", extra=self._log_extra("Evaluate"))
        try:
            response = self._ctx.gateway.Evaluate(
                request, timeout=self._timeout(timeout, self._ctx.timeouts.evaluate)
            )
        except grpc.RpcError as err:
            raise _grpc.to_gateway_error(err, GatewayError) from err
        return bytes(response.result.payload)

    def endorse(self, *, timeout: float | None = None) -> Transaction:
        """Collect endorsements through the Gateway; returns the prepared transaction."""
        request = self._endorse_request()
        logger.debug("endorse", extra=self._log_extra("Endorse"))
        try:
            response = self._ctx.gateway.Endorse(
                request, timeout=self._timeout(timeout, self._ctx.timeouts.endorse)
            )
        except grpc.RpcError as err:
            raise _grpc.to_gateway_error(
                err, EndorseError, transaction_id=self.transaction_id
            ) from err
        prepared = gateway_pb2.PreparedTransaction(
            transaction_id=self.transaction_id, envelope=response.prepared_transaction
        )
        return Transaction(self._ctx, prepared, self._channel_name)


class AsyncProposal(_ProposalBase):
    """A proposal over a ``grpc.aio`` channel."""

    async def evaluate(self, *, timeout: float | None = None) -> bytes:
        """Run the transaction function on one peer without ordering; returns its result."""
        request = self._evaluate_request()
        logger.debug("evaluate", extra=self._log_extra("Evaluate"))
        try:
            response = await self._ctx.gateway.Evaluate(
                request, timeout=self._timeout(timeout, self._ctx.timeouts.evaluate)
            )
        except grpc.RpcError as err:
            raise _grpc.to_gateway_error(err, GatewayError) from err
        return bytes(response.result.payload)

    async def endorse(self, *, timeout: float | None = None) -> AsyncTransaction:
        """Collect endorsements through the Gateway; returns the prepared transaction."""
        request = self._endorse_request()
        logger.debug("endorse", extra=self._log_extra("Endorse"))
        try:
            response = await self._ctx.gateway.Endorse(
                request, timeout=self._timeout(timeout, self._ctx.timeouts.endorse)
            )
        except grpc.RpcError as err:
            raise _grpc.to_gateway_error(
                err, EndorseError, transaction_id=self.transaction_id
            ) from err
        prepared = gateway_pb2.PreparedTransaction(
            transaction_id=self.transaction_id, envelope=response.prepared_transaction
        )
        return AsyncTransaction(self._ctx, prepared, self._channel_name)
