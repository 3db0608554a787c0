"""`verify_lineage` over a real lineage: all checks pass, and each kind of tampering —
an edited reading in the off-chain store, an edited trace, a forged signature, a changed
factor — fails the right check with a reason that names what was changed."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from verify_world import (
    DEVICE,
    Lineage,
    build_lineage,
    copy_store,
    drop_append_only,
    tamper_value,
)

from envalue.chaincode.domain.measurement.header import encode_header
from envalue.chaincode.domain.measurement.signature import sign_header
from envalue.ingest.store import IngestStore
from envalue.verify import LineageReport, TraceFormatError, verify_lineage
from envalue.verify.batches import header_of

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def lineage(tmp_path_factory: pytest.TempPathFactory) -> Lineage:
    return build_lineage(tmp_path_factory.mktemp("lineage"))


def by_name(report: LineageReport, name: str) -> list[Any]:
    return [c for c in report.checks if c.name == name]


def failed_names(report: LineageReport) -> set[str]:
    return {c.name for c in report.failures()}


def test_untampered_lineage_passes_every_check(lineage: Lineage) -> None:
    report = verify_lineage(lineage.trace, lineage.store)
    assert report.ok, [c.reason for c in report.failures()]
    assert report.lot_id == lineage.lot_id and report.calculation_id == lineage.calculation_id
    names = [c.name for c in report.checks]
    n = len(lineage.trace["batches"])
    assert n == 2
    for name in ("batch.signature", "batch.off_chain_record", "batch.merkle_root",
                 "batch.totals"):
        assert names.count(name) == n
    for name in ("calculation.batches", "calculation.methodology", "calculation.factors",
                 "calculation.inputs", "calculation.recompute", "lot.mint",
                 "ledger.transactions"):
        assert names.count(name) == 1
    assert all(c.status == "pass" for c in report.checks)
    [recompute] = by_name(report, "calculation.recompute")
    assert recompute.details["recomputed"] == lineage.trace["calculation"]["outputs"]
    assert report.to_dict()["summary"] == {"pass": len(names), "fail": 0, "skip": 0}


def test_edited_reading_value_is_detected_and_named(lineage: Lineage, tmp_path: Path) -> None:
    store = copy_store(lineage, tmp_path)
    batch = lineage.trace["batches"][1]
    rows = store.raw_readings_of(batch["batch_id"])
    victim = next(r for r in rows if r["quantity"] == "fuel" and r["leaf_index"] > 10)
    tamper_value(store, int(victim["id"]), "999.5")

    report = verify_lineage(lineage.trace, store)
    assert not report.ok
    assert failed_names(report) == {"batch.merkle_root", "batch.totals"}
    [tampered] = report.tampered
    assert (tampered.batch_id, tampered.change) == (batch["batch_id"], "altered")
    assert (tampered.device_id, tampered.timestamp, tampered.quantity) == (
        DEVICE, victim["ts"], "fuel")
    assert tampered.value == "999.5" and tampered.row_id == victim["id"]
    assert tampered.leaf_index == victim["leaf_index"]
    # the original value is proven from the anchored total and the committed leaf
    assert tampered.anchored_value == victim["value"]
    merkle = next(c for c in report.failures() if c.name == "batch.merkle_root")
    assert merkle.subject == f"batch:{batch['batch_id']}"
    for part in (DEVICE, victim["ts"], "fuel", "999.5", f"anchored value {victim['value']}"):
        assert part in merkle.reason
    totals = next(c for c in report.failures() if c.name == "batch.totals")
    assert "fuel: anchored" in totals.reason
    # the other batch and everything on the ledger side still verify
    assert all(c.status == "pass" for c in report.checks
               if c.subject == f"batch:{lineage.trace['batches'][0]['batch_id']}")
    assert by_name(report, "calculation.recompute")[0].status == "pass"


def test_equal_value_in_other_spelling_is_not_tampering(lineage: Lineage,
                                                        tmp_path: Path) -> None:
    store = copy_store(lineage, tmp_path)
    row = store.raw_readings_of(lineage.trace["batches"][0]["batch_id"])[3]
    tamper_value(store, int(row["id"]), str(row["value"]) + "000")
    assert verify_lineage(lineage.trace, store).ok


def test_edited_value_and_leaf_hash_is_detected_but_not_proven(lineage: Lineage,
                                                               tmp_path: Path) -> None:
    """An attacker who also rewrites the recorded leaf hash defeats naming, not detection."""
    from envalue.verify.leaves import load_batch

    store = copy_store(lineage, tmp_path)
    batch_id = lineage.trace["batches"][0]["batch_id"]
    row = store.raw_readings_of(batch_id)[5]
    tamper_value(store, int(row["id"]), "0.001")
    forged = next(r for r in load_batch(store, batch_id).readings if r.row_id == row["id"])
    assert forged.leaf_hash is not None
    with store.engine.begin() as conn:
        conn.exec_driver_sql(
            "UPDATE ingest_reading_leaves SET leaf_hash = ? WHERE batch_id = ? "
            "AND leaf_index = ?", (forged.leaf_hash.hex(), batch_id, row["leaf_index"]))
    report = verify_lineage(lineage.trace, store)
    merkle = next(c for c in report.failures() if c.name == "batch.merkle_root")
    assert "cannot be proven" in merkle.reason and "edited too" in merkle.reason
    assert report.tampered == []


def test_deleted_and_inserted_readings_are_named(lineage: Lineage, tmp_path: Path) -> None:
    store = copy_store(lineage, tmp_path)
    batch_id = lineage.trace["batches"][0]["batch_id"]
    rows = store.raw_readings_of(batch_id)
    drop_append_only(store)
    with store.engine.begin() as conn:
        conn.exec_driver_sql("DELETE FROM ingest_readings WHERE id = ?", (rows[7]["id"],))
        conn.exec_driver_sql(
            "INSERT INTO ingest_readings (batch_id, upload_id, leaf_index, ts, device_id, "
            "quantity, value, unit, kind, source_row) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (batch_id, rows[0]["upload_id"], 999, rows[0]["ts"], DEVICE, "steam", "5",
             "kg", "interval", 0))
    report = verify_lineage(lineage.trace, store)
    changes = {(t.change, t.leaf_index) for t in report.tampered}
    assert ("missing", rows[7]["leaf_index"]) in changes
    assert ("extra", 999) in changes


def test_unreadable_value_is_reported_not_crashed(lineage: Lineage, tmp_path: Path) -> None:
    store = copy_store(lineage, tmp_path)
    row = store.raw_readings_of(lineage.trace["batches"][0]["batch_id"])[2]
    tamper_value(store, int(row["id"]), "lots")
    report = verify_lineage(lineage.trace, store)
    [t] = report.tampered
    assert t.value == "lots" and t.row_id == row["id"]


def test_total_edited_in_the_trace_fails(lineage: Lineage) -> None:
    trace = lineage.trace_copy()
    line = next(t for t in trace["batches"][0]["totals"] if t["quantity"] == "fuel")
    line["value"] = str(int(float(line["value"])) + 100)
    report = verify_lineage(trace, lineage.store)
    assert {"batch.signature", "batch.totals", "calculation.inputs"} <= failed_names(report)
    sig = next(c for c in report.failures() if c.name == "batch.signature")
    assert "not what was anchored" in sig.reason and "content id" in sig.reason
    assert report.tampered == []  # the readings are intact


def test_forged_signature_fails(lineage: Lineage) -> None:
    trace = lineage.trace_copy()
    batch = trace["batches"][1]
    intruder = ec.generate_private_key(ec.SECP256R1())
    batch["signature"] = sign_header(intruder, encode_header(header_of(batch)))
    report = verify_lineage(trace, lineage.store)
    assert failed_names(report) == {"batch.signature"}
    [sig] = report.failures()
    assert "does not verify against the registered key" in sig.reason
    assert DEVICE in sig.reason


def test_changed_factor_value_is_a_recomputation_mismatch(lineage: Lineage) -> None:
    trace = lineage.trace_copy()
    roles = [e["role"] for e in trace["calculation"]["factors"]]
    trace["factors"][roles.index("project_fuel")]["values"]["hv"] = "40.1"
    report = verify_lineage(trace, lineage.store)
    assert {"calculation.factors", "calculation.inputs"} <= failed_names(report)
    inputs = next(c for c in report.failures() if c.name == "calculation.inputs")
    assert "hv_pj: recorded '38.9', rebuilt '40.1'" in inputs.reason


def test_factor_value_changed_in_the_calculation_fails_the_recalculation(
        lineage: Lineage) -> None:
    trace = lineage.trace_copy()
    trace["calculation"]["inputs"]["hv_pj"] = "40.1"
    report = verify_lineage(trace, lineage.store)
    assert {"calculation.inputs", "calculation.recompute"} <= failed_names(report)
    recompute = next(c for c in report.failures() if c.name == "calculation.recompute")
    assert "project_kg: recorded" in recompute.reason


def test_inflated_outputs_and_mint_fail(lineage: Lineage) -> None:
    trace = lineage.trace_copy()
    trace["calculation"]["outputs"]["reduction_kg"] += 1000
    report = verify_lineage(trace, lineage.store, token_supply={"lots": [
        {"lot_id": lineage.lot_id, "issued": trace["mint"]["quantity_kg"]}]})
    assert {"calculation.recompute", "lot.mint"} <= failed_names(report)
    mint = next(c for c in report.failures() if c.name == "lot.mint")
    assert "minted" in mint.reason and "issued" in mint.reason


def test_token_supply_matching_the_reduction_passes(lineage: Lineage) -> None:
    reduction = lineage.trace["calculation"]["outputs"]["reduction_kg"]
    report = verify_lineage(lineage.trace, lineage.store, token_supply={
        "balanced": True, "lots": [{"lot_id": lineage.lot_id, "issued": reduction}]})
    assert report.ok


def test_formula_hash_mismatch_fails(lineage: Lineage) -> None:
    trace = lineage.trace_copy()
    trace["methodology"]["formula"] += " "
    report = verify_lineage(trace, lineage.store)
    assert failed_names(report) == {"calculation.methodology"}


def test_wrong_store_fails_off_chain_checks(lineage: Lineage, tmp_path: Path) -> None:
    report = verify_lineage(lineage.trace, IngestStore(f"sqlite:///{tmp_path / 'e.db'}"))
    assert {"batch.off_chain_record", "batch.merkle_root", "batch.totals"} == \
        failed_names(report)


def test_not_a_trace_is_a_format_error(lineage: Lineage) -> None:
    with pytest.raises(TraceFormatError):
        verify_lineage({"calculation": {}}, lineage.store)
    with pytest.raises(TraceFormatError):
        verify_lineage([], lineage.store)  # type: ignore[arg-type]


def test_malformed_record_fails_its_check_only(lineage: Lineage) -> None:
    trace = lineage.trace_copy()
    trace["batches"][0]["merkle_root"] = "zz"
    report = verify_lineage(trace, lineage.store)
    assert "batch.merkle_root" in failed_names(report)


def test_cumulative_counters_recompute_across_batches(tmp_path: Path) -> None:
    lineage = build_lineage(tmp_path, kind="cumulative")
    assert any(r["kind"] == "cumulative" for r in lineage.store.raw_readings_of(
        lineage.trace["batches"][1]["batch_id"]))
    report = verify_lineage(lineage.trace, lineage.store)
    assert report.ok, [c.reason for c in report.failures()]
    assert all(c.status == "pass" for c in by_name(report, "batch.totals"))
