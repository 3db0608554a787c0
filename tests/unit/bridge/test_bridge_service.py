"""The bridge service's idempotency by request id and adapter interface."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from envalue.chaincode.domain.bridge.service.adapters import (
    FabricLedgerAdapter,
    LedgerAdapter,
)
from envalue.chaincode.domain.bridge.service.idempotency import (
    FileIdempotencyStore,
    IdempotencyConflictError,
    run_once,
)

pytestmark = pytest.mark.unit


def test_request_runs_once_and_survives_a_restart(tmp_path: Path):
    calls = []

    async def action() -> dict:
        calls.append(1)
        return {"pledge_id": "P-1", "status": "pledged"}

    path = tmp_path / "idem.json"
    request = {"op": "pledge", "lot_id": "LOT-1", "quantity_kg": 5}
    first = asyncio.run(run_once(FileIdempotencyStore(path), "req-1", request, action))
    again = asyncio.run(run_once(FileIdempotencyStore(path), "req-1", request, action))
    assert first == again and len(calls) == 1
    with pytest.raises(IdempotencyConflictError):
        asyncio.run(run_once(FileIdempotencyStore(path), "req-1",
                             {**request, "quantity_kg": 6}, action))


def test_fabric_adapter_satisfies_the_protocol():
    adapter = FabricLedgerAdapter("envalue", object(), endorsing_organizations=["PlatformMSP"])
    assert isinstance(adapter, LedgerAdapter)
