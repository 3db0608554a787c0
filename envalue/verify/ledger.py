"""Fetching what `envalue verify` checks from the ledger, through `envalue.ledger`.

Why a module of its own: verification itself is pure (`lineage`, `inclusion`); only this
module talks to a peer. It evaluates ``measurement:trace`` (and ``measurement:get_batch``,
``tokens:audit``) on the Platform org's Gateway peer as its operator, through the same
session every other ledger command uses. When the network is not there or the peer does
not answer it raises `LedgerUnavailableError` with a reason a person can act on; it never
answers from anywhere else.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from envalue.ledger.errors import LedgerError, LedgerUnavailableError

__all__ = ["LedgerQueryError", "LedgerUnavailableError", "evaluate", "fetch_batch",
           "fetch_token_supply", "fetch_trace"]

#: Chaincode contract and function names (chaincode/contracts/measurement.py, tokens.py).
MEASUREMENT, TOKENS = "measurement", "tokens"
#: The identity that reads: every org's members may evaluate these queries.
READER = "platform:operator1"


class LedgerQueryError(RuntimeError):
    """The peer answered with an error (e.g. unknown lot)."""


def evaluate(contract_name: str, function: str, arguments: Sequence[str], *,
             network: str | None = None) -> Any:
    """Evaluate `contract_name:function(arguments)` and parse its JSON answer."""
    from envalue.ledger.identities import enrolled_caller
    from envalue.ledger.messages import query_call
    from envalue.ledger.peers import LedgerPeers
    from envalue.ledger.session import open_session

    peers = LedgerPeers.resolve(network)
    if peers.settings is None:
        raise LedgerUnavailableError(peers.unavailable_reason)
    try:
        with open_session(enrolled_caller(peers.settings, READER), peers) as session:
            return session.evaluate(query_call(contract_name, function, *arguments))
    except LedgerUnavailableError:
        raise
    except (LedgerError, ValueError) as exc:
        raise LedgerQueryError(f"{contract_name}:{function}: {exc}") from exc


def fetch_trace(lot_id: str = "", calculation_id: str = "", **kwargs: Any) -> dict[str, Any]:
    """The ``measurement:trace`` document of a lot (or a calculation)."""
    return dict(evaluate(MEASUREMENT, "trace", [lot_id, calculation_id], **kwargs))


def fetch_batch(batch_id: str, **kwargs: Any) -> dict[str, Any]:
    """The anchored batch record (``measurement:get_batch``)."""
    return dict(evaluate(MEASUREMENT, "get_batch", [batch_id], **kwargs))


def fetch_token_supply(lot_id: str, **kwargs: Any) -> dict[str, Any]:
    """The token ledger's supply audit of one lot (``tokens:audit``)."""
    return dict(evaluate(TOKENS, "audit", [lot_id], **kwargs))
