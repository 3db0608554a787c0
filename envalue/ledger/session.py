"""One caller's connection to its org's Gateway peer, opened on first use.

`LedgerSession` is what the domain functions (`tokens`, `credits`) take: it knows the
caller's holder key without any connection, so messages are built and validated first;
the gRPC channel opens on the first `submit` or `evaluate` (and then raises
`LedgerUnavailableError` with the peer's status reason when there is no peer). Every SDK
error is turned into a ledger outcome (`errors.ledger_error`) in one place.

A submit waits for the commit, so the result carries the block number; a read conflict
at commit is reported as `LedgerConflict`, never retried behind the caller's back.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, TypeVar

import grpc

from envalue.client import CommitError, Contract, Gateway, GatewayError, connect, create_channel

from .errors import LedgerUnavailableError, ledger_error
from .identities import Caller
from .messages import LedgerCall, TxResult, decode_events
from .peers import LedgerPeers

__all__ = ["LedgerSession", "open_session"]

T = TypeVar("T")


class LedgerSession:
    """Transactions signed by `caller` through its org's Gateway peer. A context manager."""

    def __init__(self, caller: Caller, peers: LedgerPeers) -> None:
        self.caller = caller
        self.peers = peers
        self.peer = ""
        self._channel: grpc.Channel | None = None
        self._gateway: Gateway | None = None

    @property
    def owner_key(self) -> str:
        """The caller's holder key (known without connecting)."""
        return self.caller.owner_key

    def _connect(self) -> Gateway:
        if self._gateway is not None:
            return self._gateway
        state = self.peers.status(self.caller.org_key)
        if not state.available:
            raise LedgerUnavailableError(state.reason)
        end = self.peers.endpoint(self.caller.org_key)
        self.peer = f"peer {end.host} at {end.target}"
        self._channel = create_channel(end.target, tls_root_cert=end.tls_root,
                                       ssl_target_name_override=end.host)
        self._gateway = connect(self.caller.identity, client=self._channel,
                                signer=self.caller.signer)
        return self._gateway

    def contract(self, name: str) -> Contract:
        """The envalue chaincode's contract `name` (tokens, credits, measurement...)."""
        gateway = self._connect()
        return gateway.get_network(self.peers.channel).get_contract(self.peers.chaincode, name)

    def submit(self, call: LedgerCall[Any]) -> TxResult:
        """Endorse, order and wait for the commit of `call`."""
        contract = self.contract(call.contract)
        try:
            submitted = contract.submit_async(call.function, arguments=list(call.arguments))
            status = submitted.get_status()
            status.raise_for_status()
        except (GatewayError, CommitError) as exc:
            raise ledger_error(exc, operation=call.operation, peer=self.peer) from exc
        return TxResult(call.operation, submitted.transaction_id, status.block_number,
                        decode_events(submitted.result))

    def evaluate(self, call: LedgerCall[T]) -> T:
        """Run the query `call` on the peer and decode its answer."""
        contract = self.contract(call.contract)
        try:
            raw = contract.evaluate(call.function, arguments=list(call.arguments))
        except GatewayError as exc:
            raise ledger_error(exc, operation=call.operation, peer=self.peer) from exc
        return call.decode(raw)

    def close(self) -> None:
        if self._gateway is not None:
            self._gateway.close()
        if self._channel is not None:
            self._channel.close()
        self._gateway = self._channel = None

    def __enter__(self) -> LedgerSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@contextmanager
def open_session(caller: Caller, peers: LedgerPeers) -> Iterator[LedgerSession]:
    """A `LedgerSession` closed when the block ends."""
    session = LedgerSession(caller, peers)
    try:
        yield session
    finally:
        session.close()
