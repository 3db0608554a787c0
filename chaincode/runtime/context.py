"""Transaction context for envalue contracts: stub, store, actor, transient data."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from functools import cached_property

from fabric_chaincode_python.fabric_contract_api import TransactionContext

from envalue.chaincode.domain.store import Store
from envalue.chaincode.identity import Actor, actor_from_creator
from envalue.chaincode.runtime.stub_store import StubStore

__all__ = ["EnvalueContext"]


class EnvalueContext(TransactionContext):
    """What a contract function needs: who calls, when, and the world state.

    The contract API creates one per transaction (`Contract.TransactionContextHandler`).
    """

    @cached_property
    def actor(self) -> Actor:
        """The creator of the proposal, parsed from its certificate."""
        return actor_from_creator(self.get_stub().get_creator())

    @cached_property
    def store(self) -> Store:
        """The world state of this transaction."""
        return StubStore(self.get_stub())

    @property
    def timestamp(self) -> datetime:
        """The transaction timestamp (never use the local clock in chaincode)."""
        stamp = self.get_stub().get_tx_timestamp()
        if stamp is None:
            raise ValueError("transaction has no timestamp (no signed proposal)")
        return stamp.ToDatetime(tzinfo=UTC)

    @property
    def function(self) -> str:
        """The called function without its `contract:` prefix, for messages."""
        return self.get_stub().get_function_name().rpartition(":")[2]

    @property
    def transient(self) -> Mapping[str, bytes]:
        """The proposal's transient map."""
        return self.get_stub().get_transient()

    def set_event(self, name: str, payload: bytes) -> None:
        """Set the transaction's one chaincode event."""
        self.get_stub().set_event(name, payload)
