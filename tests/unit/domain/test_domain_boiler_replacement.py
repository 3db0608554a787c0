"""boiler-replacement v1 against hand-worked examples (methodologies.md)."""

from __future__ import annotations

import pytest
from domain_calc_cases import CEF_A_HEAVY_OIL, CEF_CITY_GAS, run

from envalue.chaincode.domain.errors import ValidationError

pytestmark = pytest.mark.unit

NAME = "boiler-replacement"

# A heavy oil, same fuel before and after (domain.md: hv 38.9 GJ/kL, 0.0193 t-C/GJ).
SAME_FUEL = {
    "fuel_pj": 100,  # kL
    "hv_pj": "38.9",
    "cef_pj": CEF_A_HEAVY_OIL,
    "eff_pj": "0.95",
    "eff_bl": "0.80",
    "cef_bl": CEF_A_HEAVY_OIL,
}


def test_same_fuel_hand_worked():
    # fuel energy  = 100 kL × 38.9 GJ/kL                   = 3890 GJ
    # cef          = 0.0193 × 44/12                        = 0.070766… t-CO2/GJ (never rounded)
    # EM_PJ        = 3890 × 0.0193 × 44/12 = 75.077 × 44/12 = 3303.388/12 = 275.2823333… t
    # project_kg   = ceil(275 282.333…)                    = 275 283
    # Q            = 3890 × 0.95                           = 3695.5 GJ
    # Q / eff_bl   = 3695.5 / 0.80                         = 4619.375 GJ
    # EM_BL        = 4619.375 × 0.0193 × 44/12 = 89.1539375 × 44/12 = 3922.77325/12
    #              = 326.8977708333… t
    # baseline_kg  = floor(326 897.770 8…)                 = 326 897
    # reduction_kg = 326 897 − 275 283                     = 51 614
    result = run(NAME, SAME_FUEL)
    assert result.outputs() == {
        "baseline_kg": 326897,
        "project_kg": 275283,
        "reduction_kg": 51614,
    }
    assert result.trace["E_fuel_GJ"] == "3890"
    assert result.trace["Q"] == "3695.5"
    assert result.trace["EM_PJ"].startswith("275.28233333")
    assert result.trace["EM_BL"].startswith("326.89777083")
    assert result.trace["ER"] == "51.6154375"  # exact: 3922.77325/12 − 3303.388/12 = 619.38525/12
    assert list(result.trace)[:6] == ["fuel_pj", "hv_pj", "cef_pj", "eff_pj", "eff_bl", "cef_bl"]


def test_fuel_switch_to_city_gas_hand_worked():
    # New gas boiler replaces an A-heavy-oil boiler.
    # fuel energy  = 90 thousand Nm3 × 40.0 GJ             = 3600 GJ
    # EM_PJ        = 3600 × 0.0140 × 44/12 = 50.4 × 44/12 = 2217.6/12 = 184.8 t exactly
    # project_kg   = ceil(184 800)                         = 184 800 (exact: no spurious +1)
    # Q            = 3600 × 0.95                           = 3420 GJ
    # Q / eff_bl   = 3420 / 0.80                           = 4275 GJ
    # EM_BL        = 4275 × 0.0193 × 44/12 = 82.5075 × 44/12 = 3630.33/12 = 302.5275 t
    # baseline_kg  = floor(302 527.5)                      = 302 527
    # reduction_kg = 302 527 − 184 800                     = 117 727
    result = run(
        NAME,
        {
            "fuel_pj": 90,
            "hv_pj": "40.0",
            "cef_pj": CEF_CITY_GAS,
            "eff_pj": "0.95",
            "eff_bl": "0.80",
            "cef_bl": CEF_A_HEAVY_OIL,
        },
    )
    assert result.outputs() == {
        "baseline_kg": 302527,
        "project_kg": 184800,
        "reduction_kg": 117727,
    }
    assert result.trace["EM_PJ"] == "184.8"
    assert result.trace["EM_BL"] == "302.5275"


def test_metered_heat_replaces_derived_q():
    # EM_PJ as in the same-fuel example: 275.2823333… t → project_kg 275 283
    # Q            = heat_gj                               = 3600 GJ (eff_pj not needed)
    # Q / eff_bl   = 3600 / 0.80                           = 4500 GJ
    # EM_BL        = 4500 × 0.0193 × 44/12 = 86.85 × 44/12 = 3821.4/12 = 318.45 t
    # baseline_kg  = 318 450
    # reduction_kg = 318 450 − 275 283                     = 43 167
    inputs = {k: v for k, v in SAME_FUEL.items() if k != "eff_pj"} | {"heat_gj": 3600}
    result = run(NAME, inputs)
    assert result.outputs() == {"baseline_kg": 318450, "project_kg": 275283, "reduction_kg": 43167}
    assert result.trace["Q"] == "3600"
    assert "eff_pj" not in result.trace


def test_metered_heat_wins_over_eff_pj():
    result = run(NAME, SAME_FUEL | {"heat_gj": 3600})
    assert result.baseline_kg == 318450
    assert result.trace["eff_pj"] == "0.95"


def test_worse_project_gives_zero_reduction_not_negative():
    # eff_pj 0.70 < eff_bl 0.80: Q = 3890 × 0.7 = 2723 GJ; Q/0.8 = 3403.75 GJ;
    # EM_BL = 3403.75 × 0.0193 × 44/12 = 65.692375 × 44/12 = 240.8720416… t → 240 872
    # EM_PJ = 275.2823333… t → 275 283; reduction = max(0, 240 872 − 275 283) = 0
    result = run(NAME, SAME_FUEL | {"eff_pj": "0.70"})
    assert result.outputs() == {"baseline_kg": 240872, "project_kg": 275283, "reduction_kg": 0}
    assert result.trace["ER"].startswith("-34.41")


@pytest.mark.parametrize("key", ["fuel_pj", "hv_pj", "cef_pj", "eff_pj", "eff_bl", "cef_bl"])
def test_missing_key_is_named(key):
    with pytest.raises(ValidationError) as err:
        run(NAME, {k: v for k, v in SAME_FUEL.items() if k != key})
    assert err.value.field == key and err.value.rule == "required"
    assert str(err.value).startswith(f"{key}: ")


@pytest.mark.parametrize("key", ["fuel_pj", "hv_pj", "cef_pj", "cef_bl", "heat_gj"])
def test_negative_value_is_named(key):
    with pytest.raises(ValidationError) as err:
        run(NAME, SAME_FUEL | {key: "-1"})
    assert (err.value.field, err.value.rule) == (key, "non-negative")
    assert str(err.value) == f"{key}: -1 is negative (must be >= 0)"


@pytest.mark.parametrize("key", ["eff_pj", "eff_bl"])
@pytest.mark.parametrize("value", ["0", "1.2", "-0.5", "92"])
def test_efficiency_outside_unit_interval_is_named(key, value):
    with pytest.raises(ValidationError) as err:
        run(NAME, SAME_FUEL | {key: value})
    assert err.value.field == key
    assert err.value.rule in {"efficiency-range", "non-negative"}
    assert str(err.value).startswith(f"{key}: {value} is ")


def test_efficiency_message_matches_reference_wording():
    with pytest.raises(ValidationError) as err:
        run(NAME, SAME_FUEL | {"eff_bl": 1.2})
    assert str(err.value) == "eff_bl: 1.2 is outside (0, 1]"


def test_efficiency_of_one_is_allowed():
    assert run(NAME, SAME_FUEL | {"eff_bl": 1}).baseline_kg > 0


def test_unknown_key_is_rejected():
    with pytest.raises(ValidationError) as err:
        run(NAME, SAME_FUEL | {"heat_gi": 3600})
    assert err.value.field == "heat_gi" and err.value.rule == "unknown-input"


def test_python_float_is_rejected():
    from envalue.chaincode.domain.methodologies import get_methodology

    with pytest.raises(ValidationError) as err:
        get_methodology(NAME).calculate(SAME_FUEL | {"hv_pj": 38.9})
    assert err.value.field == "hv_pj" and err.value.rule == "no-binary-float"
