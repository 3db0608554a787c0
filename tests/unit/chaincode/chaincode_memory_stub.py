"""An in-memory chaincode stub: the one place an in-memory ledger is allowed.

Behaves like the peer for the calls envalue contracts make: reads see the
committed ledger only (not the transaction's own writes), writes collect in a
write set that `commit()` applies, one event per transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime
from types import MappingProxyType

from google.protobuf.timestamp_pb2 import Timestamp


class MemoryLedger:
    """Committed world state shared by successive transactions."""

    def __init__(self) -> None:
        self.state: dict[str, bytes] = {}


class MemoryStub:
    """One transaction against a `MemoryLedger`."""

    def __init__(
        self,
        ledger: MemoryLedger,
        *args: str,
        msp_id: str = "PlatformMSP",
        cert_pem: bytes = b"",
        at: datetime = datetime(2026, 11, 28, 12, 0, tzinfo=UTC),
        tx_id: str = "0123456789abcdef",
    ) -> None:
        self.ledger = ledger
        self.args = list(args)
        self.writes: dict[str, bytes | None] = {}
        self.event: tuple[str, bytes] | None = None
        self._creator = {"mspid": msp_id, "idBytes": cert_pem}
        self._timestamp = Timestamp()
        self._timestamp.FromDatetime(at)
        self.tx_id = tx_id

    def get_function_and_parameters(self) -> tuple[str, list[str]]:
        return self.args[0], self.args[1:]

    def get_function_name(self) -> str:
        return self.args[0]

    def get_txid(self) -> str:
        return self.tx_id

    def get_creator(self) -> Mapping[str, object]:
        return self._creator

    def get_tx_timestamp(self) -> Timestamp:
        return self._timestamp

    def get_transient(self) -> Mapping[str, bytes]:
        return MappingProxyType({})

    async def get_state(self, key: str) -> bytes:
        return self.ledger.state.get(key, b"")

    async def put_state(self, key: str, value: bytes) -> None:
        self.writes[key] = bytes(value)

    async def delete_state(self, key: str) -> None:
        self.writes[key] = None

    def set_event(self, name: str, payload: bytes) -> None:
        self.event = (name, bytes(payload))

    def commit(self) -> None:
        for key, value in self.writes.items():
            if value is None:
                self.ledger.state.pop(key, None)
            else:
                self.ledger.state[key] = value
