"""Connection to a Fabric Gateway peer: the entry point of the client.

``connect(...)`` takes a blocking ``grpc.Channel``; ``connect_async(...)`` takes a
``grpc.aio.Channel`` and yields objects whose network calls are coroutines. Neither closes the
gRPC channel, which belongs to the caller (several gateways may share one).
"""

from __future__ import annotations

import hashlib
from typing import Any

import grpc
from cryptography import x509
from cryptography.hazmat.primitives.serialization import Encoding
from fabric_protos.common import common_pb2
from fabric_protos.gateway import gateway_pb2

from ._context import CallTimeouts, Context
from .commit import AsyncCommit, Commit
from .events import (
    AsyncBlockEventsRequest,
    AsyncChaincodeEventsRequest,
    BlockEventsRequest,
    ChaincodeEventsRequest,
)
from .identity import Identity
from .network import AsyncNetwork, Network
from .proposal import AsyncProposal, Proposal, channel_name_of
from .signers import HashFunction, Signer, sha256_digest
from .transaction import AsyncTransaction, Transaction

__all__ = ["AsyncGateway", "Gateway", "connect", "connect_async"]

_UNSET: Any = object()


def _tls_cert_hash(tls_client_cert: bytes | None) -> bytes | None:
    if tls_client_cert is None:
        return None
    cert = x509.load_pem_x509_certificate(tls_client_cert)
    return hashlib.sha256(cert.public_bytes(Encoding.DER)).digest()


def _context(identity: Identity, client: Any, signer: Signer | None, hash: HashFunction,
             timeouts: CallTimeouts | None, overrides: dict[str, float | None],
             tls_client_cert: bytes | None) -> Context:
    if identity is None or not getattr(identity, "msp_id", None):
        raise ValueError("identity with an msp_id is required")
    if not getattr(identity, "credentials", None):
        raise ValueError("identity has no credentials")
    if signer is not None and not callable(getattr(signer, "sign", None)):
        raise TypeError("signer must have a sign(digest) -> bytes method")
    if not callable(hash):
        raise TypeError("hash must be callable")
    base = timeouts or CallTimeouts()
    values = {k: v for k, v in overrides.items() if v is not _UNSET}
    for key, value in values.items():
        if value is not None and value <= 0:
            raise ValueError(f"{key}_timeout must be positive or None")
    timeouts = CallTimeouts(**{**base.__dict__, **values})
    return Context(identity=identity, signer=signer, hash=hash, channel=client,
                   timeouts=timeouts, tls_cert_hash=_tls_cert_hash(tls_client_cert))


class _GatewayBase:
    def __init__(self, ctx: Context) -> None:
        self._ctx = ctx
        self._closed = False

    @property
    def identity(self) -> Identity:
        return self._ctx.identity

    @property
    def timeouts(self) -> CallTimeouts:
        return self._ctx.timeouts

    def close(self) -> None:
        """Mark closed; the gRPC channel is the caller's to close."""
        self._closed = True

    def _check_open(self) -> None:
        if self._closed:
            raise RuntimeError("gateway is closed")

    @staticmethod
    def _proposed(data: bytes, signature: bytes | None) -> tuple[Any, str]:
        proposed = gateway_pb2.ProposedTransaction.FromString(data)
        if signature is not None:
            proposed.proposal.signature = signature
        return proposed, channel_name_of(proposed.proposal)

    @staticmethod
    def _prepared(data: bytes, signature: bytes | None) -> tuple[Any, str]:
        prepared = gateway_pb2.PreparedTransaction.FromString(data)
        if signature is not None:
            prepared.envelope.signature = signature
        payload = common_pb2.Payload.FromString(prepared.envelope.payload)
        channel = common_pb2.ChannelHeader.FromString(payload.header.channel_header).channel_id
        return prepared, channel

    @staticmethod
    def _commit(data: bytes, signature: bytes | None) -> Any:
        signed = gateway_pb2.SignedCommitStatusRequest.FromString(data)
        if signature is not None:
            signed.signature = signature
        return signed

    @staticmethod
    def _cc_events(data: bytes, signature: bytes | None) -> Any:
        signed = gateway_pb2.SignedChaincodeEventsRequest.FromString(data)
        if signature is not None:
            signed.signature = signature
        return signed

    @staticmethod
    def _envelope(data: bytes, signature: bytes | None) -> Any:
        envelope = common_pb2.Envelope.FromString(data)
        if signature is not None:
            envelope.signature = signature
        return envelope


class Gateway(_GatewayBase):
    """Gateway connection over a blocking channel. Use as a context manager."""

    def get_network(self, channel_name: str) -> Network:
        self._check_open()
        return Network(self._ctx, channel_name)

    # Offline signing: rebuild an object from its bytes, optionally attaching a signature
    # produced elsewhere over its digest().
    def new_proposal(self, data: bytes) -> Proposal:
        return self.new_signed_proposal(data, None)

    def new_signed_proposal(self, data: bytes, signature: bytes | None) -> Proposal:
        proposed, channel = self._proposed(data, signature)
        return Proposal(self._ctx, proposed, channel)

    def new_transaction(self, data: bytes) -> Transaction:
        return self.new_signed_transaction(data, None)

    def new_signed_transaction(self, data: bytes, signature: bytes | None) -> Transaction:
        prepared, channel = self._prepared(data, signature)
        return Transaction(self._ctx, prepared, channel)

    def new_commit(self, data: bytes) -> Commit:
        return self.new_signed_commit(data, None)

    def new_signed_commit(self, data: bytes, signature: bytes | None) -> Commit:
        return Commit(self._ctx, self._commit(data, signature), "")

    def new_signed_chaincode_events_request(self, data: bytes, signature: bytes | None
                                            ) -> ChaincodeEventsRequest:
        return ChaincodeEventsRequest(self._ctx, self._cc_events(data, signature))

    def new_signed_block_events_request(self, data: bytes, signature: bytes | None, *,
                                        kind: str = "full") -> BlockEventsRequest:
        return BlockEventsRequest(self._ctx, self._envelope(data, signature), kind)

    def __enter__(self) -> Gateway:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncGateway(_GatewayBase):
    """Gateway connection over a ``grpc.aio`` channel. Use as an async context manager."""

    def get_network(self, channel_name: str) -> AsyncNetwork:
        self._check_open()
        return AsyncNetwork(self._ctx, channel_name)

    def new_proposal(self, data: bytes) -> AsyncProposal:
        return self.new_signed_proposal(data, None)

    def new_signed_proposal(self, data: bytes, signature: bytes | None) -> AsyncProposal:
        proposed, channel = self._proposed(data, signature)
        return AsyncProposal(self._ctx, proposed, channel)

    def new_transaction(self, data: bytes) -> AsyncTransaction:
        return self.new_signed_transaction(data, None)

    def new_signed_transaction(self, data: bytes, signature: bytes | None
                               ) -> AsyncTransaction:
        prepared, channel = self._prepared(data, signature)
        return AsyncTransaction(self._ctx, prepared, channel)

    def new_commit(self, data: bytes) -> AsyncCommit:
        return self.new_signed_commit(data, None)

    def new_signed_commit(self, data: bytes, signature: bytes | None) -> AsyncCommit:
        return AsyncCommit(self._ctx, self._commit(data, signature), "")

    def new_signed_chaincode_events_request(self, data: bytes, signature: bytes | None
                                            ) -> AsyncChaincodeEventsRequest:
        return AsyncChaincodeEventsRequest(self._ctx, self._cc_events(data, signature))

    def new_signed_block_events_request(self, data: bytes, signature: bytes | None, *,
                                        kind: str = "full") -> AsyncBlockEventsRequest:
        return AsyncBlockEventsRequest(self._ctx, self._envelope(data, signature), kind)

    async def __aenter__(self) -> AsyncGateway:
        return self

    async def __aexit__(self, *exc: object) -> None:
        self.close()


def connect(
    identity: Identity,
    *,
    client: grpc.Channel,
    signer: Signer | None = None,
    hash: HashFunction = sha256_digest,
    timeouts: CallTimeouts | None = None,
    evaluate_timeout: float | None = _UNSET,
    endorse_timeout: float | None = _UNSET,
    submit_timeout: float | None = _UNSET,
    commit_status_timeout: float | None = _UNSET,
    tls_client_cert: bytes | None = None,
) -> Gateway:
    """Connect to a Gateway peer over an existing blocking gRPC channel.

    ``signer=None`` is allowed for offline signing only. ``*_timeout`` override single
    entries of ``timeouts`` (see :class:`CallTimeouts`). ``tls_client_cert`` (PEM) binds
    Deliver requests to the mTLS session (``tls_cert_hash``) when the peer demands it.
    """
    if isinstance(client, grpc.aio.Channel):
        raise TypeError("connect() needs a grpc.Channel; use connect_async() for grpc.aio")
    if not isinstance(client, grpc.Channel):
        raise TypeError("client must be a grpc.Channel (see create_channel())")
    ctx = _context(identity, client, signer, hash, timeouts, {
        "evaluate": evaluate_timeout, "endorse": endorse_timeout, "submit": submit_timeout,
        "commit_status": commit_status_timeout}, tls_client_cert)
    return Gateway(ctx)


def connect_async(
    identity: Identity,
    *,
    client: grpc.aio.Channel,
    signer: Signer | None = None,
    hash: HashFunction = sha256_digest,
    timeouts: CallTimeouts | None = None,
    evaluate_timeout: float | None = _UNSET,
    endorse_timeout: float | None = _UNSET,
    submit_timeout: float | None = _UNSET,
    commit_status_timeout: float | None = _UNSET,
    tls_client_cert: bytes | None = None,
) -> AsyncGateway:
    """Like :func:`connect` for a ``grpc.aio.Channel`` (a plain function, not a coroutine)."""
    if not isinstance(client, grpc.aio.Channel):
        raise TypeError("connect_async() needs a grpc.aio.Channel (see create_aio_channel())")
    ctx = _context(identity, client, signer, hash, timeouts, {
        "evaluate": evaluate_timeout, "endorse": endorse_timeout, "submit": submit_timeout,
        "commit_status": commit_status_timeout}, tls_client_cert)
    return AsyncGateway(ctx)
