"""Registry: names, versions, formula hashes, declared inputs."""

from __future__ import annotations

import hashlib

import pytest

from envalue.chaincode.domain.errors import UnknownMethodologyError
from envalue.chaincode.domain.methodologies import (
    calculate,
    formula_hash,
    get_methodology,
    list_methodologies,
)

pytestmark = pytest.mark.unit

NAMES = ["boiler-replacement", "inventory", "pv-battery", "pv-self-consumption"]


def test_builtin_names_and_versions():
    assert [(m.name, m.version) for m in list_methodologies()] == [(n, "1") for n in NAMES]


@pytest.mark.parametrize("name", NAMES)
def test_formula_hash_is_sha256_of_the_formula_text(name):
    methodology = get_methodology(name)
    assert methodology.formula.startswith(f"{name} v1\n")
    expected = hashlib.sha256(methodology.formula.encode("utf-8")).hexdigest()
    assert methodology.formula_hash == formula_hash(methodology.formula) == expected
    described = methodology.describe()
    assert described["formula_hash"] == expected
    assert all(spec["unit"] for spec in described["inputs"])


def test_formula_hashes_are_distinct():
    assert len({m.formula_hash for m in list_methodologies()}) == len(NAMES)


def test_declared_inputs():
    boiler = get_methodology("boiler-replacement")
    assert [s.name for s in boiler.inputs] == [
        "fuel_pj",
        "hv_pj",
        "cef_pj",
        "eff_pj",
        "eff_bl",
        "cef_bl",
        "heat_gj",
    ]
    units = {s.name: s.unit for s in get_methodology("pv-battery").inputs}
    assert units["ef_grid"] == "t-CO2/kWh" and units["battery_discharge_kwh"] == "kWh"
    fuels = get_methodology("inventory").inputs[0]
    assert [s.name for s in fuels.items] == ["fuel", "amount", "hv", "cef"]


@pytest.mark.parametrize(
    ("name", "version", "field"),
    [("boiler", "1", "methodology"), ("pv-battery", "2", "version")],
)
def test_unknown_methodology(name, version, field):
    with pytest.raises(UnknownMethodologyError) as err:
        get_methodology(name, version)
    assert err.value.field == field
    assert str(err.value).startswith(f"{field}: ")


def test_calculate_shorthand():
    result = calculate(
        "pv-self-consumption",
        {"pv_generation_kwh": 10, "pv_export_kwh": 0, "ef_grid": "0.0005"},
    )
    assert result.baseline_kg == 5
