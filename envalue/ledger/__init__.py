"""The one client-side API for ledger operations: the CLI, the portal and the REST API
all call these functions.

::

    peers = LedgerPeers.resolve()                       # the network's Gateway peers
    caller = enrolled_caller(peers.settings, "customer:customer1")
    with open_session(caller, peers) as session:
        result = tokens.transfer_tokens(session, [TransferItem("LOT-1", bob, 250)])
        print(result.transaction_id, result.block_number, result.events)

Modules: `messages` (the chaincode's message dataclasses on the wire, calls, results),
`tokens` and `credits` (one builder and one domain function per operation),
`identities` (who signs, holder keys), `peers` (where the Gateway peer is and whether it
answers), `session` (a caller's connection), `errors` (unavailable, rejected, conflict),
`quantities` (``1.5t`` and friends into integers). Nothing here invents ledger data:
with no peer, every operation raises `LedgerUnavailableError` naming the reason.
"""

from . import credits, tokens
from .errors import LedgerConflict, LedgerError, LedgerRejection, LedgerUnavailableError
from .identities import Caller, enrolled_caller, holder_key, owner_key_of
from .messages import LedgerCall, TxResult, decode_message, encode_message
from .peers import LedgerPeers, LedgerStatus, PeerEndpoint
from .quantities import parse_kg, parse_tonnes, parse_yen
from .session import LedgerSession, open_session

__all__ = [
    "Caller",
    "LedgerCall",
    "LedgerConflict",
    "LedgerError",
    "LedgerPeers",
    "LedgerRejection",
    "LedgerSession",
    "LedgerStatus",
    "LedgerUnavailableError",
    "PeerEndpoint",
    "TxResult",
    "credits",
    "decode_message",
    "encode_message",
    "enrolled_caller",
    "holder_key",
    "open_session",
    "owner_key_of",
    "parse_kg",
    "parse_tonnes",
    "parse_yen",
    "tokens",
]
