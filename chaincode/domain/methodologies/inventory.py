"""inventory v1: scope 1 and scope 2 emissions of a site for one period.

No baseline: emissions are ceiled to whole kg per line (each fuel line, then each scope 2
figure) and the kg are summed, so the total never understates any line. Scope 2 is
reported both location-based (grid average) and market-based (certificates retired for
this site and period, at ``ef_market`` which defaults to ``ef_grid``); ``emissions_kg`` is
scope 1 plus location-based scope 2.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ..quantity import ROUND_EMISSIONS, decimal_str, to_kg
from .base import InputKind, InputSpec, InventoryResult, Methodology, read_inputs

NAME = "inventory"
VERSION = "1"
TITLE = "Scope 1 and scope 2 emissions inventory of a site"

FORMULA = """\
inventory v1
Inputs: fuels = [{fuel, amount [fuel unit], hv [GJ/fuel unit], cef [t-CO2/GJ]}],
electricity_kwh [kWh], ef_grid [t-CO2/kWh], optional ef_market [t-CO2/kWh] (default
ef_grid), optional certificates_kwh [kWh] (default 0).
EM_fuels[i] = amount * hv * cef                                   [t-CO2]
scope1_kg = sum over i of ceil(EM_fuels[i] * 1000)
EM_scope2_location = electricity_kwh * ef_grid                    [t-CO2]
EM_scope2_market = max(0, electricity_kwh - certificates_kwh) * ef_market   [t-CO2]
scope2_location_kg = ceil(EM_scope2_location * 1000)
scope2_market_kg = ceil(EM_scope2_market * 1000)
emissions_kg = scope1_kg + scope2_location_kg
Exact rational arithmetic; rounding only by the ceilings above.
"""

FUEL_LINE: tuple[InputSpec, ...] = (
    InputSpec("fuel", "-", "fuel name", kind=InputKind.TEXT),
    InputSpec("amount", "fuel unit", "fuel consumed"),
    InputSpec("hv", "GJ/fuel unit", "heating value"),
    InputSpec("cef", "t-CO2/GJ", "carbon emission factor"),
)

INPUTS: tuple[InputSpec, ...] = (
    InputSpec("fuels", "-", "fuel lines (scope 1)", kind=InputKind.LIST, items=FUEL_LINE),
    InputSpec("electricity_kwh", "kWh", "purchased electricity"),
    InputSpec("ef_grid", "t-CO2/kWh", "location-based grid factor"),
    InputSpec("ef_market", "t-CO2/kWh", "market-based factor (default: ef_grid)", required=False),
    InputSpec(
        "certificates_kwh",
        "kWh",
        "renewable attributes retired for this site and period",
        required=False,
        default="0",
    ),
)

OUTPUTS = ("scope1_kg", "scope2_location_kg", "scope2_market_kg", "emissions_kg")


def calculate(inputs: Mapping[str, Any]) -> InventoryResult:
    """Compute scope 1, scope 2 (location and market) and total in whole kg-CO2."""
    v = read_inputs(INPUTS, inputs)
    ef_market = v.get("ef_market", v["ef_grid"])
    trace: dict[str, str] = {}
    scope1_kg = 0
    scope1_t = Fraction(0)
    for index, line in enumerate(v["fuels"]):
        prefix = f"fuels[{index}]"
        em = line["amount"] * line["hv"] * line["cef"]
        kg = to_kg(em, ROUND_EMISSIONS)
        scope1_t += em
        scope1_kg += kg
        for key in ("amount", "hv", "cef"):
            trace[f"{prefix}.{key}"] = decimal_str(line[key])
        trace[f"{prefix}.EM"] = decimal_str(em)
        trace[f"{prefix}.scope1_kg"] = str(kg)
    electricity = v["electricity_kwh"]
    certificates = v["certificates_kwh"]
    covered = max(Fraction(0), electricity - certificates)
    em_location = electricity * v["ef_grid"]
    em_market = covered * ef_market
    scope2_location_kg = to_kg(em_location, ROUND_EMISSIONS)
    scope2_market_kg = to_kg(em_market, ROUND_EMISSIONS)
    trace.update(
        {
            "EM_scope1": decimal_str(scope1_t),
            "electricity_kwh": decimal_str(electricity),
            "ef_grid": decimal_str(v["ef_grid"]),
            "ef_market": decimal_str(ef_market),
            "certificates_kwh": decimal_str(certificates),
            "E_market": decimal_str(covered),
            "EM_scope2_location": decimal_str(em_location),
            "EM_scope2_market": decimal_str(em_market),
        }
    )
    return InventoryResult(
        methodology=NAME,
        version=VERSION,
        scope1_kg=scope1_kg,
        scope2_location_kg=scope2_location_kg,
        scope2_market_kg=scope2_market_kg,
        emissions_kg=scope1_kg + scope2_location_kg,
        trace=trace,
    )


METHODOLOGY = Methodology(
    name=NAME,
    version=VERSION,
    title=TITLE,
    formula=FORMULA,
    inputs=INPUTS,
    outputs=OUTPUTS,
    calculate=calculate,
)
