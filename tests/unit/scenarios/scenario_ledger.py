"""Scenario steps through the real contract dispatcher on an in-memory world state.

A chaincode unit-test harness (the one place an in-memory ledger is allowed): each
`DispatcherSession` stands for one enrolled identity of the consortium topology, with a
test certificate carrying the topology's role, and runs every call through
`build_chaincode(all_contracts())` on the memory stub of tests/unit/chaincode (plus
range queries over committed state, as in tests/unit/tokens). Refusals come back as the
Gateway would hand them to `envalue.ledger`: `decode_rejection` of the contract's
message. Nothing here is used outside tests.
"""

from __future__ import annotations

import asyncio
import sys
import threading
from collections import defaultdict
from pathlib import Path
from types import SimpleNamespace
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "chaincode"))

from chaincode_certs import operator_cert  # noqa: E402
from chaincode_memory_stub import MemoryLedger, MemoryStub  # noqa: E402

from envalue.chaincode.contracts import all_contracts  # noqa: E402
from envalue.chaincode.domain.store import composite_key  # noqa: E402
from envalue.chaincode.runtime import StubStore, build_chaincode  # noqa: E402
from envalue.ledger.errors import decode_rejection  # noqa: E402
from envalue.ledger.identities import owner_key_of, parse_identity  # noqa: E402
from envalue.ledger.messages import LedgerCall, TxResult, decode_events  # noqa: E402

__all__ = ["DispatcherSessions", "MemoryLedger", "RangeStub", "read_state"]

CHAINCODE = build_chaincode(all_contracts())


class RangeStub(MemoryStub):
    """The memory stub plus partial-composite-key range queries over committed state."""

    async def get_state_by_partial_composite_key(self, object_type: str,
                                                 attributes: list[str]):  # noqa: ANN201
        prefix = composite_key(object_type, *attributes)
        rows = [SimpleNamespace(key=k, value=v)
                for k, v in sorted(self.ledger.state.items()) if k.startswith(prefix)]

        async def iterate():  # noqa: ANN202
            for row in rows:
                yield row
        return iterate()


class DispatcherSession:
    """One identity's transactions through the dispatcher (commit on success)."""

    def __init__(self, owner: DispatcherSessions, msp_id: str, cert: bytes) -> None:
        self.owner, self.msp_id, self.cert = owner, msp_id, cert

    def _invoke(self, call: LedgerCall[Any]) -> tuple[Any, RangeStub]:
        with self.owner.lock:  # one transaction at a time, as a peer commits blocks
            return self._invoke_locked(call)

    def _invoke_locked(self, call: LedgerCall[Any]) -> tuple[Any, RangeStub]:
        self.owner.count += 1
        stub = RangeStub(self.owner.ledger, f"{call.contract}:{call.function}",
                         *call.arguments, msp_id=self.msp_id, cert_pem=self.cert,
                         tx_id=f"tx{self.owner.count:08d}")
        response = asyncio.run(CHAINCODE.invoke(stub))
        if response.status != 200:
            raise decode_rejection(response.message, operation=call.operation)
        if call.submit:
            stub.commit()
            self.owner.blocks += 1
            self.owner.writes[call.operation] = max(self.owner.writes[call.operation],
                                                    len(stub.writes))
            self.owner.submitted.append(call.operation)
        return response, stub

    def submit(self, call: LedgerCall[Any]) -> TxResult:
        response, stub = self._invoke(call)
        return TxResult(call.operation, stub.tx_id, self.owner.blocks,
                        decode_events(response.payload))

    def evaluate(self, call: LedgerCall[Any]) -> Any:
        response, _ = self._invoke(call)
        return call.decode(response.payload)


class DispatcherSessions:
    """Sessions for the consortium's identities over one in-memory world state.

    `holder(identity)` is the holder key the chaincode derives from the identity's
    certificate; `writes` the largest write set each operation committed."""

    def __init__(self) -> None:
        self.ledger = MemoryLedger()
        self.count = self.blocks = 0
        self.lock = threading.Lock()
        self.writes: dict[str, int] = defaultdict(int)
        self.submitted: list[str] = []
        self._sessions: dict[str, DispatcherSession] = {}

    def get(self, identity: str) -> DispatcherSession:
        if identity not in self._sessions:
            org, user = parse_identity(identity)
            role = next(u.role for u in org.users if u.name == user)
            self._sessions[identity] = DispatcherSession(
                self, org.msp_id, operator_cert(f"{user}.{org.key}", role))
        return self._sessions[identity]

    def holder(self, identity: str) -> str:
        session = self.get(identity)
        return owner_key_of(session.msp_id, session.cert)


def read_state(sessions: DispatcherSessions, query: Any, *args: Any) -> Any:
    """Run a read-only domain query (`envalue.chaincode.domain.*.queries`) on the
    committed state, for figures no contract function exposes."""
    stub = RangeStub(sessions.ledger, "read")
    return asyncio.run(query(StubStore(stub), *args))
