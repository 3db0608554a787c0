"""Error types, shaped like fabric-gateway's.

Hierarchy::

    Exception
    ├── GatewayError            gRPC failure of a Gateway call; .code, .details (per peer)
    │   └── TransactionError    ... while running a transaction; .transaction_id
    │       ├── EndorseError
    │       ├── SubmitError
    │       └── CommitStatusError
    └── CommitError             the transaction committed with a non-VALID validation code

gRPC errors are converted in one place (:func:`envalue.client._grpc.to_gateway_error`) and the
original ``grpc.RpcError`` is kept as ``__cause__``.
"""

from __future__ import annotations

from dataclasses import dataclass

import grpc
from fabric_protos.peer import transaction_pb2

__all__ = [
    "CommitError",
    "CommitStatusError",
    "EndorseError",
    "ErrorDetail",
    "GatewayError",
    "SubmitError",
    "TransactionError",
    "validation_code_name",
]


@dataclass(frozen=True)
class ErrorDetail:
    """One peer's or orderer's answer, from the gateway.ErrorDetail in the gRPC status."""

    address: str
    msp_id: str
    message: str


class GatewayError(Exception):
    """A Gateway gRPC call failed; ``details`` lists the per-endpoint errors if any."""

    def __init__(
        self,
        message: str,
        *,
        code: grpc.StatusCode = grpc.StatusCode.UNKNOWN,
        details: tuple[ErrorDetail, ...] = (),
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.details = tuple(details)

    def __str__(self) -> str:
        text = f"{self.code.name}: {self.message}"
        for d in self.details:
            text += f"\n  - {d.address} ({d.msp_id}): {d.message}"
        return text


class TransactionError(GatewayError):
    """A Gateway call failed for a specific transaction."""

    def __init__(
        self,
        message: str,
        *,
        transaction_id: str,
        code: grpc.StatusCode = grpc.StatusCode.UNKNOWN,
        details: tuple[ErrorDetail, ...] = (),
    ) -> None:
        super().__init__(message, code=code, details=details)
        self.transaction_id = transaction_id

    def __str__(self) -> str:
        return f"[tx {self.transaction_id}] {super().__str__()}"


class EndorseError(TransactionError):
    """The Gateway could not collect the endorsements (Endorse call failed)."""


class SubmitError(TransactionError):
    """The Gateway could not submit the endorsed transaction to the orderer."""


class CommitStatusError(TransactionError):
    """The commit status of a transaction could not be obtained (e.g. deadline exceeded)."""


def validation_code_name(code: int) -> str:
    """Name of a peer.TxValidationCode value, e.g. 11 → 'MVCC_READ_CONFLICT'."""
    try:
        return transaction_pb2.TxValidationCode.Name(code)
    except ValueError:
        return f"UNKNOWN_{code}"


class CommitError(Exception):
    """The transaction was ordered but validated as invalid by the committing peer."""

    def __init__(self, transaction_id: str, code: int, block_number: int | None = None) -> None:
        self.transaction_id = transaction_id
        self.code = code
        self.code_name = validation_code_name(code)
        self.block_number = block_number
        super().__init__(
            f"transaction {transaction_id} failed to commit with status code {code} "
            f"({self.code_name})"
        )
