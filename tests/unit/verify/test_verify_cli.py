"""`envalue verify` on the command line: offline audits from a trace file, exit codes,
and the clear "ledger unavailable" error when there is no network."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner
from verify_world import DEVICE, Lineage, build_lineage, copy_store, tamper_value

from envalue.cli import main

pytestmark = pytest.mark.unit


@pytest.fixture(scope="module")
def lineage(tmp_path_factory: pytest.TempPathFactory) -> Lineage:
    return build_lineage(tmp_path_factory.mktemp("cli"), days=1)


@pytest.fixture
def trace_file(lineage: Lineage, tmp_path: Path) -> Path:
    path = tmp_path / "trace.json"
    path.write_text(json.dumps(lineage.trace))
    return path


@pytest.fixture(autouse=True)
def no_network(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Point the network settings at an empty home: there is no ledger here."""
    monkeypatch.setenv("ENVALUE_NETWORK_HOME", str(tmp_path / "no-network"))


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, ["verify", *args])
    return result.exit_code, result.stdout, result.stderr


def test_intact_lineage_exits_0_with_json(lineage: Lineage, trace_file: Path) -> None:
    code, out, _ = run(lineage.lot_id, "--trace", str(trace_file), "--db", lineage.db_url,
                       "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["ok"] is True and doc["lot_id"] == lineage.lot_id
    assert doc["summary"]["fail"] == 0 and len(doc["checks"]) == 11
    assert "not fetched from the ledger" in doc["trace_source"]


def test_table_output(lineage: Lineage, trace_file: Path) -> None:
    code, out, _ = run(lineage.lot_id, "--trace", str(trace_file), "--db", lineage.db_url)
    assert code == 0 and "verified" in out and "batch.merkle_root" in out


def test_tampered_reading_exits_1_and_names_it(lineage: Lineage, trace_file: Path,
                                               tmp_path: Path) -> None:
    store = copy_store(lineage, tmp_path)
    batch_id = lineage.trace["batches"][0]["batch_id"]
    row = store.raw_readings_of(batch_id)[20]
    tamper_value(store, int(row["id"]), "77")
    url = str(store.engine.url)
    code, out, err = run(lineage.lot_id, "--trace", str(trace_file), "--db", url, "--json")
    assert code == 1
    doc = json.loads(out)
    [t] = doc["tampered_readings"]
    assert (t["device_id"], t["timestamp"], t["quantity"], t["value"]) == (
        DEVICE, row["ts"], row["quantity"], "77")
    code, out, err = run(lineage.lot_id, "--trace", str(trace_file), "--db", url)
    assert code == 1
    assert "failed: batch.merkle_root" in err and str(row["ts"]) in err


def test_ledger_unavailable_is_a_clear_error(lineage: Lineage) -> None:
    code, out, err = run(lineage.lot_id, "--db", lineage.db_url)
    assert code == 69 and out == ""
    assert "ledger unavailable" in err and "--trace FILE" in err
    code, _, err = run("reading", "--batch", lineage.trace["batches"][0]["batch_id"],
                       "--index", "0", "--db", lineage.db_url)
    assert code == 69 and "ledger unavailable" in err


def test_usage_errors_exit_2(lineage: Lineage, trace_file: Path, tmp_path: Path) -> None:
    assert run()[0] in (0, 2)
    code, _, err = run("lot-other", "--trace", str(trace_file), "--db", lineage.db_url)
    assert code == 2 and "not of token lot" in err
    bad = tmp_path / "bad.json"
    bad.write_text("{")
    assert run(lineage.lot_id, "--trace", str(bad))[0] == 2
    assert run(lineage.lot_id, "--trace", str(tmp_path / "missing.json"))[0] == 2
    assert run("reading", "--batch", "x", "--db", lineage.db_url)[0] == 2
    not_trace = tmp_path / "nt.json"
    not_trace.write_text(json.dumps({"lot": {"lot_id": lineage.lot_id}}))
    code, _, err = run(lineage.lot_id, "--trace", str(not_trace), "--db", lineage.db_url)
    assert code == 2 and "not a trace document" in err


def test_bundle_with_token_supply(lineage: Lineage, tmp_path: Path) -> None:
    bundle = tmp_path / "bundle.json"
    bundle.write_text(json.dumps({"trace": lineage.trace, "token_supply": {"lots": [
        {"lot_id": lineage.lot_id, "issued": 1}]}}))
    code, out, _ = run(lineage.lot_id, "--trace", str(bundle), "--db", lineage.db_url,
                       "--json")
    assert code == 1
    [mint] = [c for c in json.loads(out)["checks"] if c["check"] == "lot.mint"]
    assert mint["status"] == "fail" and "issued 1 kg" in mint["reason"]


def test_reading_proof_from_trace_file(lineage: Lineage, trace_file: Path,
                                       tmp_path: Path) -> None:
    batch = lineage.trace["batches"][0]
    code, out, _ = run("reading", "--batch", batch["batch_id"], "--index", "5",
                       "--trace", str(trace_file), "--db", lineage.db_url, "--json")
    assert code == 0
    doc = json.loads(out)
    assert doc["verified"] is True and doc["anchored_root"] == batch["merkle_root"]
    assert doc["leaf_index"] == 5 and doc["steps"]
    row = lineage.store.raw_readings_of(batch["batch_id"])[5]
    code, out, _ = run("reading", "--batch", batch["batch_id"], "--timestamp", str(row["ts"]),
                       "--quantity", str(row["quantity"]), "--trace", str(trace_file),
                       "--db", lineage.db_url)
    assert code == 0 and "included" in out
    store = copy_store(lineage, tmp_path)
    tamper_value(store, int(row["id"]), "1")
    code, out, _ = run("reading", "--batch", batch["batch_id"], "--index", str(row[
        "leaf_index"]), "--trace", str(trace_file), "--db", str(store.engine.url))
    assert code == 1 and "NOT included" in out
