"""boiler-replacement v1: high-efficiency boiler, optionally switching fuel.

The baseline is the heat the new boiler delivered, as if produced by the old boiler at its
efficiency from the baseline fuel (J-Credit EN-S-001 as modelled in methodologies.md).
When the heat output is metered, ``heat_gj`` replaces the derived heat and ``eff_pj`` is
then not needed (if given it is still checked and traced).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from .base import InputKind, InputSpec, Methodology, ReductionResult, read_inputs, reduction_result

NAME = "boiler-replacement"
VERSION = "1"
TITLE = "High-efficiency boiler replacement (optional fuel switch)"

FORMULA = """\
boiler-replacement v1
Inputs: fuel_pj [fuel unit], hv_pj [GJ/fuel unit], cef_pj [t-CO2/GJ], eff_pj [fraction],
eff_bl [fraction], cef_bl [t-CO2/GJ], optional heat_gj [GJ] (metered heat output).
Q = heat_gj if heat_gj is given, else fuel_pj * hv_pj * eff_pj   [GJ]
EM_PJ = fuel_pj * hv_pj * cef_pj                                 [t-CO2]
EM_BL = Q / eff_bl * cef_bl                                      [t-CO2]
baseline_kg = floor(EM_BL * 1000)
project_kg = ceil(EM_PJ * 1000)
reduction_kg = max(0, baseline_kg - project_kg)
Exact rational arithmetic; rounding only in the three lines above.
"""

INPUTS: tuple[InputSpec, ...] = (
    InputSpec("fuel_pj", "fuel unit", "fuel consumed by the new boiler"),
    InputSpec("hv_pj", "GJ/fuel unit", "heating value of the project fuel"),
    InputSpec("cef_pj", "t-CO2/GJ", "carbon emission factor of the project fuel"),
    InputSpec(
        "eff_pj",
        "fraction",
        "new boiler efficiency (required unless heat_gj is given)",
        kind=InputKind.EFFICIENCY,
        required=False,
    ),
    InputSpec("eff_bl", "fraction", "baseline boiler efficiency", kind=InputKind.EFFICIENCY),
    InputSpec(
        "cef_bl", "t-CO2/GJ", "carbon emission factor of the baseline fuel (= cef_pj if same)"
    ),
    InputSpec("heat_gj", "GJ", "metered heat output, replaces the derived Q", required=False),
)

OUTPUTS = ("baseline_kg", "project_kg", "reduction_kg")


def calculate(inputs: Mapping[str, Any]) -> ReductionResult:
    """Compute baseline, project and reduction in whole kg-CO2 with a full trace."""
    v = read_inputs(INPUTS, inputs)
    if "heat_gj" not in v and "eff_pj" not in v:
        raise ValidationError(
            "eff_pj", None, "required", "required input is missing (fraction; or give heat_gj)"
        )
    fuel_energy = v["fuel_pj"] * v["hv_pj"]
    q = v["heat_gj"] if "heat_gj" in v else fuel_energy * v["eff_pj"]
    em_pj = fuel_energy * v["cef_pj"]
    em_bl = q / v["eff_bl"] * v["cef_bl"]
    return reduction_result(
        NAME, VERSION, INPUTS, v, em_bl=em_bl, em_pj=em_pj,
        intermediates={"E_fuel_GJ": fuel_energy, "Q": q},
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
