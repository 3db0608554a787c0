"""Submit and evaluate throughput of the envalue chaincode through the envalue SDK.

Runs against a running network (`envalue network up`): each level submits `count`
`probe:increment` transactions on distinct counters (so no MVCC conflict skews the
figure) with `concurrency` in flight, endorsed by Platform and Market, and records
throughput and p50/p95 latency from proposal to VALID commit; then times evaluates.
The comparison with a Go chaincode on the same network (the benchmark fixture in
network/bench/gocc) is added once the network can be built on this machine.
"""

from __future__ import annotations

import concurrent.futures
import statistics
import time
import uuid
from typing import Any

from envalue.bench.base import BenchParam
from envalue.network import processes
from envalue.network.connections import gateway_for
from envalue.network.settings import NetworkSettings
from envalue.network.topology import CHAINCODE_NAME, CHANNEL, PEER_ORGS

__all__ = ["HELP", "PARAMS", "print_table", "run"]

HELP = "Submit throughput and p50/p95 latency at several concurrency levels; evaluate rate."

PARAMS: tuple[BenchParam, ...] = (
    BenchParam("network", str, "", "network name (default: ENVALUE_NETWORK or 'envalue')"),
    BenchParam("levels", str, "1,10,50", "comma-separated numbers of submits in flight"),
    BenchParam("count", int, 300, "submits per concurrency level"),
    BenchParam("evaluates", int, 1000, "evaluate calls to time"),
)


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def _level(contract: Any, endorsers: list[str], in_flight: int, count: int) -> dict[str, Any]:
    run_id = uuid.uuid4().hex[:8]

    def one(i: int) -> tuple[float, bool]:
        start = time.perf_counter()
        status = contract.submit_async("increment", arguments=[f"bench-{run_id}-{i}"],
                                       endorsing_organizations=endorsers).get_status()
        return time.perf_counter() - start, status.successful

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=in_flight) as pool:
        outcomes = list(pool.map(one, range(count)))
    elapsed = time.perf_counter() - started
    latencies = [seconds for seconds, _ in outcomes]
    return {
        "in_flight": in_flight, "submits": count,
        "valid": sum(1 for _, ok in outcomes if ok),
        "tx_per_s": round(count / elapsed, 1),
        "p50_ms": round(1000 * statistics.median(latencies), 1),
        "p95_ms": round(1000 * _percentile(latencies, 0.95), 1),
    }


def run(network: str = "", levels: str = "1,10,50", count: int = 300,
        evaluates: int = 1000) -> dict[str, Any]:
    settings = NetworkSettings.resolve(name=network or None)
    platform, market = PEER_ORGS[0], PEER_ORGS[1]
    try:
        in_flight = [int(part) for part in levels.split(",") if part.strip()]
    except ValueError as err:
        raise ValueError(f"levels: {levels!r} is not a list of integers") from err
    if processes.running_pid(settings.layout, platform.peer_host(0)) is None:
        raise ValueError(f"network {settings.name!r} is not running: start it with "
                         "`envalue network up` (see `envalue network status`)")
    endorsers = [platform.msp_id, market.msp_id]
    with gateway_for(settings, platform, platform.users[0].name) as gateway:
        contract = gateway.get_network(CHANNEL).get_contract(CHAINCODE_NAME, "probe")
        rows = [_level(contract, endorsers, level, count) for level in in_flight]
        contract.submit("put", arguments=["bench-evaluate", "v"])
        started = time.perf_counter()
        for _ in range(evaluates):
            contract.evaluate_transaction("get", "bench-evaluate")
        evaluate_rate = evaluates / (time.perf_counter() - started)
    return {"network": settings.name, "chaincode": f"{CHAINCODE_NAME} (Python)",
            "client": "envalue.client (Python)", "endorsing_orgs": endorsers,
            "levels": rows, "evaluate_per_s": round(evaluate_rate, 1)}


def print_table(result: dict[str, Any], console: Any) -> None:
    from rich.table import Table

    table = Table(title=f"submit: {result['chaincode']} on {result['network']}")
    for column in ("in flight", "submits", "valid", "tx/s", "p50 ms", "p95 ms"):
        table.add_column(column, justify="right")
    for row in result["levels"]:
        table.add_row(*(str(row[k]) for k in ("in_flight", "submits", "valid", "tx_per_s",
                                               "p50_ms", "p95_ms")))
    console.print(table)
    console.print(f"evaluate: {result['evaluate_per_s']} calls/s")
