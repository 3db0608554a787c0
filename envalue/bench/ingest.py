"""`envalue bench ingest`: readings per second from CSV to validated, Merkle-hashed,
stored batches; the ledger transactions a year of 1-minute data would need; and
methodology calculations per second.

Stages timed separately (wall clock, `time.perf_counter`; CPU, `time.process_time`):
- ``validate_merkle``: `envalue.ingest.ingest` on each device's CSV — parse, type,
  validate, counter deltas, period totals, canonical leaves, leaf and node hashing, batch
  ids — in `workers` processes. This is the issue's "through validation and Merkle
  hashing" figure. With the fast engine it is split further into ``stages``: ``parse``,
  ``validate``, ``merkle``, ``batches`` (measured inside the engine);
- ``materialise``: building the `Reading` objects and bare leaf bytes the fast engine
  leaves lazy (the store needs them; the ledger commitments do not);
- ``store``: `IngestStore.add` of every result into a fresh SQLite file (one writer);
- ``merkle_only``: leaf hashing and every batch's tree again, from the leaves, with the
  batch API of the fast engine (`merkle_reference`: the proof-keeping `MerkleTree`),
  both with the cyclic GC paused as the engine does.
Per-core figures: ``readings_per_s_per_core`` divides by wall time × cores used
(min(workers, CPUs)); ``readings_per_s_per_cpu_second`` divides by the CPU seconds the
processes actually used (the stricter figure when the machine is shared).
``reference`` times the reference engine on a sample, for comparison.

Anchoring is not measured: there is no ledger on this machine. The projection counts the
anchor transactions the design needs — one per batch, i.e. per device and period, never
per reading — optionally with several batch headers per transaction.
"""

from __future__ import annotations

import gc
import hashlib
import os
import tempfile
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from envalue.bench.base import BenchParam
from envalue.chaincode.domain.merkle import MerkleTree
from envalue.ingest.bench import synthetic_csv
from envalue.ingest.config import IngestConfig
from envalue.ingest.fast import fast_ingest
from envalue.ingest.fast.tree import hash_prefixed_leaves, segment_roots
from envalue.ingest.pipeline import IngestResult, ingest

__all__ = ["HELP", "PARAMS", "TARGET_PER_CORE", "calculation_inputs", "print_table", "run"]

HELP = "Ingest throughput (CSV → validated, Merkle-hashed, stored) and calculations/s."
TARGET_PER_CORE = 1_000_000  # readings/s per core through validation and Merkle hashing
MINUTES_PER_YEAR = 365 * 24 * 60
PERIODS_PER_YEAR = {"hour": 365 * 24, "day": 365, "month": 12}
NOTE = ("anchoring not measured: the Fabric network is not available; ledger transactions "
        "are projected (one anchor per device and period)")

PARALLEL_NOTE = ("with workers > 1 the validate_merkle wall time includes pickling every "
                 "result (Reading objects, leaves) back to the parent; the in-engine "
                 "figure is readings_per_s_per_cpu_second")

PARAMS: tuple[BenchParam, ...] = (
    BenchParam("engine", str, "fast", "Ingest engine: fast or reference."),
    BenchParam("reference_readings", int, 20_000,
               "Readings to time the reference engine on (0: skip)."),
    BenchParam("readings", int, 100_000, "Readings in total (split across devices)."),
    BenchParam("devices", int, 10, "Devices (one CSV upload each)."),
    BenchParam("workers", int, 1, "Processes for validation and hashing."),
    BenchParam("period", str, "day", "Batch period: hour, day or month."),
    BenchParam("calculations", int, 2000, "Methodology calculations to time."),
    BenchParam("project_devices", int, 1000, "Devices in the yearly projection."),
    BenchParam("batches_per_tx", int, 1, "Batch headers anchored per ledger transaction."),
    BenchParam("db", str, "", "Store URL (default: a temporary SQLite file)."),
)


def _ingest_one(args: tuple[bytes, str, str, bool]) -> tuple[IngestResult, dict[str, float]]:
    """One device's upload through the chosen engine: (result, stage and CPU seconds)."""
    data, device, period, fast = args
    config = IngestConfig(device_id=device, period=period)
    cpu = time.process_time()
    timings: dict[str, float] = {}
    result = None
    if fast:
        result = fast_ingest(data, config, source=device,
                             upload_hash=hashlib.sha256(data).hexdigest(), timings=timings)
    if result is None:
        result = ingest(data, config, source=device, fast=False)
    timings["cpu"] = time.process_time() - cpu
    return result, timings


@contextmanager
def _gc_paused() -> Iterator[None]:
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was:
            gc.enable()


def _materialise(results: list[IngestResult]) -> int:
    """Touch what the fast engine builds lazily (the store reads all of it)."""
    n = 0
    for r in results:
        n += len(list(r.readings))
        for b in r.batches:
            n += len(list(b.readings)) + len(list(b.leaves))
    return n


def calculation_inputs() -> dict[str, dict[str, Any]]:
    """Inputs of each built-in methodology from one simulated day of the case studies."""
    from envalue.edge.boiler import FUELS, simulate_boiler
    from envalue.edge.ena import EnaConfig, simulate_ena

    ena = simulate_ena(EnaConfig(days=1))
    pvb = ena.pv_battery_inputs()
    _, new = simulate_boiler()
    _, _, hv = FUELS[str(new.meta["fuel"])]
    cef = "0.0193*44/12"  # A heavy oil, t-CO2/GJ (domain.md table)
    return {
        "pv-battery": pvb,
        "pv-self-consumption": {k: pvb[k] for k in ("pv_generation_kwh", "pv_export_kwh",
                                                     "aux_grid_kwh", "ef_grid")},
        "boiler-replacement": {"fuel_pj": str(new.total("fuel")), "hv_pj": str(hv),
                               "cef_pj": cef, "eff_pj": "0.92", "eff_bl": "0.80",
                               "cef_bl": cef, "heat_gj": str(new.total("heat"))},
        "inventory": {"fuels": [{"fuel": "a-heavy-oil", "amount": str(new.total("fuel") / 1000),
                                 "hv": "38.9", "cef": cef}],
                      "electricity_kwh": pvb["aux_grid_kwh"], "ef_grid": pvb["ef_grid"]},
    }


def _calc_bench(n: int) -> dict[str, Any]:
    from envalue.chaincode.domain.methodologies import calculate

    inputs = calculation_inputs()
    names = sorted(inputs)
    by: dict[str, float] = {}
    total_time = 0.0
    per = max(1, n // len(names))
    for name in names:
        began = time.perf_counter()
        for _ in range(per):
            calculate(name, inputs[name])
        spent = time.perf_counter() - began
        total_time += spent
        by[name] = round(per / spent, 1) if spent > 0 else float("inf")
    done = per * len(names)
    return {"calculations": done, "seconds": round(total_time, 4),
            "per_s": round(done / total_time, 1) if total_time > 0 else float("inf"),
            "by_methodology_per_s": by}


def _rate(n: int, seconds: float) -> float:
    return round(n / seconds, 1) if seconds > 0 else float("inf")


def _reference_sample(n: int, period: str) -> dict[str, Any] | None:
    if n <= 0:
        return None
    data = synthetic_csv(n, "bench-ref")
    began, cpu = time.perf_counter(), time.process_time()
    result = ingest(data, IngestConfig(device_id="bench-ref", period=period), source="ref",
                    fast=False)
    wall, cpu = time.perf_counter() - began, time.process_time() - cpu
    accepted = result.quality.accepted
    return {"engine": "reference", "readings": accepted, "seconds": round(wall, 4),
            "readings_per_s": _rate(accepted, wall),
            "readings_per_cpu_second": _rate(accepted, cpu)}


def run(readings: int = 100_000, devices: int = 10, workers: int = 1, period: str = "day",
        calculations: int = 2000, project_devices: int = 1000, batches_per_tx: int = 1,
        db: str = "", engine: str = "fast", reference_readings: int = 20_000
        ) -> dict[str, Any]:
    """Measure and return the result object (see module docstring)."""
    if readings < devices or devices < 1 or workers < 1 or batches_per_tx < 1:
        raise ValueError("need readings ≥ devices ≥ 1, workers ≥ 1, batches_per_tx ≥ 1")
    if period not in PERIODS_PER_YEAR:
        raise ValueError(f"period must be one of {', '.join(PERIODS_PER_YEAR)}")
    if engine not in ("fast", "reference"):
        raise ValueError("engine must be fast or reference")
    fast = engine == "fast"
    cores = min(workers, os.cpu_count() or 1)
    per_device = [readings // devices + (1 if i < readings % devices else 0)
                  for i in range(devices)]
    began = time.perf_counter()
    jobs = [(synthetic_csv(n, f"bench-{i + 1:04d}"), f"bench-{i + 1:04d}", period, fast)
            for i, n in enumerate(per_device)]
    t_generate = time.perf_counter() - began
    csv_bytes = sum(len(j[0]) for j in jobs)

    began = time.perf_counter()
    if workers == 1:
        outcomes = [_ingest_one(j) for j in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            outcomes = list(pool.map(_ingest_one, jobs))
    t_validate = time.perf_counter() - began
    results = [r for r, _ in outcomes]
    stage_s: dict[str, float] = {}
    for _, timings in outcomes:
        for k, v in timings.items():
            stage_s[k] = stage_s.get(k, 0.0) + v
    cpu_validate = stage_s.pop("cpu", 0.0)

    began = time.perf_counter()
    _materialise(results)
    t_materialise = time.perf_counter() - began

    batches = [b for r in results for b in r.batches]
    prefixed = [b"\x00" + leaf for b in batches for leaf in b.leaves]
    counts = [b.count for b in batches]
    with _gc_paused():  # time the hashing, not collections over the objects built above
        began = time.perf_counter()
        segment_roots(hash_prefixed_leaves(prefixed), counts)
        t_merkle = time.perf_counter() - began
        began = time.perf_counter()
        for b in batches:
            MerkleTree(b.leaves).root  # noqa: B018 - the hashing is what is timed
        t_merkle_ref = time.perf_counter() - began
    del prefixed

    from envalue.ingest.store import IngestStore

    with tempfile.TemporaryDirectory(prefix="envalue-bench-") as tmp:
        url = db or f"sqlite:///{Path(tmp) / 'bench.db'}"
        store = IngestStore(url)
        began = time.perf_counter()
        for r in results:
            store.add(r)
        t_store = time.perf_counter() - began
        store.engine.dispose()

    accepted = sum(r.quality.accepted for r in results)
    end_to_end = t_validate + t_materialise + t_store
    per_s = {"validate_merkle": _rate(accepted, t_validate),
             "merkle_only": _rate(accepted, t_merkle),
             "csv_to_stored": _rate(accepted, end_to_end)}
    per_core = {"validate_merkle": _rate(accepted, t_validate * cores),
                "merkle_only": _rate(accepted, t_merkle),  # always one process
                "csv_to_stored": _rate(accepted, t_validate * cores + t_materialise
                                       + t_store)}
    per_cpu = {"validate_merkle": _rate(accepted, cpu_validate)}
    stages = {name: {"seconds": round(secs, 4), "readings_per_s": _rate(accepted, secs)}
              for name, secs in stage_s.items()}
    for name, secs in (("materialise", t_materialise), ("store", t_store)):
        stages[name] = {"seconds": round(secs, 4), "readings_per_s": _rate(accepted, secs)}

    year_readings = project_devices * MINUTES_PER_YEAR
    year_batches = project_devices * PERIODS_PER_YEAR[period]
    year_tx = -(-year_batches // batches_per_tx)
    return {
        "bench": "ingest",
        "engine": engine,
        "readings": accepted,
        "devices": devices,
        "csv_bytes": csv_bytes,
        "workers": workers,
        "cores_used": cores,
        "cpu_count": os.cpu_count(),
        "batches": len(batches),
        "readings_per_batch": round(accepted / len(batches), 1) if batches else 0,
        "seconds": {"generate_csv": round(t_generate, 4), "validate_merkle": round(t_validate, 4),
                    "materialise": round(t_materialise, 4),
                    "merkle_only": round(t_merkle, 4),
                    "merkle_reference": round(t_merkle_ref, 4), "store": round(t_store, 4),
                    "cpu_validate_merkle": round(cpu_validate, 4)},
        "stages": stages,
        "readings_per_s": per_s,
        "readings_per_s_per_core": per_core,
        "readings_per_s_per_cpu_second": per_cpu,
        "merkle_reference_per_s": _rate(accepted, t_merkle_ref),
        "target_readings_per_s_per_core": TARGET_PER_CORE,
        "target_measures": "validate_merkle: CSV bytes → validated readings, totals, "
                           "Merkle roots and batch ids (no store)",
        "meets_target": per_core["validate_merkle"] >= TARGET_PER_CORE,
        "reference": _reference_sample(reference_readings, period),
        "projection": {
            "devices": project_devices,
            "interval_minutes": 1,
            "days": 365,
            "period": period,
            "readings": year_readings,
            "batches": year_batches,
            "batches_per_tx": batches_per_tx,
            "ledger_transactions": year_tx,
            "transactions_per_device": -(-PERIODS_PER_YEAR[period] // batches_per_tx),
            "readings_per_transaction": round(year_readings / year_tx, 1),
            "core_hours_at_measured_rate": round(
                year_readings / per_core["csv_to_stored"] / 3600, 2)
            if per_core["csv_to_stored"] else None,
        },
        "calculation": _calc_bench(calculations),
        "anchored": False,
        "note": NOTE if workers == 1 else NOTE + "; " + PARALLEL_NOTE,
    }


def print_table(result: dict[str, Any], console: Any) -> None:
    """Rich tables of `result`."""
    from rich.table import Table

    t = Table(title=f"ingest: {result['readings']:,} readings, {result['devices']} devices, "
                    f"{result['cores_used']} core(s)")
    t.add_column("stage")
    t.add_column("seconds", justify="right")
    t.add_column("readings/s", justify="right")
    t.add_column("per core", justify="right")
    sec = result["seconds"]
    for stage, label in (("validate_merkle", "CSV → validated + Merkle batches"),
                         ("merkle_only", "Merkle hashing only"),
                         ("csv_to_stored", "CSV → stored batches")):
        secs = (sec["validate_merkle"] + sec["materialise"] + sec["store"]
                if stage == "csv_to_stored" else sec[stage])
        t.add_row(label, f"{secs:.3f}", f"{result['readings_per_s'][stage]:,.0f}",
                  f"{result['readings_per_s_per_core'][stage]:,.0f}")
    console.print(t)
    st = Table(title=f"stages ({result['engine']} engine; seconds summed over devices)")
    st.add_column("stage")
    st.add_column("seconds", justify="right")
    st.add_column("readings/s", justify="right")
    for name, v in result["stages"].items():
        st.add_row(name, f"{v['seconds']:.3f}", f"{v['readings_per_s']:,.0f}")
    console.print(st)
    console.print(f"validation + Merkle per CPU second: "
                  f"{result['readings_per_s_per_cpu_second']['validate_merkle']:,.0f}")
    ref = result.get("reference")
    if ref:
        console.print(f"reference engine on {ref['readings']:,} readings: "
                      f"{ref['readings_per_s']:,.0f} readings/s")
    verdict = "meets" if result["meets_target"] else "below"
    console.print(f"target {result['target_readings_per_s_per_core']:,} readings/s per core "
                  f"through validation and Merkle hashing: {verdict}")
    console.print(f"{result['batches']:,} batches for {result['readings']:,} readings "
                  f"({result['readings_per_batch']:,} readings per batch)")
    p = result["projection"]
    console.print(f"a year of 1-minute data for {p['devices']:,} devices: "
                  f"{p['readings']:,} readings → {p['batches']:,} batches "
                  f"(per {p['period']}) → {p['ledger_transactions']:,} ledger transactions "
                  f"({p['readings_per_transaction']:,} readings each); "
                  f"{p['core_hours_at_measured_rate']} core-hours to ingest")
    c = result["calculation"]
    ct = Table(title=f"calculations: {c['per_s']:,.0f}/s over {c['calculations']:,}")
    ct.add_column("methodology")
    ct.add_column("calculations/s", justify="right")
    for name, rate in c["by_methodology_per_s"].items():
        ct.add_row(name, f"{rate:,.0f}")
    console.print(ct)
    console.print(f"note: {result['note']}")
