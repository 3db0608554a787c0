"""Properties every methodology keeps, whatever the (valid) inputs."""

from __future__ import annotations

import json
import math
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from envalue.chaincode.domain.methodologies import get_methodology
from envalue.chaincode.domain.quantity import loads

pytestmark = pytest.mark.unit

amounts = st.decimals(min_value=0, max_value=10**7, places=3, allow_nan=False)
factors = st.decimals(min_value=0, max_value=1, places=6, allow_nan=False)
efficiencies = st.decimals(min_value=Decimal("0.01"), max_value=1, places=3, allow_nan=False)


def _check_shape(result) -> None:
    data = result.to_dict()
    for key, value in result.outputs().items():
        assert type(value) is int, key
    for key, value in data["trace"].items():
        assert type(value) is str, key
        Decimal(value)  # every trace value is a decimal string
    # The JSON text has no float: every number in it parses back as an int.
    json.loads(json.dumps(data), parse_float=lambda _: pytest.fail("float in output"))


def _check_reduction(result) -> None:
    _check_shape(result)
    assert result.reduction_kg == max(0, result.baseline_kg - result.project_kg)
    assert result.reduction_kg >= 0


@settings(max_examples=200, deadline=None)
@given(amounts, amounts, factors, efficiencies, efficiencies, factors, st.booleans(), amounts)
def test_boiler(fuel, hv, cef_pj, eff_pj, eff_bl, cef_bl, metered, heat):
    inputs = {
        "fuel_pj": str(fuel),
        "hv_pj": str(hv),
        "cef_pj": str(cef_pj),
        "eff_pj": str(eff_pj),
        "eff_bl": str(eff_bl),
        "cef_bl": str(cef_bl),
    }
    if metered:
        inputs["heat_gj"] = str(heat)
    result = get_methodology("boiler-replacement").calculate(loads(json.dumps(inputs)))
    _check_reduction(result)
    # Conservative bounds against the exact figures.
    em_pj = Fraction(fuel) * Fraction(hv) * Fraction(cef_pj)
    q = Fraction(heat) if metered else Fraction(fuel) * Fraction(hv) * Fraction(eff_pj)
    em_bl = q / Fraction(eff_bl) * Fraction(cef_bl)
    assert result.baseline_kg == math.floor(em_bl * 1000) <= em_bl * 1000
    assert result.project_kg == math.ceil(em_pj * 1000) >= em_pj * 1000
    assert result.reduction_kg <= max(Fraction(0), (em_bl - em_pj) * 1000)


@settings(max_examples=200, deadline=None)
@given(amounts, amounts, amounts, factors)
def test_pv_self_consumption(generation, export, aux, ef):
    export = min(export, generation)
    inputs = {
        "pv_generation_kwh": str(generation),
        "pv_export_kwh": str(export),
        "aux_grid_kwh": str(aux),
        "ef_grid": str(ef),
    }
    result = get_methodology("pv-self-consumption").calculate(loads(json.dumps(inputs)))
    _check_reduction(result)
    assert result.baseline_kg <= (Fraction(generation) - Fraction(export)) * Fraction(ef) * 1000


@settings(max_examples=200, deadline=None)
@given(amounts, amounts, amounts, amounts, amounts, amounts, factors)
def test_pv_battery(generation, export, charge_pv, charge_grid, discharge, aux, ef):
    charge_pv = min(charge_pv, generation)
    export = min(export, generation - charge_pv)
    inputs = {
        "pv_generation_kwh": str(generation),
        "pv_export_kwh": str(export),
        "battery_charge_pv_kwh": str(charge_pv),
        "battery_charge_grid_kwh": str(charge_grid),
        "battery_discharge_kwh": str(discharge),
        "aux_grid_kwh": str(aux),
        "ef_grid": str(ef),
    }
    result = get_methodology("pv-battery").calculate(loads(json.dumps(inputs)))
    _check_reduction(result)
    # The battery never credits more PV than went into it as a share of its output.
    assert Decimal(result.trace["E_bat_pv"]) <= discharge


@settings(max_examples=100, deadline=None)
@given(
    st.lists(st.tuples(amounts, amounts, factors), max_size=5),
    amounts,
    factors,
    st.one_of(st.none(), factors),
    st.one_of(st.none(), amounts),
)
def test_inventory(lines, electricity, ef_grid, ef_market, certificates):
    inputs: dict = {
        "fuels": [
            {"fuel": f"f{i}", "amount": str(a), "hv": str(h), "cef": str(c)}
            for i, (a, h, c) in enumerate(lines)
        ],
        "electricity_kwh": str(electricity),
        "ef_grid": str(ef_grid),
    }
    if ef_market is not None:
        inputs["ef_market"] = str(ef_market)
    if certificates is not None:
        inputs["certificates_kwh"] = str(certificates)
    result = get_methodology("inventory").calculate(loads(json.dumps(inputs)))
    _check_shape(result)
    per_line = [math.ceil(Fraction(a) * Fraction(h) * Fraction(c) * 1000) for a, h, c in lines]
    assert result.scope1_kg == sum(per_line)
    exact_scope1 = sum((Fraction(a) * Fraction(h) * Fraction(c) for a, h, c in lines), Fraction(0))
    assert result.scope1_kg >= exact_scope1 * 1000  # never understated
    assert result.emissions_kg == result.scope1_kg + result.scope2_location_kg
    market_factor = ef_grid if ef_market is None else ef_market
    covered = max(Fraction(0), Fraction(electricity) - Fraction(certificates or 0))
    assert result.scope2_market_kg == math.ceil(covered * Fraction(market_factor) * 1000)
