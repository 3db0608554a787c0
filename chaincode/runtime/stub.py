"""The chaincode stub handed to contracts: the shim's stub with its gaps filled.

Compared with fabric-chaincode-python 2.5.4's `ChaincodeStub` this stub
- never logs keys or values (the shim logs every put at INFO);
- raises `PeerRequestError` when the peer answers a state call with ERROR
  (through `PeerSession`), instead of returning the error text as a value;
- keeps one chaincode event per transaction (Fabric carries one; the last
  `set_event` wins, as in the Go shim) that the session puts into COMPLETED,
  which the 2.5.4 handler never did;
- exposes the raw argument bytes, the transient map of the decoded proposal,
  and the transaction timestamp as a timezone-aware datetime.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any

from fabric_chaincode_python.fabric_shim.stub import ChaincodeStub
from fabric_protos.peer import chaincode_event_pb2, chaincode_pb2, proposal_pb2

__all__ = ["EnvalueStub"]


class EnvalueStub(ChaincodeStub):
    """Per-transaction stub over a `PeerSession` (or any object with the same calls)."""

    def __init__(
        self,
        session: Any,
        channel_id: str,
        tx_id: str,
        cc_input: chaincode_pb2.ChaincodeInput,
        signed_proposal: proposal_pb2.SignedProposal | None,
    ) -> None:
        super().__init__(session, channel_id, tx_id, cc_input, signed_proposal)
        self._event: chaincode_event_pb2.ChaincodeEvent | None = None

    # -- inputs ---------------------------------------------------------
    def get_args(self) -> list[bytes]:
        """All arguments (function name first) as raw bytes, without decoding."""
        return list(self.cc_input.args)

    def get_function_name(self) -> str:
        """The first argument decoded as UTF-8, or "" when there is none."""
        args = self.cc_input.args
        return args[0].decode("utf-8", "replace") if args else ""

    def get_transient(self) -> Mapping[str, bytes]:
        """The proposal's transient map (private inputs that stay off the ledger)."""
        decoded = self.signed_proposal_pb
        if not isinstance(decoded, dict):
            return MappingProxyType({})
        payload = decoded.get("proposal", {}).get("payload")
        if payload is None:
            return MappingProxyType({})
        return MappingProxyType(dict(payload.TransientMap))

    def get_tx_datetime(self) -> datetime:
        """The proposal's timestamp (set by the client, same on every endorser) in UTC."""
        stamp = self.get_tx_timestamp()
        if stamp is None:
            raise ValueError("transaction has no timestamp (no signed proposal)")
        return stamp.ToDatetime(tzinfo=UTC)

    # -- state, without logging ---------------------------------------
    async def get_state(self, key: str) -> bytes:
        """Value of `key` in the world state; empty bytes when absent."""
        return await self.client.handle_get_state("", key, self.channel_id, self.tx_id)

    async def put_state(self, key: str, value: bytes | str) -> None:
        """Write `key` in this transaction's write set."""
        data = value.encode("utf-8") if isinstance(value, str) else bytes(value)
        await self.client.handle_put_state("", key, data, self.channel_id, self.tx_id)

    async def delete_state(self, key: str) -> None:
        """Delete `key` in this transaction's write set."""
        await self.client.handle_delete_state("", key, self.channel_id, self.tx_id)

    # -- events -----------------------------------------------------------
    def set_event(self, name: str, payload: bytes | str | None) -> None:
        """Set the transaction's chaincode event (replacing any earlier one)."""
        if not isinstance(name, str) or not name:
            raise ValueError("event name must be a non-empty string")
        data = payload.encode("utf-8") if isinstance(payload, str) else bytes(payload or b"")
        self._event = chaincode_event_pb2.ChaincodeEvent(event_name=name, payload=data)

    @property
    def chaincode_event(self) -> chaincode_event_pb2.ChaincodeEvent | None:
        """The event to attach to COMPLETED, if the transaction set one."""
        return self._event

    def get_events(self) -> list[chaincode_event_pb2.ChaincodeEvent]:
        """Shim-compatible view: zero or one event."""
        return [self._event] if self._event is not None else []
