"""pv-battery v1 against hand-worked examples (methodologies.md)."""

from __future__ import annotations

import pytest
from domain_calc_cases import run

from envalue.chaincode.domain.errors import ValidationError

pytestmark = pytest.mark.unit

NAME = "pv-battery"
BASE = {
    "pv_generation_kwh": 30000,
    "pv_export_kwh": 1000,
    "battery_charge_pv_kwh": 4000,
    "battery_charge_grid_kwh": 1000,
    "battery_discharge_kwh": 4250,
    "aux_grid_kwh": 600,
    "ef_grid": "0.000464",
}


def test_hand_worked():
    # E_direct     = 30 000 − 1 000 − 4 000          = 25 000 kWh
    # charged      = 4 000 + 1 000                   = 5 000 kWh; PV share = 4 000/5 000 = 0.8
    # E_bat_pv     = 4 250 × 4 000 / 5 000           = 3 400 kWh
    # EM_BL        = (25 000 + 3 400) × 0.000464     = 28 400 × 0.000464 = 13.1776 t
    # baseline_kg  = floor(13 177.6)                 = 13 177
    # EM_PJ        = 600 × 0.000464                  = 0.2784 t → ceil(278.4) = 279
    # reduction_kg = 13 177 − 279                    = 12 898
    result = run(NAME, BASE)
    assert result.outputs() == {"baseline_kg": 13177, "project_kg": 279, "reduction_kg": 12898}
    trace = result.trace
    assert trace["E_direct"] == "25000"
    assert trace["E_bat_pv"] == "3400"
    assert trace["PV_share"] == "0.8"
    assert trace["EM_BL"] == "13.1776"
    assert trace["EM_PJ"] == "0.2784"


def test_pv_share_of_one_third_is_exact():
    # charge_pv 1 000, charge_grid 2 000 → share 1/3; discharge 2 700 → E_bat_pv = 900 exactly
    # E_direct = 30 000 − 1 000 − 1 000 = 28 000; EM_BL = 28 900 × 0.000464 = 13.4096 t
    # baseline_kg = floor(13 409.6) = 13 409; project_kg 279; reduction 13 130
    result = run(
        NAME,
        BASE
        | {
            "battery_charge_pv_kwh": 1000,
            "battery_charge_grid_kwh": 2000,
            "battery_discharge_kwh": 2700,
        },
    )
    assert result.trace["E_bat_pv"] == "900"
    assert result.trace["PV_share"] == "0.3333333333333333333333333333333333"
    assert result.outputs() == {"baseline_kg": 13409, "project_kg": 279, "reduction_kg": 13130}


def test_nothing_charged_gives_zero_battery_share():
    # charge_pv = charge_grid = 0 → E_bat_pv = 0 (no division by zero), even with discharge
    # E_direct = 1 000 − 200 − 0 = 800 kWh; EM_BL = 800 × 0.0005 = 0.4 t → 400 kg
    # EM_PJ = 10 × 0.0005 = 0.005 t → 5 kg; reduction 395
    result = run(
        NAME,
        {
            "pv_generation_kwh": 1000,
            "pv_export_kwh": 200,
            "battery_charge_pv_kwh": 0,
            "battery_charge_grid_kwh": 0,
            "battery_discharge_kwh": 50,
            "aux_grid_kwh": 10,
            "ef_grid": "0.0005",
        },
    )
    assert result.trace["E_bat_pv"] == "0"
    assert result.outputs() == {"baseline_kg": 400, "project_kg": 5, "reduction_kg": 395}


def test_grid_charged_battery_earns_nothing():
    # Only grid charging: share 0 → E_bat_pv 0; E_direct 29 000; EM_BL 13.456 t → 13 456
    result = run(NAME, BASE | {"battery_charge_pv_kwh": 0, "battery_charge_grid_kwh": 5000})
    assert result.trace["E_bat_pv"] == "0"
    assert result.baseline_kg == 13456


def test_negative_direct_use_is_an_error():
    # E_direct = 1 000 − 500 − 600 = −100 kWh
    with pytest.raises(ValidationError) as err:
        run(
            NAME,
            BASE | {"pv_generation_kwh": 1000, "pv_export_kwh": 500, "battery_charge_pv_kwh": 600},
        )
    assert err.value.field == "E_direct" and err.value.rule == "non-negative"
    message = str(err.value)
    assert message.startswith("E_direct: -100 is negative")
    for key in ("pv_export_kwh", "battery_charge_pv_kwh", "pv_generation_kwh"):
        assert key in message


@pytest.mark.parametrize("key", list(BASE))
def test_missing_key_is_named(key):
    with pytest.raises(ValidationError) as err:
        run(NAME, {k: v for k, v in BASE.items() if k != key})
    assert (err.value.field, err.value.rule) == (key, "required")
    assert str(err.value).startswith(f"{key}: ")


@pytest.mark.parametrize("key", list(BASE))
def test_negative_value_is_named(key):
    with pytest.raises(ValidationError) as err:
        run(NAME, BASE | {key: -5})
    assert (err.value.field, err.value.rule) == (key, "non-negative")
