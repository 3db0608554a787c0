"""From anchored batch totals, registered factors and equipment data to methodology inputs.

The mapping per built-in methodology (quantity names are the ingestion's, totals in their
canonical units; "metered" means some meter of the equipment has that channel):

======================  =========================  ==========================================
methodology             input                      source
======================  =========================  ==========================================
pv-self-consumption     pv_generation_kwh          Σ ``pv_generation`` (kWh), required
                        pv_export_kwh              Σ ``pv_export`` (kWh), required
                        aux_grid_kwh               Σ ``aux_grid`` (kWh) if metered, else omitted
                                                   (the methodology's default 0)
                        ef_grid                    factor bound as ``grid``: ``ef_grid``
pv-battery              pv_generation_kwh,         Σ ``pv_generation``, ``pv_export``,
                        pv_export_kwh,             ``battery_charge_pv``,
                        battery_charge_pv_kwh,     ``battery_charge_grid``,
                        battery_charge_grid_kwh,   ``battery_discharge``, ``aux_grid``
                        battery_discharge_kwh,     (kWh), all required
                        aux_grid_kwh
                        ef_grid                    factor bound as ``grid``
boiler-replacement      fuel_pj                    Σ of the fuel quantity matching the
                                                   ``project_fuel`` factor's unit, converted:
                                                   ``fuel`` L → kL, ``fuel_gas`` Nm3 →
                                                   thousand Nm3, ``fuel_mass`` kg → t (÷1000)
                        hv_pj, cef_pj              ``project_fuel`` factor: ``hv``, ``cef``
                        cef_bl                     ``baseline_fuel`` factor: ``cef``
                        eff_pj                     equipment ``efficiency`` (if registered)
                        eff_bl                     equipment parameter ``eff_bl``, required
                        heat_gj                    Σ ``heat`` (GJ) if metered
inventory               fuels[i]                   one line per bound fuel role ``fuel``,
                                                   ``fuel_gas``, ``fuel_mass`` (in that
                                                   order): fuel = factor id, amount = Σ of
                                                   that quantity in the factor's unit,
                                                   hv/cef from the factor
                        electricity_kwh            Σ ``electricity`` (kWh), required
                        ef_grid                    factor bound as ``grid``
                        ef_market,                 equipment parameters, optional
                        certificates_kwh
======================  =========================  ==========================================

Factors are chosen by `registry.governance.select_factor` for the whole period.
Values are passed to the methodology as decimal strings (or the factor's exact
expression), exactly as recorded in the calculation record, so that
``envalue calc --dry-run`` on the recorded inputs reproduces the figures.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from envalue.chaincode.domain.errors import NotFoundError, ValidationError
from envalue.chaincode.domain.merkle import decimal_text
from envalue.chaincode.domain.registry.governance import select_factor
from envalue.chaincode.domain.registry.state import Equipment, FactorVersion
from envalue.chaincode.domain.store import Store

from .quantities import FUEL_QUANTITY_OF_UNIT, fuel_in_factor_unit

__all__ = [
    "BINDINGS",
    "PARAMETERS",
    "QuantityNeed",
    "build_inputs",
    "check_enrollment",
    "quantity_needs",
    "select_factors",
]

#: methodology -> (required factor binding roles, optional roles).
BINDINGS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "boiler-replacement": (("project_fuel", "baseline_fuel"), ()),
    "pv-self-consumption": (("grid",), ()),
    "pv-battery": (("grid",), ()),
    "inventory": (("grid",), ("fuel", "fuel_gas", "fuel_mass")),
}
#: methodology -> (required parameters, optional parameters).
PARAMETERS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "boiler-replacement": (("eff_bl",), ()),
    "pv-self-consumption": ((), ()),
    "pv-battery": ((), ()),
    "inventory": ((), ("ef_market", "certificates_kwh")),
}
_FUEL_ROLES = ("fuel", "fuel_gas", "fuel_mass")
_PV_BATTERY = ("pv_generation", "pv_export", "battery_charge_pv", "battery_charge_grid",
               "battery_discharge", "aux_grid")
#: The factor kind each binding role needs.
_ROLE_KIND = {"grid": "grid", "project_fuel": "fuel", "baseline_fuel": "fuel", "fuel": "fuel",
              "fuel_gas": "fuel", "fuel_mass": "fuel"}


@dataclass(frozen=True)
class QuantityNeed:
    """A metered quantity a calculation reads, for which input, and whether it must be."""

    quantity: str
    input_name: str
    required: bool


def check_enrollment(
    methodology: str, bindings: Mapping[str, Any], parameters: Mapping[str, Any]
) -> None:
    """The equipment's bindings and parameters are exactly what `methodology` reads."""
    if methodology not in BINDINGS:
        raise ValidationError(
            "methodology", methodology, "mapped-methodology",
            f"{methodology!r} has no input mapping in this chaincode "
            f"(mapped: {', '.join(sorted(BINDINGS))})",
        )
    for kind, (required, optional), given in (
        ("factor_bindings", BINDINGS[methodology], bindings),
        ("parameters", PARAMETERS[methodology], parameters),
    ):
        for name in given:
            if name not in required + optional:
                allowed = ", ".join(required + optional) or "none"
                raise ValidationError(f"{kind}.{name}", given[name], "unknown-binding",
                                      f"is not read by {methodology} (expected: {allowed})")
        for name in required:
            if name not in given:
                raise ValidationError(f"{kind}.{name}", None, "required",
                                      f"is required for {methodology}")


async def select_factors(
    store: Store, equipment: Equipment, start: datetime, end: datetime
) -> dict[str, FactorVersion]:
    """The factor version of each binding role, valid for the whole period."""
    selected: dict[str, FactorVersion] = {}
    for role, series in sorted(equipment.factor_bindings.items()):
        record = await select_factor(store, series, start, end, f"factor_bindings.{role}")
        if record.kind != _ROLE_KIND[role]:
            raise ValidationError(f"factor_bindings.{role}", series, "factor-kind",
                                  f"series {series!r} holds {record.kind} factors, "
                                  f"{role} needs a {_ROLE_KIND[role]} factor")
        if role in _FUEL_ROLES and FUEL_QUANTITY_OF_UNIT[record.unit][0] != role:
            raise ValidationError(f"factor_bindings.{role}", series, "factor-unit",
                                  f"factor {record.factor_id} is per {record.unit}, which is "
                                  f"not the unit of metered {role}")
        selected[role] = record
    return selected


def quantity_needs(
    equipment: Equipment, factors: Mapping[str, FactorVersion]
) -> list[QuantityNeed]:
    """The metered quantities the equipment's methodology reads (table in the docstring)."""
    name = equipment.methodology
    if name == "pv-self-consumption":
        return [QuantityNeed("pv_generation", "pv_generation_kwh", True),
                QuantityNeed("pv_export", "pv_export_kwh", True),
                QuantityNeed("aux_grid", "aux_grid_kwh", False)]
    if name == "pv-battery":
        return [QuantityNeed(q, f"{q}_kwh", True) for q in _PV_BATTERY]
    if name == "boiler-replacement":
        fuel = FUEL_QUANTITY_OF_UNIT[factors["project_fuel"].unit][0]
        return [QuantityNeed(fuel, "fuel_pj", True), QuantityNeed("heat", "heat_gj", False)]
    if name == "inventory":
        return [QuantityNeed(role, f"fuels.{role}", True)
                for role in _FUEL_ROLES if role in factors] + [
            QuantityNeed("electricity", "electricity_kwh", True)]
    raise ValidationError("methodology", name, "mapped-methodology",
                          f"{name!r} has no input mapping in this chaincode")


def _value(record: FactorVersion, name: str, role: str) -> str:
    if name not in record.values:
        raise NotFoundError(
            f"factor_bindings.{role}", f"{record.factor_id}@{record.version}", "factor-value",
            f"factor {record.series}/{record.factor_id}@{record.version} has no registered "
            f"{name} value; governance must register one (propose and approve a new version)",
        )
    return record.values[name]


def _label(record: FactorVersion, name: str) -> str:
    return f"factor {record.series}/{record.factor_id}@{record.version} {name}"


def build_inputs(
    equipment: Equipment,
    factors: Mapping[str, FactorVersion],
    totals: Mapping[str, Decimal],
) -> tuple[dict[str, Any], dict[str, str]]:
    """The methodology inputs and, for each, where it came from.

    `totals` holds the summed total of every metered needed quantity (absent = not metered).
    """
    inputs: dict[str, Any] = {}
    sources: dict[str, str] = {}

    def metered(input_name: str, quantity: str, value: Decimal, unit: str = "") -> None:
        inputs[input_name] = decimal_text(value)
        sources[input_name] = f"sum of batch totals of {quantity}" + (f" in {unit}" if unit else "")

    def factor(input_name: str, role: str, name: str) -> None:
        inputs[input_name] = _value(factors[role], name, role)
        sources[input_name] = _label(factors[role], name)

    method = equipment.methodology
    if method in ("pv-self-consumption", "pv-battery"):
        for need in quantity_needs(equipment, factors):
            if need.quantity in totals:
                metered(need.input_name, need.quantity, totals[need.quantity])
        factor("ef_grid", "grid", "ef_grid")
    elif method == "boiler-replacement":
        project = factors["project_fuel"]
        fuel = FUEL_QUANTITY_OF_UNIT[project.unit][0]
        metered("fuel_pj", fuel, fuel_in_factor_unit(totals[fuel], project.unit), project.unit)
        factor("hv_pj", "project_fuel", "hv")
        factor("cef_pj", "project_fuel", "cef")
        if equipment.efficiency:
            inputs["eff_pj"] = equipment.efficiency
            sources["eff_pj"] = "equipment efficiency"
        inputs["eff_bl"] = equipment.parameters["eff_bl"]
        sources["eff_bl"] = "equipment parameter eff_bl"
        factor("cef_bl", "baseline_fuel", "cef")
        if "heat" in totals:
            metered("heat_gj", "heat", totals["heat"])
    elif method == "inventory":
        lines = []
        for index, role in enumerate(r for r in _FUEL_ROLES if r in factors):
            record = factors[role]
            lines.append({
                "fuel": record.factor_id,
                "amount": decimal_text(fuel_in_factor_unit(totals[role], record.unit)),
                "hv": _value(record, "hv", role),
                "cef": _value(record, "cef", role),
            })
            sources[f"fuels[{index}]"] = (
                f"sum of batch totals of {role} in {record.unit}; "
                f"{_label(record, 'hv')} and cef"
            )
        inputs["fuels"] = lines
        sources["fuels"] = "one line per bound fuel"
        metered("electricity_kwh", "electricity", totals["electricity"])
        factor("ef_grid", "grid", "ef_grid")
        for name in ("ef_market", "certificates_kwh"):
            if name in equipment.parameters:
                inputs[name] = equipment.parameters[name]
                sources[name] = f"equipment parameter {name}"
    return inputs, sources
