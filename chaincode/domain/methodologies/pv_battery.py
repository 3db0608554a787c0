"""pv-battery v1: PV with storage of surplus (e.g. Ena City's NAS battery).

PV energy counts when used directly or when it comes back out of the battery; the
battery's output is split between PV and grid charging in proportion to what went in, so
grid-charged energy earns nothing and charge/discharge losses reduce the credit. Project
emissions are the grid power drawn by battery heaters and auxiliaries.
"""

from __future__ import annotations

from collections.abc import Mapping
from fractions import Fraction
from typing import Any

from ..errors import ValidationError
from ..quantity import decimal_str
from .base import InputSpec, Methodology, ReductionResult, read_inputs, reduction_result

NAME = "pv-battery"
VERSION = "1"
TITLE = "Solar PV with battery storage of surplus"

FORMULA = """\
pv-battery v1
Inputs: pv_generation_kwh, pv_export_kwh, battery_charge_pv_kwh, battery_charge_grid_kwh,
battery_discharge_kwh, aux_grid_kwh [kWh]; ef_grid [t-CO2/kWh].
E_direct = pv_generation_kwh - pv_export_kwh - battery_charge_pv_kwh   [kWh] (error if negative)
E_bat_pv = battery_discharge_kwh * battery_charge_pv_kwh
           / (battery_charge_pv_kwh + battery_charge_grid_kwh)        [kWh] (0 if nothing charged)
EM_BL = (E_direct + E_bat_pv) * ef_grid                               [t-CO2]
EM_PJ = aux_grid_kwh * ef_grid                                        [t-CO2]
baseline_kg = floor(EM_BL * 1000)
project_kg = ceil(EM_PJ * 1000)
reduction_kg = max(0, baseline_kg - project_kg)
Exact rational arithmetic; rounding only in the three lines above.
"""

INPUTS: tuple[InputSpec, ...] = (
    InputSpec("pv_generation_kwh", "kWh", "PV generation"),
    InputSpec("pv_export_kwh", "kWh", "PV energy fed to the grid"),
    InputSpec("battery_charge_pv_kwh", "kWh", "battery charge from PV surplus"),
    InputSpec("battery_charge_grid_kwh", "kWh", "battery charge from the grid"),
    InputSpec("battery_discharge_kwh", "kWh", "battery output delivered to the facilities"),
    InputSpec("aux_grid_kwh", "kWh", "battery heaters and auxiliaries drawn from the grid"),
    InputSpec("ef_grid", "t-CO2/kWh", "grid electricity emission factor"),
)

OUTPUTS = ("baseline_kg", "project_kg", "reduction_kg")


def calculate(inputs: Mapping[str, Any]) -> ReductionResult:
    """Compute baseline, project and reduction in whole kg-CO2 with a full trace."""
    v = read_inputs(INPUTS, inputs)
    charge_pv = v["battery_charge_pv_kwh"]
    e_direct = v["pv_generation_kwh"] - v["pv_export_kwh"] - charge_pv
    if e_direct < 0:
        raise ValidationError(
            "E_direct",
            e_direct,
            "non-negative",
            f"{decimal_str(e_direct)} is negative: pv_export_kwh "
            f"({decimal_str(v['pv_export_kwh'])}) + battery_charge_pv_kwh "
            f"({decimal_str(charge_pv)}) exceed pv_generation_kwh "
            f"({decimal_str(v['pv_generation_kwh'])})",
        )
    charged = charge_pv + v["battery_charge_grid_kwh"]
    pv_share = charge_pv / charged if charged else Fraction(0)
    e_bat_pv = v["battery_discharge_kwh"] * pv_share
    em_bl = (e_direct + e_bat_pv) * v["ef_grid"]
    em_pj = v["aux_grid_kwh"] * v["ef_grid"]
    return reduction_result(
        NAME, VERSION, INPUTS, v, em_bl=em_bl, em_pj=em_pj,
        intermediates={"E_direct": e_direct, "E_charged": charged, "PV_share": pv_share,
                       "E_bat_pv": e_bat_pv},
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
