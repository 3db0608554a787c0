"""inventory v1 against hand-worked examples (methodologies.md)."""

from __future__ import annotations

import pytest
from domain_calc_cases import CEF_A_HEAVY_OIL, CEF_CITY_GAS, run

from envalue.chaincode.domain.errors import ValidationError

pytestmark = pytest.mark.unit

NAME = "inventory"
BASE = {
    "fuels": [
        {"fuel": "A heavy oil", "amount": 10, "hv": "38.9", "cef": CEF_A_HEAVY_OIL},
        {"fuel": "city gas", "amount": 5, "hv": "40.0", "cef": CEF_CITY_GAS},
    ],
    "electricity_kwh": 20000,
    "ef_grid": "0.000457",
    "ef_market": "0.000430",
    "certificates_kwh": 5000,
}


def test_hand_worked_with_certificates():
    # line 0: 10 × 38.9 = 389 GJ; × 0.0193 = 7.5077 t-C; × 44/12 = 330.3388/12
    #         = 27.5282333… t → ceil(27 528.233…) = 27 529 kg
    # line 1: 5 × 40.0 = 200 GJ; × 0.0140 = 2.8 t-C; × 44/12 = 123.2/12
    #         = 10.2666… t → ceil(10 266.666…) = 10 267 kg
    # scope1_kg = 27 529 + 10 267 = 37 796   (ceiling the sum, 37 794.9, would give 37 795)
    # scope 2 location = 20 000 × 0.000457 = 9.14 t → 9 140 kg
    # scope 2 market   = max(0, 20 000 − 5 000) × 0.000430 = 15 000 × 0.00043 = 6.45 t → 6 450
    # emissions_kg = 37 796 + 9 140 = 46 936
    result = run(NAME, BASE)
    assert result.to_dict() | {"trace": None} == {
        "methodology": "inventory",
        "version": "1",
        "scope1_kg": 37796,
        "scope2_location_kg": 9140,
        "scope2_market_kg": 6450,
        "emissions_kg": 46936,
        "trace": None,
    }
    trace = result.trace
    assert trace["fuels[0].scope1_kg"] == "27529"
    assert trace["fuels[1].scope1_kg"] == "10267"
    assert trace["fuels[0].EM"].startswith("27.52823333")
    assert trace["EM_scope1"] == "37.7949"  # exact: 330.3388/12 + 123.2/12 = 453.5388/12
    assert trace["E_market"] == "15000"
    assert trace["EM_scope2_market"] == "6.45"


def test_ef_market_defaults_to_ef_grid():
    # market = (20 000 − 5 000) × 0.000457 = 6.855 t → 6 855 kg
    inputs = {k: v for k, v in BASE.items() if k != "ef_market"}
    result = run(NAME, inputs)
    assert result.scope2_market_kg == 6855
    assert result.trace["ef_market"] == "0.000457"


def test_no_certificates_market_equals_location_at_same_factor():
    inputs = {k: v for k, v in BASE.items() if k not in {"ef_market", "certificates_kwh"}}
    result = run(NAME, inputs)
    assert result.scope2_market_kg == result.scope2_location_kg == 9140
    assert result.trace["certificates_kwh"] == "0"


def test_certificates_beyond_consumption_floor_at_zero():
    result = run(NAME, BASE | {"certificates_kwh": 25000})
    assert result.scope2_market_kg == 0
    assert result.trace["E_market"] == "0"


def test_no_fuels():
    result = run(NAME, BASE | {"fuels": []})
    assert result.scope1_kg == 0 and result.emissions_kg == 9140


@pytest.mark.parametrize("key", ["fuels", "electricity_kwh", "ef_grid"])
def test_missing_key_is_named(key):
    with pytest.raises(ValidationError) as err:
        run(NAME, {k: v for k, v in BASE.items() if k != key})
    assert (err.value.field, err.value.rule) == (key, "required")


@pytest.mark.parametrize("key", ["fuel", "amount", "hv", "cef"])
def test_missing_fuel_line_key_names_the_path(key):
    fuels = [dict(BASE["fuels"][0]), {k: v for k, v in BASE["fuels"][1].items() if k != key}]
    with pytest.raises(ValidationError) as err:
        run(NAME, BASE | {"fuels": fuels})
    assert (err.value.field, err.value.rule) == (f"fuels[1].{key}", "required")
    assert str(err.value).startswith(f"fuels[1].{key}: ")


@pytest.mark.parametrize("key", ["amount", "hv", "cef"])
def test_negative_fuel_line_value_names_the_path(key):
    fuels = [dict(BASE["fuels"][0]), BASE["fuels"][1] | {key: "-2"}]
    with pytest.raises(ValidationError) as err:
        run(NAME, BASE | {"fuels": fuels})
    assert str(err.value) == f"fuels[1].{key}: -2 is negative (must be >= 0)"


@pytest.mark.parametrize("key", ["electricity_kwh", "ef_grid", "ef_market", "certificates_kwh"])
def test_negative_value_is_named(key):
    with pytest.raises(ValidationError) as err:
        run(NAME, BASE | {key: -1})
    assert (err.value.field, err.value.rule) == (key, "non-negative")


@pytest.mark.parametrize(
    ("fuels", "field", "rule"),
    [
        ({"fuel": "x"}, "fuels", "list"),
        (["x"], "fuels[0]", "object"),
        ([{"fuel": "", "amount": 1, "hv": 1, "cef": 1}], "fuels[0].fuel", "text"),
        (
            [{"fuel": "x", "amount": 1, "hv": 1, "cef": 1, "ncv": 2}],
            "fuels[0].ncv",
            "unknown-input",
        ),
    ],
)
def test_malformed_fuel_lines(fuels, field, rule):
    with pytest.raises(ValidationError) as err:
        run(NAME, BASE | {"fuels": fuels})
    assert (err.value.field, err.value.rule) == (field, rule)
