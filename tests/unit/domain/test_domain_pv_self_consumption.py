"""pv-self-consumption v1 against hand-worked examples (methodologies.md)."""

from __future__ import annotations

import pytest
from domain_calc_cases import run

from envalue.chaincode.domain.errors import ValidationError

pytestmark = pytest.mark.unit

NAME = "pv-self-consumption"
BASE = {
    "pv_generation_kwh": 12000,
    "pv_export_kwh": 2500,
    "aux_grid_kwh": 150,
    "ef_grid": "0.000457",
}


def test_hand_worked():
    # E_self       = 12 000 − 2 500                 = 9 500 kWh
    # EM_BL        = 9 500 × 0.000457               = 4.3415 t  → floor(4 341.5) = 4 341
    # EM_PJ        = 150 × 0.000457                 = 0.06855 t → ceil(68.55)    = 69
    # reduction_kg = 4 341 − 69                     = 4 272
    result = run(NAME, BASE)
    assert result.to_dict() == {
        "methodology": "pv-self-consumption",
        "version": "1",
        "baseline_kg": 4341,
        "project_kg": 69,
        "reduction_kg": 4272,
        "trace": {
            "pv_generation_kwh": "12000",
            "pv_export_kwh": "2500",
            "aux_grid_kwh": "150",
            "ef_grid": "0.000457",
            "E_self": "9500",
            "EM_BL": "4.3415",
            "EM_PJ": "0.06855",
            "ER": "4.27295",
        },
    }


def test_aux_not_metered_defaults_to_zero():
    # EM_PJ = 0 × 0.000457 = 0 → project_kg 0; reduction = 4 341
    inputs = {k: v for k, v in BASE.items() if k != "aux_grid_kwh"}
    result = run(NAME, inputs)
    assert result.outputs() == {"baseline_kg": 4341, "project_kg": 0, "reduction_kg": 4341}
    assert result.trace["aux_grid_kwh"] == "0"


def test_export_greater_than_generation_is_an_error():
    # E_self = 12 000 − 13 000 = −1 000 kWh: error naming E_self and both keys.
    with pytest.raises(ValidationError) as err:
        run(NAME, BASE | {"pv_export_kwh": 13000})
    assert err.value.field == "E_self" and err.value.rule == "non-negative"
    message = str(err.value)
    assert message.startswith("E_self: -1000 is negative")
    assert "pv_export_kwh" in message and "pv_generation_kwh" in message


def test_everything_exported_gives_zero_baseline():
    result = run(NAME, BASE | {"pv_export_kwh": 12000, "aux_grid_kwh": 0})
    assert result.outputs() == {"baseline_kg": 0, "project_kg": 0, "reduction_kg": 0}


@pytest.mark.parametrize("key", ["pv_generation_kwh", "pv_export_kwh", "ef_grid"])
def test_missing_key_is_named(key):
    with pytest.raises(ValidationError) as err:
        run(NAME, {k: v for k, v in BASE.items() if k != key})
    assert (err.value.field, err.value.rule) == (key, "required")


@pytest.mark.parametrize("key", list(BASE))
def test_negative_value_is_named(key):
    with pytest.raises(ValidationError) as err:
        run(NAME, BASE | {key: "-0.001"})
    assert (err.value.field, err.value.rule) == (key, "non-negative")
    assert str(err.value).startswith(f"{key}: -0.001 is negative")
