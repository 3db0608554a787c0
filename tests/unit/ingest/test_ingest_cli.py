"""`envalue ingest`: dry-run JSON contract, storage output, errors without traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from ingest_helpers import long_csv

from envalue.cli.ingest import command

pytestmark = pytest.mark.unit

DATA = long_csv(
    "2024-04-01T00:30:00+09:00,boiler-1,electricity,1500,Wh,interval",
    "2024-04-01T00:30:00+09:00,boiler-1,electricity,1.5,kWh,interval",   # duplicate
    "2024-04-01T01:00:00+09:00,boiler-1,heat,3600,MJ,interval",
    "2024-04-01T01:00:00+09:00,boiler-1,fuel,5,L,interval",
    "2024-04-01T01:00:00+09:00,boiler-1,fuel,6,L,interval",               # conflict
    "2024-04-01T00:30:00+09:00,boiler-1,pv_generation,99998,kWh,cumulative",
    "2024-04-01T01:00:00+09:00,boiler-1,pv_generation,3,kWh,cumulative",  # wrap: 2 + 3
    "2024-04-01T01:30,boiler-1,electricity,1,kWh,interval",               # naive
)
EXPECTED = {
    "device": "boiler-1",
    "quality": {"accepted": 4, "duplicate": 1, "conflict": 2, "reset": 0, "gap": 0,
                "rejected": 3},
    "totals": [
        {"quantity": "electricity", "unit": "kWh", "period_start": "2024-04-01T00:00:00+09:00",
         "period_end": "2024-04-02T00:00:00+09:00", "value": "1.5"},
        {"quantity": "heat", "unit": "GJ", "period_start": "2024-04-01T00:00:00+09:00",
         "period_end": "2024-04-02T00:00:00+09:00", "value": "3.6"},
        {"quantity": "pv_generation", "unit": "kWh",
         "period_start": "2024-04-01T00:00:00+09:00",
         "period_end": "2024-04-02T00:00:00+09:00", "value": "5"},
    ],
}


@pytest.fixture
def upload(tmp_path: Path) -> Path:
    path = tmp_path / "boiler.csv"
    path.write_bytes(DATA)
    return path


def test_dry_run_json_is_the_contract(upload: Path) -> None:
    result = CliRunner().invoke(command, [str(upload), "--device", "boiler-1", "--dry-run",
                                          "--json", "--counter-capacity", "99999"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == EXPECTED


def test_dry_run_json_via_subprocess_exact_shape(upload: Path) -> None:
    proc = subprocess.run(
        [sys.executable, "-c", "from envalue.cli import main; main()", "ingest", str(upload),
         "--device", "boiler-1",
         "--dry-run", "--json", "--counter-capacity", "pv_generation=99999",
         "--tz", "Asia/Tokyo", "--period", "day", "--format", "long"],
        capture_output=True, text=True, check=False, timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert list(doc) == ["device", "quality", "totals"]
    assert list(doc["quality"]) == ["accepted", "duplicate", "conflict", "reset", "gap",
                                    "rejected"]
    assert all(list(t) == ["quantity", "unit", "period_start", "period_end", "value"]
               and isinstance(t["value"], str) for t in doc["totals"])
    assert doc == EXPECTED
    assert proc.stderr == ""  # no progress output with --json


def test_human_dry_run_lists_rejections(upload: Path) -> None:
    result = CliRunner().invoke(command, [str(upload), "--device", "boiler-1", "--dry-run"])
    assert result.exit_code == 0, result.output
    assert "naive_timestamp" in result.output and "conflict" in result.output


def test_store_then_rerun_is_idempotent_and_says_not_anchored(upload: Path,
                                                              tmp_path: Path) -> None:
    db = f"sqlite:///{tmp_path / 'x.db'}"
    args = [str(upload), "--device", "boiler-1", "--db", db, "--json",
            "--counter-capacity", "99999"]
    first = CliRunner().invoke(command, args)
    assert first.exit_code == 0, first.output
    doc = json.loads(first.output)
    assert doc["anchored"] is False and "Fabric" in doc["note"]
    assert [b["status"] for b in doc["batches"]] == ["stored"]
    second = json.loads(CliRunner().invoke(command, args).output)
    assert [b["status"] for b in second["batches"]] == ["already stored"]
    assert second["batches"][0]["batch_id"] == doc["batches"][0]["batch_id"]
    # other content for the same day is refused with a message, no traceback
    changed = CliRunner().invoke(command, [*args[:-2], "--counter-capacity", "99998"])
    assert changed.exit_code == 1
    assert "overlaps stored batch" in changed.output and "Traceback" not in changed.output


@pytest.mark.parametrize(("content", "args", "fragments"), [
    (b"timestamp,device_id,value\n", [], ["boiler.csv", "row 1", "missing_column"]),
    (b"[1,", ["--format", "json"], ["boiler.csv", "invalid JSON"]),
    (DATA, ["--tz", "Mars/Olympus"], ["unknown time zone"]),
])
def test_errors_name_the_problem_without_traceback(tmp_path: Path, content: bytes,
                                                   args: list[str],
                                                   fragments: list[str]) -> None:
    path = tmp_path / "boiler.csv"
    path.write_bytes(content)
    result = CliRunner().invoke(command, [str(path), "--device", "boiler-1", "--dry-run",
                                          *args])
    assert result.exit_code != 0
    assert "Traceback" not in result.output
    for fragment in fragments:
        assert fragment in result.output


def test_bad_options_are_usage_errors(upload: Path) -> None:
    result = CliRunner().invoke(command, [str(upload), "--device", "b", "--dry-run",
                                          "--counter-capacity", "abc"])
    assert result.exit_code == 2 and "counter capacity" in result.output


def test_registered_in_the_envalue_group() -> None:
    from envalue.cli import _COMMAND_MODULES

    assert "ingest" in _COMMAND_MODULES
