"""What can go wrong on the way to the ledger, decoded once for the CLI, portal and API.

Three outcomes besides success, each a `DomainError` (field, value, rule, ``http_status``,
``exit_code``) so that every front end reports them the way it reports domain errors:

- `LedgerUnavailableError`: no peer to talk to (network not created, peer down, gRPC
  UNAVAILABLE or DEADLINE_EXCEEDED). Nothing was written, or, for a commit status that
  timed out, the outcome is unknown and the reason names the transaction to look up.
- `LedgerRejection`: the chaincode refused the transaction while endorsing or evaluating
  it (or the Gateway refused the request, or the commit was invalid for another reason
  than a read conflict). State is unchanged.
- `LedgerConflict`: the transaction was endorsed but failed validation with an MVCC or
  phantom read conflict: another transaction changed what it read. Nothing was written;
  running it again re-checks balances against the new state.

How a chaincode refusal travels: the contract API answers ``Response(status=500,
message=str(error))``, and envalue's contracts (`envalue.chaincode.contracts.common`) make
that message the compact JSON of ``DomainError.to_dict()`` (type, field, value, rule,
message; identity failures as a ``ForbiddenError`` on field ``actor``). The Gateway wraps
it per peer as ``"chaincode response 500, <message>"`` in the `ErrorDetail`s of an
`EndorseError` (Evaluate: the same text, also in the gRPC message). `decode_rejection`
takes such a JSON object whole: the same field, value and rule as the chaincode raised.
Messages that are not (the contract API's own, e.g. an unknown function, or the peer
failing a state call) keep rule ``chaincode``, with a leading ``field: `` path recovered
when there is one.
"""

from __future__ import annotations

import json
import re
from typing import Any

import grpc

from envalue.chaincode.domain.errors import DomainError
from envalue.client import (
    CommitError,
    CommitStatusError,
    ErrorDetail,
    GatewayError,
    TransactionError,
)

__all__ = [
    "CONFLICT_CODES",
    "LedgerConflict",
    "LedgerError",
    "LedgerRejection",
    "LedgerUnavailableError",
    "decode_rejection",
    "ledger_error",
]

#: Commit validation codes that mean "state changed under you": worth running again.
CONFLICT_CODES = frozenset({"MVCC_READ_CONFLICT", "PHANTOM_READ_CONFLICT"})
#: gRPC codes meaning no peer (or orderer) could be reached in time.
_UNREACHABLE = (grpc.StatusCode.UNAVAILABLE, grpc.StatusCode.DEADLINE_EXCEEDED)
_CHAINCODE_PREFIX = re.compile(
    r"^(?:.*?returned error: )?(?:error in simulation: transaction returned with failure: )?"
    r"chaincode response (\d{3}), ", re.DOTALL)
_FIELD_PATH = re.compile(
    r"^([A-Za-z_]\w*(?:\[\d+\])*(?:\.[A-Za-z_]\w*(?:\[\d+\])*)*): (.+)$", re.DOTALL)


class LedgerError(DomainError):
    """Base of the outcomes above; `operation` is ``contract:function`` when known."""

    def __init__(self, field: str, value: Any, rule: str, detail: str, *,
                 operation: str = "", transaction_id: str = "") -> None:
        super().__init__(field, value, rule, detail)
        self.operation = operation
        self.transaction_id = transaction_id

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        data.update({k: v for k, v in (("operation", self.operation),
                                       ("transaction_id", self.transaction_id)) if v})
        return data


class LedgerUnavailableError(LedgerError):
    """No peer answers: pages show `reason`, the API answers 503, the CLI exits 3."""

    http_status = 503
    exit_code = 3

    def __init__(self, reason: str, *, operation: str = "", transaction_id: str = "") -> None:
        super().__init__("", None, "ledger_unavailable", reason, operation=operation,
                         transaction_id=transaction_id)
        self.reason = reason


class LedgerRejection(LedgerError):
    """The chaincode or the Gateway refused the transaction; state is unchanged.

    `peers` keeps every endpoint's answer (address, MSP, message) as the Gateway sent it.
    """

    http_status = 422
    exit_code = 4

    def __init__(self, field: str, value: Any, rule: str, detail: str, *,
                 operation: str = "", transaction_id: str = "",
                 peers: tuple[ErrorDetail, ...] = ()) -> None:
        super().__init__(field, value, rule, detail, operation=operation,
                         transaction_id=transaction_id)
        self.peers = peers

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        if self.peers:
            data["peers"] = [{"address": p.address, "msp_id": p.msp_id, "message": p.message}
                             for p in self.peers]
        return data


class LedgerConflict(LedgerError):
    """An MVCC/phantom read conflict at commit: nothing written, safe to run again."""

    http_status = 409
    exit_code = 5

    def __init__(self, code_name: str, *, operation: str = "", transaction_id: str = "",
                 block_number: int | None = None) -> None:
        where = f" in block {block_number}" if block_number is not None else ""
        super().__init__(
            "", code_name, "read-conflict",
            f"transaction {transaction_id} was invalidated{where} with {code_name}: another "
            "transaction changed the state it read; nothing was written, submit it again",
            operation=operation, transaction_id=transaction_id)
        self.code_name = code_name
        self.block_number = block_number


def _chaincode_message(text: str) -> str | None:
    """The chaincode's own message inside a Gateway text, or None if it is not one."""
    match = _CHAINCODE_PREFIX.match(text)
    return text[match.end():] if match else None


def decode_rejection(message: str, *, operation: str = "", transaction_id: str = "",
                     peers: tuple[ErrorDetail, ...] = ()) -> LedgerRejection:
    """A `LedgerRejection` from a chaincode message (a `to_dict()` JSON object, or text)."""
    try:
        data = json.loads(message)
    except ValueError:
        data = None
    if isinstance(data, dict) and isinstance(data.get("rule"), str):
        detail = str(data.get("message") or data.get("detail") or message)
        field = str(data.get("field") or "")
        if field and detail.startswith(f"{field}: "):
            detail = detail[len(field) + 2:]
        return LedgerRejection(field, data.get("value"), data["rule"], detail,
                               operation=operation, transaction_id=transaction_id, peers=peers)
    match = _FIELD_PATH.match(message)
    field, detail = (match.group(1), match.group(2)) if match else ("", message)
    return LedgerRejection(field, None, "chaincode", detail, operation=operation,
                           transaction_id=transaction_id, peers=peers)


def _from_gateway(exc: GatewayError, operation: str, peer: str) -> LedgerError:
    tx_id = exc.transaction_id if isinstance(exc, TransactionError) else ""
    if exc.code in _UNREACHABLE:
        what = "" if not tx_id else (
            f"; transaction {tx_id} may still commit: look it up before retrying"
            if isinstance(exc, CommitStatusError) else
            f"; transaction {tx_id} was not committed")
        reason = f"{peer or 'the Gateway peer'}: {exc.code.name}: {exc.message}{what}"
        for d in exc.details:
            reason += f"; {d.address} ({d.msp_id}): {d.message}"
        return LedgerUnavailableError(reason, operation=operation, transaction_id=tx_id)
    for text in [d.message for d in exc.details] + [exc.message]:
        inner = _chaincode_message(text)
        if inner is not None:
            return decode_rejection(inner, operation=operation, transaction_id=tx_id,
                                    peers=exc.details)
    detail = exc.message + "".join(f"; {d.address} ({d.msp_id}): {d.message}"
                                   for d in exc.details)
    return LedgerRejection("", exc.code.name, f"gateway-{exc.code.name.lower()}", detail,
                           operation=operation, transaction_id=tx_id, peers=exc.details)


def ledger_error(exc: GatewayError | CommitError, *, operation: str = "",
                 peer: str = "") -> LedgerError:
    """The outcome a Gateway SDK error stands for (see the module docstring)."""
    if isinstance(exc, CommitError):
        if exc.code_name in CONFLICT_CODES:
            return LedgerConflict(exc.code_name, operation=operation,
                                  transaction_id=exc.transaction_id,
                                  block_number=exc.block_number)
        return LedgerRejection(
            "", exc.code_name, f"commit-{exc.code_name.lower().replace('_', '-')}",
            f"transaction {exc.transaction_id} was invalidated at commit with {exc.code_name}",
            operation=operation, transaction_id=exc.transaction_id)
    return _from_gateway(exc, operation, peer)
