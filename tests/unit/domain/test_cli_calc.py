"""`envalue calc`: the dry-run JSON contract, the table, errors and the on-ledger form."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner

from envalue.cli import main
from envalue.cli.calc import EXIT_NETWORK_UNAVAILABLE

pytestmark = pytest.mark.unit

BOILER = {
    "fuel_pj": 100,
    "hv_pj": 38.9,
    "cef_pj": "0.0193*44/12",
    "eff_pj": 0.95,
    "eff_bl": 0.80,
    "cef_bl": "0.0193*44/12",
}
INVENTORY = {
    "fuels": [{"fuel": "A heavy oil", "amount": 10, "hv": 38.9, "cef": "0.0193*44/12"}],
    "electricity_kwh": 20000,
    "ef_grid": 0.000457,
    "certificates_kwh": 5000,
}


@pytest.fixture
def write_inputs(tmp_path: Path):
    def write(data: object, name: str = "inputs.json") -> str:
        path = tmp_path / name
        # Written as JSON text: 0.80 arrives as a decimal literal, as from any JSON producer.
        path.write_text(json.dumps(data) if not isinstance(data, str) else data)
        return str(path)

    return write


def invoke(*args: str, input: str | None = None):
    return CliRunner().invoke(main, ["calc", *args], input=input)


def test_dry_run_json_shape(write_inputs):
    result = invoke(
        "--dry-run", "--methodology", "boiler-replacement", "--inputs", write_inputs(BOILER),
        "--json",
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert list(data) == [
        "methodology", "version", "baseline_kg", "project_kg", "reduction_kg", "trace",
    ]  # fmt: skip
    assert data["methodology"] == "boiler-replacement" and data["version"] == "1"
    assert (data["baseline_kg"], data["project_kg"], data["reduction_kg"]) == (
        326897,
        275283,
        51614,
    )
    assert all(isinstance(v, str) for v in data["trace"].values())
    assert data["trace"]["Q"] == "3695.5"
    assert result.stdout.count("\n") == 1  # exactly one JSON object


def test_inventory_json_shape(write_inputs):
    result = invoke("--dry-run", "-m", "inventory", "--inputs", write_inputs(INVENTORY), "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    # 10 × 38.9 × 0.0193 × 44/12 = 27.5282333… t → 27 529; 20 000 × 0.000457 = 9.14 t → 9 140;
    # market at ef_grid: 15 000 × 0.000457 = 6.855 t → 6 855; total 27 529 + 9 140 = 36 669
    assert data == {
        "methodology": "inventory",
        "version": "1",
        "scope1_kg": 27529,
        "scope2_location_kg": 9140,
        "scope2_market_kg": 6855,
        "emissions_kg": 36669,
        "trace": data["trace"],
    }


def test_inputs_from_stdin():
    result = invoke(
        "--dry-run", "-m", "pv-self-consumption", "--inputs", "-", "--json",
        input='{"pv_generation_kwh": 12000, "pv_export_kwh": 2500, "aux_grid_kwh": 150,'
        ' "ef_grid": 0.000457}',
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["reduction_kg"] == 4272


def test_table_output(write_inputs):
    result = invoke("--dry-run", "-m", "boiler-replacement", "--inputs", write_inputs(BOILER))
    assert result.exit_code == 0, result.output
    for text in ("boiler-replacement", "baseline_kg", "326,897", "51,614", "EM_BL", "3695.5"):
        assert text in result.stdout
    assert "formula sha256" in result.stdout


@pytest.mark.parametrize(
    ("inputs", "field", "value"),
    [
        (BOILER | {"eff_bl": 1.2}, "eff_bl", "1.2"),
        ({k: v for k, v in BOILER.items() if k != "hv_pj"}, "hv_pj", None),
        (BOILER | {"fuel_pj": -3}, "fuel_pj", "-3"),
    ],
)
def test_validation_error_exit_2_names_field_value_rule(write_inputs, inputs, field, value):
    result = invoke(
        "--dry-run", "-m", "boiler-replacement", "--inputs", write_inputs(inputs), "--json"
    )
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith(f"error: {field}: ")
    assert "[rule: " in result.stderr
    if value is not None:
        assert value in result.stderr
    assert "Traceback" not in result.output


def test_error_in_fuel_line_names_path(write_inputs):
    inputs = INVENTORY | {"fuels": [INVENTORY["fuels"][0] | {"hv": -1}]}
    result = invoke("--dry-run", "-m", "inventory", "--inputs", write_inputs(inputs))
    assert result.exit_code == 2
    assert "fuels[0].hv: -1 is negative" in result.stderr


@pytest.mark.parametrize(
    ("text", "rule"),
    [("{", "json"), ("[1]", "object"), ('{"a": NaN}', "finite")],
)
def test_bad_json_exit_2(write_inputs, text, rule):
    result = invoke("--dry-run", "-m", "inventory", "--inputs", write_inputs(text))
    assert result.exit_code == 2
    assert f"[rule: {rule}]" in result.stderr
    assert "Traceback" not in result.output


def test_unknown_methodology_and_version(write_inputs):
    path = write_inputs(BOILER)
    result = invoke("--dry-run", "-m", "boiler", "--inputs", path)
    assert result.exit_code == 2 and "methodology: 'boiler' is not registered" in result.stderr
    result = invoke("--dry-run", "-m", "boiler-replacement", "--version", "7", "--inputs", path)
    assert result.exit_code == 2 and result.stderr.startswith("error: version: ")


def test_missing_inputs_file():
    result = invoke("--dry-run", "-m", "inventory", "--inputs", "/nonexistent/in.json")
    assert result.exit_code == 2
    assert "--inputs: cannot read" in result.stderr


@pytest.mark.parametrize(
    "args", [["--dry-run", "--inputs", "x.json"], ["--dry-run", "-m", "inventory"]]
)
def test_dry_run_usage_errors(args):
    result = invoke(*args)
    assert result.exit_code == 2


def test_on_ledger_form_says_it_needs_the_network():
    result = invoke("--equipment", "BOILER-1", "--from", "2024-04-01", "--to", "2025-03-31")
    assert result.exit_code == EXIT_NETWORK_UNAVAILABLE != 0
    assert "needs the running" in result.stderr and "network" in result.stderr
    assert result.stdout == ""


def test_subprocess_exact_json(tmp_path: Path):
    exe = shutil.which("envalue", path=str(Path(sys.executable).parent)) or shutil.which("envalue")
    if exe is None:
        pytest.skip("the envalue console script is not installed")
    path = tmp_path / "pv.json"
    path.write_text(
        '{"pv_generation_kwh": 30000, "pv_export_kwh": 1000, "battery_charge_pv_kwh": 4000,'
        ' "battery_charge_grid_kwh": 1000, "battery_discharge_kwh": 4250,'
        ' "aux_grid_kwh": 600, "ef_grid": 0.000464}'
    )
    proc = subprocess.run(
        [exe, "calc", "--dry-run", "--methodology", "pv-battery", "--inputs", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == ""
    data = json.loads(proc.stdout)
    assert list(data) == [
        "methodology", "version", "baseline_kg", "project_kg", "reduction_kg", "trace",
    ]  # fmt: skip
    assert {k: v for k, v in data.items() if k != "trace"} == {
        "methodology": "pv-battery",
        "version": "1",
        "baseline_kg": 13177,
        "project_kg": 279,
        "reduction_kg": 12898,
    }
    assert type(data["baseline_kg"]) is int
    assert data["trace"]["E_bat_pv"] == "3400"
    # The printed text is exactly one JSON object on one line.
    assert proc.stdout.endswith("}\n") and proc.stdout.count("\n") == 1


def test_subprocess_validation_error_has_no_traceback(tmp_path: Path):
    exe = shutil.which("envalue", path=str(Path(sys.executable).parent)) or shutil.which("envalue")
    if exe is None:
        pytest.skip("the envalue console script is not installed")
    path = tmp_path / "pv.json"
    path.write_text('{"pv_generation_kwh": 100, "pv_export_kwh": 150, "ef_grid": 0.0005}')
    proc = subprocess.run(
        [exe, "calc", "--dry-run", "-m", "pv-self-consumption", "--inputs", str(path), "--json"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 2
    assert proc.stdout == ""
    assert proc.stderr.startswith("error: E_self: -50 is negative")
    assert "Traceback" not in proc.stderr
