"""`envalue bench ingest` runs on tiny sizes and reports its keys (no timing asserts)."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from envalue.bench import BENCHES
from envalue.bench import ingest as bench_ingest

pytestmark = pytest.mark.unit

KEYS = {"bench", "readings", "devices", "workers", "cores_used", "batches",
        "readings_per_batch", "seconds", "readings_per_s", "readings_per_s_per_core",
        "target_readings_per_s_per_core", "meets_target", "projection", "calculation",
        "anchored", "note"}


def test_run_tiny() -> None:
    result = bench_ingest.run(readings=200, devices=2, calculations=8)
    assert set(result) >= KEYS
    assert result["readings"] == 200
    assert result["batches"] >= 2
    assert set(result["readings_per_s"]) == {"validate_merkle", "merkle_only", "csv_to_stored"}
    p = result["projection"]
    assert p["readings"] == 1000 * 525_600
    assert p["ledger_transactions"] == 1000 * 365  # devices × periods, not readings
    assert set(result["calculation"]["by_methodology_per_s"]) == {
        "boiler-replacement", "inventory", "pv-battery", "pv-self-consumption"}
    assert result["anchored"] is False


def test_projection_scales_with_devices_and_periods_only() -> None:
    a = bench_ingest.run(readings=20, devices=1, calculations=4, project_devices=10,
                         period="month", batches_per_tx=4)
    assert a["projection"]["ledger_transactions"] == 10 * 12 // 4


def test_two_workers() -> None:
    result = bench_ingest.run(readings=100, devices=2, workers=2, calculations=4)
    assert result["workers"] == 2 and result["readings"] == 100


@pytest.mark.parametrize("args", [{"readings": 1, "devices": 2}, {"period": "week"}])
def test_bad_sizes_are_refused(args: dict) -> None:
    with pytest.raises(ValueError):
        bench_ingest.run(**args)


def test_cli_json_and_table() -> None:
    from envalue.cli.bench import command

    assert "ingest" in BENCHES
    runner = CliRunner()
    out = runner.invoke(command, ["ingest", "--readings", "100", "--devices", "2",
                                  "--calculations", "4", "--json"])
    assert out.exit_code == 0, out.output
    assert set(json.loads(out.output)) >= KEYS
    out = runner.invoke(command, ["ingest", "--readings", "100", "--devices", "2",
                                  "--calculations", "4"])
    assert out.exit_code == 0, out.output
    assert "readings/s" in out.output and "ledger transactions" in out.output
    out = runner.invoke(command, ["ingest", "--readings", "1", "--devices", "2"])
    assert out.exit_code == 2
