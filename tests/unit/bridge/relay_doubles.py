"""A recording `LedgerAdapter` for the bridge service's unit tests.

Not a ledger: the relay's protocol logic is tested here, the chaincode's in the other
bridge tests (which run the real domain on tests/memory_store). `Ledgers` keeps what each
adapter committed and answers repeats the way the chaincode's once-indexes do
and a Fabric peer would (a repeated claim, void or reclaim is refused the way
`envalue.ledger` decodes a chaincode refusal: `LedgerRejection` with rule ``chaincode``, so
the relay must look at the ledger's state; a repeated release keeps the domain's rule
``already-released``), so a resumed step can be told from a first one; `crash_after`
kills the "process" right after a commit, before the relay could record it, and
`unreachable` makes every call fail like a network with no peer.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from envalue.chaincode.domain.errors import ConflictError, DomainError, NotFoundError
from envalue.chaincode.domain.proofs.view import KIND_BURN, KIND_ORIGIN, encode_view
from envalue.ledger.errors import LedgerRejection, LedgerUnavailableError

HOME, PARTNER = "envalue", "greenx"


class Crash(BaseException):
    """The bridge process dies here (BaseException: nothing in the relay catches it)."""




def _key(function: str, message: dict[str, Any]) -> str:
    for name in ("pledge_id", "burn_id"):
        if name in message:
            return str(message[name])
    return str(message["proof"]["key"])  # claim, void, release carry a proof of one record


@dataclass
class Ledgers:
    """Both ledgers' committed messages, the calls made, and the faults to inject."""

    committed: dict[tuple[str, str, str], dict[str, Any]] = field(default_factory=dict)
    calls: list[tuple[str, str, str]] = field(default_factory=list)
    crash_after: tuple[str, str] | None = None
    refuse: dict[tuple[str, str], DomainError] = field(default_factory=dict)
    unreachable: set[str] = field(default_factory=set)

    def count(self, network: str, function: str) -> int:
        return sum(1 for c in self.calls if c[1:] == (network, function))

    def commits(self, network: str, function: str) -> int:
        return sum(1 for k in self.committed if k[:2] == (network, function))

    def adapter(self, network_id: str) -> RecordingAdapter:
        return RecordingAdapter(network_id, self)


class RecordingAdapter:
    """`LedgerAdapter` over `Ledgers` (see the module docstring)."""

    def __init__(self, network_id: str, ledgers: Ledgers) -> None:
        self.network_id = network_id
        self.ledgers = ledgers

    def _enter(self, kind: str, function: str) -> None:
        self.ledgers.calls.append((kind, self.network_id, function))
        if self.network_id in self.ledgers.unreachable:
            raise LedgerUnavailableError(f"{self.network_id}: no peer answers (test)")

    async def submit(self, function: str, message: Any) -> bytes:
        self._enter("submit", function)
        refusal = self.ledgers.refuse.get((self.network_id, function))
        if refusal is not None:
            raise refusal
        key = (self.network_id, function, _key(function, dict(message)))
        if key in self.ledgers.committed:
            if function == "release":
                raise ConflictError("proof", key[2], "already-released", "released before")
            if function in ("claim", "void", "reclaim"):
                raise LedgerRejection("proof", None, "chaincode", f"{key[2]} done before")
            return b'{"events":[]}'  # identical pledge or burn: nothing changes
        self.ledgers.committed[key] = dict(message)
        if self.ledgers.crash_after == (self.network_id, function):
            raise Crash(f"killed after {function} committed on {self.network_id}")
        return json.dumps({"events": [{"name": f"Event{function}", "attributes": {}}]}).encode()

    async def evaluate(self, function: str, *args: str) -> bytes:
        self._enter("evaluate", function)
        if function == "get_pledge":
            pledge = self.ledgers.committed.get((HOME, "pledge", args[0]))
            if pledge is None:
                raise NotFoundError("pledge_id", args[0], "exists", "no such pledge")
            status = "reclaimed" if (HOME, "reclaim", args[0]) in self.ledgers.committed \
                else "pledged"
            return json.dumps({**pledge, "status": status}).encode()
        if function == "origin_view":
            pid = args[1]
            status = next((s for f, s in (("claim", "claimed"), ("void", "voided"))
                           if (PARTNER, f, pid) in self.ledgers.committed), None)
            if status is None:
                raise LedgerRejection("pledge_id", None, "chaincode", f"{pid} not found")
            return encode_view(KIND_ORIGIN, PARTNER, f"{HOME}/{pid}", {"status": status})
        if function == "burn_view":
            burn = self.ledgers.committed.get((PARTNER, "burn", args[0]))
            if burn is None:
                raise NotFoundError("burn_id", args[0], "exists", "no such burn")
            return encode_view(KIND_BURN, PARTNER, args[0], burn)
        raise AssertionError(f"unexpected query {function}")

    async def get_proof(self, function: str, *args: str) -> dict[str, Any]:
        self._enter("proof", function)
        return {"version": 1, "view": function, "key": args[-1], "endorsements": []}
