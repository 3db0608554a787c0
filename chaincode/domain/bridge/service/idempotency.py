"""Idempotency of bridge requests by request id, surviving a crash of the service.

A request (create pledge, submit claim, submit return, reclaim …) carries a request id.
The first time, the action runs and its result is stored with a fingerprint of the
request; a repeat with the same id and the same request returns the stored result
without acting; the same id with a different request is refused.

The crash window between acting and storing is closed on the ledgers: every message the
service submits is itself idempotent or exactly-once by id (pledge, burn and HTLC ids,
the origin index, the return and retirement indexes), so re-running the action after a
restart either does nothing or is refused as already done, which the service maps to
the stored outcome.
"""

from __future__ import annotations

import hashlib
import json
import os
import tempfile
import threading
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any

__all__ = ["FileIdempotencyStore", "IdempotencyConflictError", "fingerprint", "run_once"]


class IdempotencyConflictError(ValueError):
    """The request id was used before for a different request."""


def fingerprint(request: Mapping[str, Any]) -> str:
    body = json.dumps(dict(request), sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


class FileIdempotencyStore:
    """Results by request id in one JSON file, replaced atomically on every write."""

    def __init__(self, path: Path) -> None:
        self._path = Path(path)
        self._lock = threading.Lock()

    def _load(self) -> dict[str, dict[str, Any]]:
        if not self._path.exists():
            return {}
        return json.loads(self._path.read_text(encoding="utf-8"))

    def get(self, request_id: str) -> dict[str, Any] | None:
        with self._lock:
            return self._load().get(request_id)

    def put(self, request_id: str, entry: dict[str, Any]) -> None:
        with self._lock:
            data = self._load()
            data[request_id] = entry
            self._path.parent.mkdir(parents=True, exist_ok=True)
            fd, tmp = tempfile.mkstemp(dir=self._path.parent, prefix=".idem-")
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(data, handle, sort_keys=True)
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(tmp, self._path)


async def run_once(store: FileIdempotencyStore, request_id: str, request: Mapping[str, Any],
                   action: Callable[[], Awaitable[dict[str, Any]]]) -> dict[str, Any]:
    """The stored result of `request_id`, or run `action` and store its result."""
    digest = fingerprint(request)
    stored = store.get(request_id)
    if stored is not None:
        if stored["fingerprint"] != digest:
            raise IdempotencyConflictError(
                f"request id {request_id!r} was used for a different request")
        return dict(stored["result"])
    result = await action()
    store.put(request_id, {"fingerprint": digest, "result": result})
    return result
