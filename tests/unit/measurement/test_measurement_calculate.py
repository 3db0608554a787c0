"""On-ledger calculation from anchored batches, for every built-in methodology.

Figures are hand-worked below (and agree with tests/unit/domain, which checks the same
methodology code off the ledger).
"""

from __future__ import annotations

import pytest
from measurement_world import (
    CUSTOMER,
    MUNICIPALITY,
    OPERATOR,
    VERIFIER,
    anchor_msg,
    base_world,
    calc_msg,
    jst,
    may,
    setup_boiler,
    setup_inventory,
    setup_pv,
    setup_pv_battery,
)
from registry_world import World

from envalue.chaincode.domain.errors import (
    ConflictError,
    ForbiddenError,
    NotFoundError,
    ValidationError,
)
from envalue.chaincode.domain.measurement import msg_anchor_batch, msg_calculate
from envalue.chaincode.domain.measurement.state import CalculationRecord, Supersession
from envalue.chaincode.domain.methodologies import get_methodology
from envalue.chaincode.domain.registry.state import load, load_or_none

pytestmark = pytest.mark.unit


def calculation(world: World, calc_id: str) -> CalculationRecord:
    return world.query(lambda s: load(s, CalculationRecord, calc_id, field_name="", what=""))


def calculate(world: World, equipment_id: str, who: object = MUNICIPALITY,
              **extra: str) -> CalculationRecord:
    start, end = may()
    events = world.submit(who, msg_calculate, calc_msg(equipment_id, start, end, **extra))  # type: ignore[arg-type]
    return calculation(world, events[0].attributes["calculation_id"])


def pv_world(meter_valid_until: str = "2031-03-31T00:00:00+09:00") -> World:
    """PV self-consumption for May 2024 in two half-month batches."""
    world = base_world()
    device = setup_pv(world, meter_valid_until=meter_valid_until)
    start, end = may()
    mid = jst(2024, 5, 16)
    world.submit(MUNICIPALITY, msg_anchor_batch, anchor_msg(device, start, mid, {
        "pv_generation": ("6000.5", "kWh"), "pv_export": ("300.25", "kWh"),
        "aux_grid": ("75", "kWh")}))
    world.submit(MUNICIPALITY, msg_anchor_batch, anchor_msg(device, mid, end, {
        "pv_generation": ("3999.5", "kWh"), "pv_export": ("199.75", "kWh"),
        "aux_grid": ("75", "kWh")}))
    return world


def test_pv_self_consumption_from_two_batches() -> None:
    # totals       : generation 6000.5 + 3999.5 = 10 000; export 300.25 + 199.75 = 500;
    #                aux 75 + 75 = 150 kWh; ef_grid FY2024 (v2) = 0.000464 t/kWh
    # E_self       = 10 000 − 500 = 9 500 kWh
    # EM_BL        = 9 500 × 0.000464 = 4.408 t  → baseline_kg floor(4 408)   = 4 408
    # EM_PJ        = 150 × 0.000464   = 0.0696 t → project_kg ceil(69.6)      = 70
    # reduction_kg = 4 408 − 70 = 4 338
    world = pv_world()
    record = calculate(world, "pv-1")
    assert record.outputs == {"baseline_kg": 4408, "project_kg": 70, "reduction_kg": 4338}
    assert record.inputs == {"pv_generation_kwh": "10000", "pv_export_kwh": "500",
                             "aux_grid_kwh": "150", "ef_grid": "0.000464"}
    assert record.input_sources["ef_grid"] == "factor jp-grid/jp-grid-fy2024@2 ef_grid"
    assert len(record.batch_ids) == 2 and record.meter_ids == ["m-pv-1"]
    assert record.formula_hash == get_methodology("pv-self-consumption").formula_hash
    assert record.factors[0]["version"] == "2" and record.factors[0]["activated_tx"]
    assert record.trace["E_self"] == "9500"
    # the same methodology code off the ledger (the dry run) gives the same record
    assert get_methodology("pv-self-consumption").calculate(record.inputs).outputs() \
        == record.outputs


def test_pv_battery_from_two_meters() -> None:
    # E_direct = 30 000 − 1 000 − 4 000 = 25 000; PV share 4 000 / 5 000 = 0.8;
    # E_bat_pv = 4 250 × 0.8 = 3 400; EM_BL = 28 400 × 0.000464 = 13.1776 t → 13 177 kg;
    # EM_PJ = 600 × 0.000464 = 0.2784 t → 279 kg; reduction 12 898 kg
    world = base_world()
    pv, bat = setup_pv_battery(world)
    start, end = may()
    world.submit(MUNICIPALITY, msg_anchor_batch, anchor_msg(pv, start, end, {
        "pv_generation": ("30000", "kWh"), "pv_export": ("1000", "kWh")}))
    world.submit(MUNICIPALITY, msg_anchor_batch, anchor_msg(bat, start, end, {
        "battery_charge_pv": ("4000", "kWh"), "battery_charge_grid": ("1000", "kWh"),
        "battery_discharge": ("4250", "kWh"), "aux_grid": ("600", "kWh")}))
    record = calculate(world, "pvb-1")
    assert record.outputs == {"baseline_kg": 13177, "project_kg": 279, "reduction_kg": 12898}
    assert sorted(record.meter_ids) == ["m-pvb-bat", "m-pvb-pv"]
    assert record.trace["E_bat_pv"] == "3400"


def test_boiler_replacement_fuel_litres_to_kilolitres() -> None:
    # fuel 100 000 L = 100 kL A heavy oil; hv 38.9; cef 0.0193 × 44/12; eff 0.95 / 0.80
    # EM_PJ = 3 890 × 0.0193 × 44/12 = 275.2823… t → 275 283 kg
    # EM_BL = 3 890 × 0.95 / 0.80 × 0.0193 × 44/12 = 326.8977… t → 326 897 kg
    # reduction 51 614 kg (as tests/unit/domain/test_domain_boiler_replacement.py)
    world = base_world()
    device = setup_boiler(world)
    start, end = may()
    world.submit(CUSTOMER, msg_anchor_batch,
                 anchor_msg(device, start, end, {"fuel": ("100000", "L")}))
    record = calculate(world, "boiler-1", CUSTOMER)
    assert record.outputs == {"baseline_kg": 326897, "project_kg": 275283,
                              "reduction_kg": 51614}
    assert record.inputs == {"fuel_pj": "100", "hv_pj": "38.9", "cef_pj": "0.0193*44/12",
                             "eff_pj": "0.95", "eff_bl": "0.8", "cef_bl": "0.0193*44/12"}
    assert record.input_sources["fuel_pj"] == "sum of batch totals of fuel in kL"
    assert [f["role"] for f in record.factors] == ["baseline_fuel", "project_fuel"]


def test_inventory_scope1_and_scope2() -> None:
    # city gas 50 000 Nm3 = 50 thousand Nm3 × 40.0 GJ × 0.0140 × 44/12 = 102.666… t
    #   → scope1_kg ceil(102 666.67) = 102 667
    # electricity 20 000 kWh × 0.000464 = 9.28 t → scope2_location_kg 9 280
    # market: (20 000 − 5 000) × 0.0004 = 6 t → scope2_market_kg 6 000
    # emissions_kg = 102 667 + 9 280 = 111 947
    world = base_world()
    gas, power = setup_inventory(world)
    start, end = may()
    world.submit(CUSTOMER, msg_anchor_batch,
                 anchor_msg(gas, start, end, {"fuel_gas": ("50000", "Nm3")}))
    world.submit(CUSTOMER, msg_anchor_batch,
                 anchor_msg(power, start, end, {"electricity": ("20000", "kWh")}))
    record = calculate(world, "site-2-inventory", CUSTOMER)
    assert record.outputs == {"scope1_kg": 102667, "scope2_location_kg": 9280,
                              "scope2_market_kg": 6000, "emissions_kg": 111947}
    assert record.inputs["fuels"] == [
        {"fuel": "city_gas", "amount": "50", "hv": "40.0", "cef": "0.0140*44/12"}]
    assert record.reduction_kg is None


def test_same_period_cannot_be_calculated_twice() -> None:
    world = pv_world()
    first = calculate(world, "pv-1")
    start, end = may()
    error = world.refuse(MUNICIPALITY, msg_calculate, calc_msg("pv-1", start, end),
                         ConflictError)
    assert error.rule == "no-double-counting"
    assert first.calculation_id in str(error)
    # an overlapping sub-period is double counting too
    world.refuse(MUNICIPALITY, msg_calculate, calc_msg("pv-1", start, jst(2024, 5, 16)),
                 ConflictError)


def test_supersede_keeps_the_old_record_and_records_the_reason() -> None:
    world = pv_world()
    old = calculate(world, "pv-1")
    old_bytes = old.to_bytes()
    start, end = may()
    world.refuse(MUNICIPALITY, msg_calculate,
                 calc_msg("pv-1", start, end, supersedes=old.calculation_id), ValidationError)
    new = calculate(world, "pv-1", supersedes=old.calculation_id,
                    reason="grid factor corrected")
    assert new.calculation_id != old.calculation_id
    assert new.supersedes == old.calculation_id and new.reason == "grid factor corrected"
    assert calculation(world, old.calculation_id).to_bytes() == old_bytes  # never edited
    link = world.query(lambda s: load_or_none(s, Supersession, old.calculation_id))
    assert link.superseded_by == new.calculation_id and link.reason == "grid factor corrected"
    # the superseded one cannot be superseded again
    error = world.refuse(MUNICIPALITY, msg_calculate,
                         calc_msg("pv-1", start, end, supersedes=old.calculation_id,
                                  reason="again"), ConflictError)
    assert error.rule == "not-superseded"


def test_expired_meter_cannot_feed_a_calculation() -> None:
    world = pv_world(meter_valid_until="2024-05-20T00:00:00+09:00")
    start, end = may()
    error = world.refuse(MUNICIPALITY, msg_calculate, calc_msg("pv-1", start, end),
                         ValidationError)
    assert error.rule == "meter-verification"
    assert "cannot feed a credit" in str(error)


def test_gaps_and_boundaries_are_refused() -> None:
    world = pv_world()
    error = world.refuse(MUNICIPALITY, msg_calculate,
                         calc_msg("pv-1", jst(2024, 5), jst(2024, 7)), ValidationError)
    assert error.rule == "complete-data"
    error = world.refuse(MUNICIPALITY, msg_calculate,
                         calc_msg("pv-1", jst(2024, 5), jst(2024, 5, 20)), ValidationError)
    assert error.rule == "batch-inside-period"


def test_meters_without_anchored_batches_are_incomplete_data() -> None:
    world = base_world()
    setup_pv_battery(world)
    start, end = may()
    error = world.refuse(MUNICIPALITY, msg_calculate, calc_msg("pvb-1", start, end),
                         ValidationError)
    assert error.rule == "complete-data"  # meters exist but no batches were anchored


def test_unregistered_grid_value_is_named() -> None:
    world = base_world()
    device = setup_pv(world)
    start, end = jst(2023, 5), jst(2023, 6)  # FY2023: only genesis v1, without a value
    world.submit(MUNICIPALITY, msg_anchor_batch, anchor_msg(device, start, end, {
        "pv_generation": ("1", "kWh"), "pv_export": ("0", "kWh"), "aux_grid": ("0", "kWh")}))
    error = world.refuse(MUNICIPALITY, msg_calculate, calc_msg("pv-1", start, end),
                         NotFoundError)
    assert error.rule == "factor-value"
    assert "jp-grid/jp-grid-fy2023@1 has no registered ef_grid value" in str(error)


def test_only_the_owner_side_calculates() -> None:
    world = pv_world()
    start, end = may()
    world.refuse(CUSTOMER, msg_calculate, calc_msg("pv-1", start, end), ForbiddenError)
    world.refuse(VERIFIER, msg_calculate, calc_msg("pv-1", start, end), ForbiddenError)
    world.submit(OPERATOR, msg_calculate, calc_msg("pv-1", start, end))
