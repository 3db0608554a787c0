"""How the bridge service talks to a ledger: `LedgerAdapter`, and a Fabric adapter.

The protocol is ledger-neutral: the service submits messages, evaluates queries and asks
for *proofs* of views. Another kind of ledger is added by implementing `LedgerAdapter`
(its proofs must be verifiable by the other side's chaincode).

What an adapter raises tells the relay what to do next (`relay.BridgeRelay`):

- `envalue.ledger.errors.LedgerUnavailableError` (no node could be reached) or
  `LedgerConflict` (a read conflict at commit): nothing is known to have changed, so the
  step stays pending and is retried later (`resume_pending`);
- any other `DomainError` (the chaincode's own error classes, or `LedgerRejection` as
  `envalue.ledger.errors` decodes a Fabric refusal): the ledger refused, with field, value
  and rule;
- anything else: an unexpected failure, left pending like an unreachable ledger.

`FabricLedgerAdapter` runs over an `envalue.client` contract (`Contract` or
`AsyncContract`) and turns SDK errors into those outcomes with `envalue.ledger`'s decoder
(`ledger_error`); no test exercises it against peers yet (no Fabric network can run here).
`get_proof` calls the view query through the Gateway's ``Endorse`` (never submitted),
which returns an envelope holding every endorsing org's signature over the same
ProposalResponsePayload, and turns it into a `Proof` (`proofs.builder.proof_from_envelope`).
``Evaluate`` is not enough: the Gateway returns only the result of an evaluation, without
endorsements.
"""

from __future__ import annotations

import inspect
import json
from collections.abc import Collection, Mapping, Sequence
from typing import Any, Protocol, runtime_checkable

from envalue.chaincode.domain.proofs.builder import proof_from_envelope
from envalue.chaincode.domain.proofs.wire import parse
from envalue.ledger.errors import LedgerConflict, LedgerUnavailableError

__all__ = ["TRANSIENT", "FabricLedgerAdapter", "LedgerAdapter"]

#: Outcomes after which nothing is known to have changed: the step is simply retried.
TRANSIENT = (LedgerUnavailableError, LedgerConflict)


def _encode(message: Mapping[str, Any]) -> str:
    """The JSON text a contract function parses (sorted keys, integers stay integers)."""
    return json.dumps(dict(message), sort_keys=True, separators=(",", ":"))


@runtime_checkable
class LedgerAdapter(Protocol):
    """One ledger, as one identity, as the bridge service sees it."""

    network_id: str

    async def submit(self, function: str, message: Mapping[str, Any]) -> bytes:
        """Run a state-changing function with one JSON message; returns its result once
        committed (raises when refused or not committed)."""
        ...

    async def evaluate(self, function: str, *args: str) -> bytes:
        """Run a query on one node; returns its result."""
        ...

    async def get_proof(self, function: str, *args: str) -> dict[str, Any]:
        """Run a view query on enough nodes to satisfy the other side's verification
        policy and return the carried proof (`proofs.proof.Proof.to_dict`)."""
        ...


async def _result(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


class FabricLedgerAdapter:
    """`LedgerAdapter` over an `envalue.client` contract (not exercised against peers yet).

    `contract` is the (async or blocking) contract of the bridge (home) or wrapped
    (partner) chaincode's named contract; `endorsing_organizations` pins which orgs
    endorse views (at least the verification policy's threshold); `only_msps` drops
    endorsements of MSPs the verifying ledger does not know.
    """

    def __init__(self, network_id: str, contract: Any, *,
                 endorsing_organizations: Sequence[str],
                 only_msps: Collection[str] | None = None) -> None:
        self.network_id = network_id
        self._contract = contract
        self._orgs = list(endorsing_organizations)
        self._only = only_msps

    async def _call(self, function: str, method: Any, *args: Any, **kwargs: Any) -> Any:
        from envalue.client import CommitError, GatewayError
        from envalue.ledger.errors import ledger_error

        try:
            return await _result(method(*args, **kwargs))
        except (GatewayError, CommitError) as exc:
            raise ledger_error(exc, operation=f"{self.network_id}:{function}",
                               peer=self.network_id) from exc

    async def submit(self, function: str, message: Mapping[str, Any]) -> bytes:
        return bytes(await self._call(function, self._contract.submit, function,
                                      arguments=[_encode(message)]))

    async def evaluate(self, function: str, *args: str) -> bytes:
        return bytes(await self._call(function, self._contract.evaluate, function,
                                      arguments=list(args)))

    async def get_proof(self, function: str, *args: str) -> dict[str, Any]:
        proposal = self._contract.new_proposal(function, arguments=list(args),
                                               endorsing_organizations=self._orgs)
        transaction = await self._call(function, proposal.endorse)
        # gateway.PreparedTransaction{transaction_id = 1, envelope = 2}
        envelope = parse(transaction.bytes()).bytes_(2)
        return proof_from_envelope(envelope, only_msps=self._only).to_dict()
