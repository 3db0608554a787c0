"""Idempotency of bridge requests by request id, surviving a crash of the service.

A request (create pledge, submit claim, submit return, reclaim …) carries a request id.
The first time, the action runs and its answer is stored with a fingerprint of the
request; a repeat with the same id and the same request gets the stored answer without
acting; the same id with a different request is refused (`IdempotencyConflictError`), and
so is a repeat while the first is still running (`RequestInProgressError`). Ids are scoped
per caller, so one caller can neither read nor block another's answers.

Answers that depend on a transient condition are not kept (`keep_response`): a 503 while a
ledger is unreachable, or a 5xx, can be retried with the same id.

The crash window between acting and storing is closed on the ledgers and in the journal:
every message the service submits is idempotent or exactly-once by id (pledge, burn and
HTLC ids, the origin index, the return index), and each transfer's step is saved in
``bridge_transfers`` (`relay`), so re-running the action after a restart either does
nothing or is refused as already done, which the relay maps to the recorded outcome. A
reservation left by a crashed worker is taken over after its lease.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

from envalue.chaincode.domain.errors import ConflictError

from .store import BridgeStore, StoredResponse

__all__ = ["DEFAULT_LEASE_SECONDS", "IdempotencyConflictError", "RequestInProgressError",
           "fingerprint", "keep_response", "run_once"]

#: How long a reservation blocks repeats before another worker may take it over.
DEFAULT_LEASE_SECONDS = 120.0


class IdempotencyConflictError(ConflictError):
    """The request id was used before for a different request (HTTP 409)."""

    def __init__(self, field: str, request_id: str) -> None:
        super().__init__(field, request_id, "idempotency-key-reuse",
                         f"request id {request_id!r} was used before for a different "
                         "request; use a new id for a new request")


class RequestInProgressError(ConflictError):
    """The same request is still being answered (HTTP 409); retry shortly."""

    def __init__(self, field: str, request_id: str) -> None:
        super().__init__(field, request_id, "request-in-progress",
                         f"request {request_id!r} is still being processed; retry with the "
                         "same id shortly")


def fingerprint(request: Mapping[str, Any]) -> str:
    body = json.dumps(dict(request), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def keep_response(status: int) -> bool:
    """Stored: successes and answers about the request itself; not 5xx (transient)."""
    return status < 500


def run_once(store: BridgeStore, scope: str, request_id: str, request: Mapping[str, Any],
             action: Callable[[], StoredResponse], *, field: str = "request_id",
             lease_seconds: float = DEFAULT_LEASE_SECONDS,
             keep: Callable[[int], bool] = keep_response) -> tuple[StoredResponse, bool]:
    """The stored answer to `request_id` (and True), or run `action` and store its answer
    (and False). `field` names the request id in errors (e.g. the HTTP header)."""
    digest = fingerprint(request)
    entry = store.begin_request(scope, request_id, digest, lease_seconds=lease_seconds)
    if entry is not None:
        if entry.fingerprint != digest:
            raise IdempotencyConflictError(field, request_id)
        if entry.response is None:
            raise RequestInProgressError(field, request_id)
        return entry.response, True
    try:
        response = action()
    except BaseException:
        store.abandon_request(scope, request_id)
        raise
    if keep(response.status):
        store.finish_request(scope, request_id, response)
    else:
        store.abandon_request(scope, request_id)
    return response, False
