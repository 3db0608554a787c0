"""`envalue bench ingest`: readings per second from CSV to validated, Merkle-hashed,
stored batches; the ledger transactions a year of 1-minute data would need; and
methodology calculations per second.

Stages timed separately (wall clock, `time.perf_counter`):
- ``validate_merkle``: `envalue.ingest.ingest` on each device's CSV (parse, convert,
  validate, counter deltas, period totals, Merkle roots) — in `workers` processes;
- ``store``: `IngestStore.add` of every result into a fresh SQLite file (one writer);
- ``merkle_only``: rebuilding every batch's Merkle root from its leaves.
Per-core figures divide by the cores actually used (min(workers, CPUs)).

Anchoring is not measured: there is no ledger on this machine. The projection counts the
anchor transactions the design needs — one per batch, i.e. per device and period, never
per reading — optionally with several batch headers per transaction.
"""

from __future__ import annotations

import os
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path
from typing import Any

from envalue.bench.base import BenchParam
from envalue.chaincode.domain.merkle import MerkleTree
from envalue.ingest.bench import synthetic_csv
from envalue.ingest.config import IngestConfig
from envalue.ingest.pipeline import IngestResult, ingest

__all__ = ["HELP", "PARAMS", "TARGET_PER_CORE", "calculation_inputs", "print_table", "run"]

HELP = "Ingest throughput (CSV → validated, Merkle-hashed, stored) and calculations/s."
TARGET_PER_CORE = 1_000_000  # readings/s per core through validation and Merkle hashing
MINUTES_PER_YEAR = 365 * 24 * 60
PERIODS_PER_YEAR = {"hour": 365 * 24, "day": 365, "month": 12}
NOTE = ("anchoring not measured: the Fabric network is not available; ledger transactions "
        "are projected (one anchor per device and period)")

PARAMS: tuple[BenchParam, ...] = (
    BenchParam("readings", int, 100_000, "Readings in total (split across devices)."),
    BenchParam("devices", int, 10, "Devices (one CSV upload each)."),
    BenchParam("workers", int, 1, "Processes for validation and hashing."),
    BenchParam("period", str, "day", "Batch period: hour, day or month."),
    BenchParam("calculations", int, 2000, "Methodology calculations to time."),
    BenchParam("project_devices", int, 1000, "Devices in the yearly projection."),
    BenchParam("batches_per_tx", int, 1, "Batch headers anchored per ledger transaction."),
    BenchParam("db", str, "", "Store URL (default: a temporary SQLite file)."),
)


def _ingest_one(args: tuple[bytes, str, str]) -> IngestResult:
    data, device, period = args
    return ingest(data, IngestConfig(device_id=device, period=period), source=device)


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


def run(readings: int = 100_000, devices: int = 10, workers: int = 1, period: str = "day",
        calculations: int = 2000, project_devices: int = 1000, batches_per_tx: int = 1,
        db: str = "") -> dict[str, Any]:
    """Measure and return the result object (see module docstring)."""
    if readings < devices or devices < 1 or workers < 1 or batches_per_tx < 1:
        raise ValueError("need readings ≥ devices ≥ 1, workers ≥ 1, batches_per_tx ≥ 1")
    if period not in PERIODS_PER_YEAR:
        raise ValueError(f"period must be one of {', '.join(PERIODS_PER_YEAR)}")
    cores = min(workers, os.cpu_count() or 1)
    per_device = [readings // devices + (1 if i < readings % devices else 0)
                  for i in range(devices)]
    began = time.perf_counter()
    jobs = [(synthetic_csv(n, f"bench-{i + 1:04d}"), f"bench-{i + 1:04d}", period)
            for i, n in enumerate(per_device)]
    t_generate = time.perf_counter() - began
    csv_bytes = sum(len(j[0]) for j in jobs)

    began = time.perf_counter()
    if workers == 1:
        results = [_ingest_one(j) for j in jobs]
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            results = list(pool.map(_ingest_one, jobs))
    t_validate = time.perf_counter() - began

    batches = [b for r in results for b in r.batches]
    began = time.perf_counter()
    for b in batches:
        MerkleTree(b.leaves).root  # noqa: B018 - the hashing is what is timed
    t_merkle = time.perf_counter() - began

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
    end_to_end = t_validate + t_store
    per_s = {"validate_merkle": _rate(accepted, t_validate),
             "merkle_only": _rate(accepted, t_merkle),
             "csv_to_stored": _rate(accepted, end_to_end)}
    per_core = {"validate_merkle": _rate(accepted, t_validate * cores),
                "merkle_only": _rate(accepted, t_merkle),  # always one process
                "csv_to_stored": _rate(accepted, t_validate * cores + t_store)}

    year_readings = project_devices * MINUTES_PER_YEAR
    year_batches = project_devices * PERIODS_PER_YEAR[period]
    year_tx = -(-year_batches // batches_per_tx)
    return {
        "bench": "ingest",
        "readings": accepted,
        "devices": devices,
        "csv_bytes": csv_bytes,
        "workers": workers,
        "cores_used": cores,
        "cpu_count": os.cpu_count(),
        "batches": len(batches),
        "readings_per_batch": round(accepted / len(batches), 1) if batches else 0,
        "seconds": {"generate_csv": round(t_generate, 4), "validate_merkle": round(t_validate, 4),
                    "merkle_only": round(t_merkle, 4), "store": round(t_store, 4)},
        "readings_per_s": per_s,
        "readings_per_s_per_core": per_core,
        "target_readings_per_s_per_core": TARGET_PER_CORE,
        "meets_target": per_core["validate_merkle"] >= TARGET_PER_CORE,
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
        "note": NOTE,
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
    for stage, label in (("validate_merkle", "CSV → validated + Merkle batches"),
                         ("merkle_only", "Merkle hashing only"),
                         ("csv_to_stored", "CSV → stored batches")):
        secs = (result["seconds"]["validate_merkle"] + result["seconds"]["store"]
                if stage == "csv_to_stored" else result["seconds"][stage])
        t.add_row(label, f"{secs:.3f}", f"{result['readings_per_s'][stage]:,.0f}",
                  f"{result['readings_per_s_per_core'][stage]:,.0f}")
    console.print(t)
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
