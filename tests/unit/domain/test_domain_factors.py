"""Built-in factor sets: sourced, versioned, exact derived cef, notes where unverified."""

from __future__ import annotations

import json
from decimal import Decimal
from fractions import Fraction

import pytest

from envalue.chaincode.domain.errors import NotFoundError
from envalue.chaincode.domain.factors import (
    FUEL_FACTOR_SET,
    GRID_FACTOR_SET,
    genesis_records,
    get_fuel_factor,
    get_grid_factor,
)
from envalue.chaincode.domain.quantity import to_exact

pytestmark = pytest.mark.unit

# domain.md, fuel table: key -> (unit, GJ/unit, t-C/GJ, t-CO2/unit printed)
TABLE = {
    "a_heavy_oil": ("kL", "38.9", "0.0193", "2.75"),
    "kerosene": ("kL", "36.5", "0.0187", "2.50"),
    "diesel": ("kL", "38.0", "0.0188", "2.62"),
    "lpg": ("t", "50.1", "0.0163", "2.99"),
    "lng": ("t", "54.7", "0.0139", "2.79"),
    "city_gas": ("thousand Nm3", "40.0", "0.0140", "2.05"),
}


@pytest.mark.parametrize("key", list(TABLE))
def test_fuel_entries_match_domain_table(key):
    unit, hv, carbon, published = TABLE[key]
    f = get_fuel_factor(key)
    assert (f.unit, f.hv_gj_per_unit, f.carbon_t_c_per_gj) == (unit, Decimal(hv), Decimal(carbon))
    assert f.cef_t_co2_per_gj == Fraction(Decimal(carbon)) * 44 / 12
    # The table's t-CO2/unit is hv × cef rounded to 2 decimals.
    per_unit = Decimal(f.t_co2_per_unit.numerator) / Decimal(f.t_co2_per_unit.denominator)
    assert per_unit.quantize(Decimal("0.01")) == Decimal(published) == f.published_t_co2_per_unit
    assert to_exact(f.cef_expression, "cef") == f.cef_t_co2_per_gj
    assert "jplaws.app/d/418M60001400003-a.html" in f.source
    assert "not verified" in f.note


def test_city_gas_heating_value_is_tokyo_gas_basis():
    f = get_fuel_factor("city_gas")
    assert "Tokyo Gas" in f.source and "Tokyo Gas" in f.note


def test_grid_factors_are_registered_parameters_without_an_unverified_value():
    assert [g.fiscal_year for g in GRID_FACTOR_SET.entries] == [2023, 2024]
    g = get_grid_factor(2024)
    assert g.registered_parameter and g.value_t_co2_per_kwh is None
    assert g.range_t_co2_per_kwh == (Decimal("0.000457"), Decimal("0.000464"))
    assert "Not verified" in g.note and "Ministry of the Environment" in g.source
    assert (g.valid_from.isoformat(), g.valid_to.isoformat()) == ("2024-04-01", "2025-03-31")


def test_unknown_factor():
    with pytest.raises(NotFoundError):
        get_fuel_factor("coal")
    with pytest.raises(NotFoundError):
        get_grid_factor(1990)


def test_genesis_records_are_json_without_floats():
    records = genesis_records()
    text = json.dumps(records, ensure_ascii=False)
    assert [r["name"] for r in records] == ["jp-fuel-ordinance-table1", "jp-grid-electricity"]
    heavy = records[0]["entries"][0]
    assert heavy["cef_t_co2_per_gj"] == "0.0193*44/12"
    assert heavy["older_table_t_co2_per_unit"] == "2.71"

    def no_floats(value):
        if isinstance(value, dict):
            return all(no_floats(v) for v in value.values())
        if isinstance(value, list):
            return all(no_floats(v) for v in value)
        return not isinstance(value, float)

    assert no_floats(json.loads(text))
    assert len(FUEL_FACTOR_SET.entries) == 6
