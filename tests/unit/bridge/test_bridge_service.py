"""The bridge service's idempotency by request id, and its adapter interface."""

from __future__ import annotations

import pytest

from envalue.bridge.adapters import FabricLedgerAdapter, LedgerAdapter
from envalue.bridge.idempotency import (
    IdempotencyConflictError,
    RequestInProgressError,
    fingerprint,
    run_once,
)
from envalue.bridge.store import BridgeStore, StoredResponse

pytestmark = pytest.mark.unit

REQUEST = {"op": "pledge", "lot_id": "LOT-1", "quantity_kg": 5}


def test_request_runs_once_and_survives_a_restart(store_url: str):
    calls = []

    def action() -> StoredResponse:
        calls.append(1)
        return StoredResponse(201, '{"pledge_id": "P-1", "state": "claimed"}')

    url = store_url
    first, replayed = run_once(BridgeStore.from_url(url), "alice", "req-1", REQUEST, action)
    again, replayed_again = run_once(BridgeStore.from_url(url), "alice", "req-1", REQUEST,
                                     action)
    assert (first, replayed) == (again, False) and replayed_again
    assert len(calls) == 1
    with pytest.raises(IdempotencyConflictError) as err:
        run_once(BridgeStore.from_url(url), "alice", "req-1", {**REQUEST, "quantity_kg": 6},
                 action)
    assert (err.value.field, err.value.value, err.value.rule) == (
        "request_id", "req-1", "idempotency-key-reuse")
    # ids are per caller: another caller's "req-1" is a request of its own
    _, other = run_once(BridgeStore.from_url(url), "bob", "req-1", REQUEST, action)
    assert not other and len(calls) == 2


def test_transient_answers_and_failures_are_not_kept(store_url: str):
    store = BridgeStore.from_url(store_url)
    answers = iter([StoredResponse(503, "{}"), StoredResponse(201, "{}")])
    assert run_once(store, "a", "r", REQUEST, lambda: next(answers))[0].status == 503
    assert run_once(store, "a", "r", REQUEST, lambda: next(answers))[0].status == 201

    def boom() -> StoredResponse:
        raise RuntimeError("crashed")

    with pytest.raises(RuntimeError):
        run_once(store, "a", "r2", REQUEST, boom)
    assert run_once(store, "a", "r2", REQUEST, lambda: StoredResponse(200, "{}"))[0].status \
        == 200


def test_a_running_request_blocks_its_repeat_until_the_lease_ends(store_url: str):
    store = BridgeStore.from_url(store_url)
    # a worker starts on the request ...
    assert store.begin_request("a", "r", fingerprint(REQUEST), lease_seconds=60) is None
    with pytest.raises(RequestInProgressError) as err:
        run_once(store, "a", "r", REQUEST, lambda: StoredResponse(200, "{}"),
                 lease_seconds=60)
    assert err.value.rule == "request-in-progress"
    # ... and dies: after its lease another worker takes the same request over
    with pytest.raises(IdempotencyConflictError):
        run_once(store, "a", "r", {**REQUEST, "quantity_kg": 7},
                 lambda: StoredResponse(200, "{}"), lease_seconds=-1)
    answer, replayed = run_once(store, "a", "r", REQUEST, lambda: StoredResponse(201, "{}"),
                                lease_seconds=-1)
    assert answer.status == 201 and not replayed


def test_fabric_adapter_satisfies_the_protocol():
    adapter = FabricLedgerAdapter("envalue", object(), endorsing_organizations=["PlatformMSP"])
    assert isinstance(adapter, LedgerAdapter)


class _RaisingContract:
    """An SDK contract whose calls fail the way the Gateway reports failures."""

    def __init__(self, error: Exception) -> None:
        self.error = error

    def submit(self, name: str, *, arguments: list[str]) -> bytes:
        raise self.error

    def evaluate(self, name: str, *, arguments: list[str]) -> bytes:
        raise self.error


def test_fabric_adapter_reports_sdk_errors_as_ledger_outcomes():
    import asyncio

    import grpc

    from envalue.client import EndorseError, ErrorDetail, GatewayError
    from envalue.ledger.errors import LedgerRejection, LedgerUnavailableError

    down = FabricLedgerAdapter("envalue", _RaisingContract(GatewayError(
        "connection refused", code=grpc.StatusCode.UNAVAILABLE)),
        endorsing_organizations=["PlatformMSP"])
    with pytest.raises(LedgerUnavailableError) as err:
        asyncio.run(down.submit("pledge", {"pledge_id": "P-1"}))
    assert "connection refused" in err.value.reason

    refused = FabricLedgerAdapter("envalue", _RaisingContract(EndorseError(
        "failed to endorse", transaction_id="tx1", code=grpc.StatusCode.ABORTED,
        details=(ErrorDetail("peer0:7051", "PlatformMSP",
                             "chaincode response 500, quantity_kg: 0 must be greater than 0"),
                 ))), endorsing_organizations=["PlatformMSP"])
    with pytest.raises(LedgerRejection) as rejected:
        asyncio.run(refused.evaluate("get_pledge", "P-1"))
    assert rejected.value.field == "quantity_kg"
