"""pv-self-consumption v1: solar power used on site instead of grid power.

Modelled on J-Credit EN-R-002 as described in methodologies.md: the baseline is the
self-consumed PV energy at the grid factor; project emissions are the grid power the
power conditioner and auxiliaries drew (``aux_grid_kwh``, 0 when not metered).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..errors import ValidationError
from ..quantity import decimal_str
from .base import InputSpec, Methodology, ReductionResult, read_inputs, reduction_result

NAME = "pv-self-consumption"
VERSION = "1"
TITLE = "Self-consumption of solar PV power"

FORMULA = """\
pv-self-consumption v1
Inputs: pv_generation_kwh [kWh], pv_export_kwh [kWh], aux_grid_kwh [kWh] (0 if not
metered), ef_grid [t-CO2/kWh].
E_self = pv_generation_kwh - pv_export_kwh   [kWh]  (error if negative)
EM_BL = E_self * ef_grid                     [t-CO2]
EM_PJ = aux_grid_kwh * ef_grid               [t-CO2]
baseline_kg = floor(EM_BL * 1000)
project_kg = ceil(EM_PJ * 1000)
reduction_kg = max(0, baseline_kg - project_kg)
Exact rational arithmetic; rounding only in the three lines above.
"""

INPUTS: tuple[InputSpec, ...] = (
    InputSpec("pv_generation_kwh", "kWh", "PV generation"),
    InputSpec("pv_export_kwh", "kWh", "PV energy fed to the grid (not self-consumed)"),
    InputSpec(
        "aux_grid_kwh",
        "kWh",
        "power conditioner and auxiliaries drawn from the grid; 0 if not metered",
        required=False,
        default="0",
    ),
    InputSpec("ef_grid", "t-CO2/kWh", "grid electricity emission factor"),
)

OUTPUTS = ("baseline_kg", "project_kg", "reduction_kg")


def calculate(inputs: Mapping[str, Any]) -> ReductionResult:
    """Compute baseline, project and reduction in whole kg-CO2 with a full trace."""
    v = read_inputs(INPUTS, inputs)
    e_self = v["pv_generation_kwh"] - v["pv_export_kwh"]
    if e_self < 0:
        raise ValidationError(
            "E_self",
            e_self,
            "non-negative",
            f"{decimal_str(e_self)} is negative: pv_export_kwh "
            f"({decimal_str(v['pv_export_kwh'])}) exceeds pv_generation_kwh "
            f"({decimal_str(v['pv_generation_kwh'])})",
        )
    em_bl = e_self * v["ef_grid"]
    em_pj = v["aux_grid_kwh"] * v["ef_grid"]
    return reduction_result(
        NAME, VERSION, INPUTS, v, em_bl=em_bl, em_pj=em_pj,
        intermediates={"E_self": e_self},
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
