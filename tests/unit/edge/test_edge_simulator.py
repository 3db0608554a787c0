"""The simulator's models: deterministic, and physically plausible."""

from __future__ import annotations

from decimal import Decimal

import pytest

from envalue.chaincode.domain.methodologies import calculate
from envalue.edge import BoilerConfig, EnaConfig, simulate, simulate_boiler, simulate_ena
from envalue.edge.boiler import FUELS
from envalue.edge.defects import DefectRates
from envalue.edge.solar import solar_fraction

pytestmark = pytest.mark.unit


def test_same_seed_same_bytes_other_seed_other_bytes() -> None:
    rates = DefectRates.field_like(seed=5)
    a = simulate("ena", days=1, seed=3, rates=rates, devices=["ena-nas", "ena-pv-plant"])
    b = simulate("ena", days=1, seed=3, rates=rates, devices=["ena-nas", "ena-pv-plant"])
    c = simulate("ena", days=1, seed=4, rates=rates, devices=["ena-nas", "ena-pv-plant"])
    assert [u.body for u in a.uploads] == [u.body for u in b.uploads]
    assert [u.report.to_dict() for u in a.uploads] == [u.report.to_dict() for u in b.uploads]
    assert [u.body for u in a.uploads] != [u.body for u in c.uploads]


def test_ena_layout_matches_the_case_study() -> None:
    sim = simulate_ena(EnaConfig(days=1))
    ids = [d.device_id for d in sim.devices]
    assert sum(i.startswith("ena-pv-roof-") for i in ids) == 9
    assert sum(i.startswith("ena-fac-") for i in ids) == 62
    assert sim.device("ena-pv-plant").meta["capacity_kw"] == 300.0
    assert len(sim.device("ena-nas").timestamps) == 48


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pv_is_zero_at_night_and_bounded_by_capacity(seed: int) -> None:
    cfg = EnaConfig(days=3, seed=seed, interval_minutes=15)
    sim = simulate_ena(cfg)
    step = sim.devices[0].timestamps[1] - sim.devices[0].timestamps[0]
    hours = Decimal(cfg.interval_minutes) / 60
    for dev in (d for d in sim.devices if "pv_generation" in d.amounts):
        kw = Decimal(str(dev.meta["capacity_kw"]))
        for ts, v in zip(dev.timestamps, dev.amounts["pv_generation"], strict=True):
            if solar_fraction(ts - step / 2) == 0:
                assert v == 0, (dev.device_id, ts)
            assert 0 <= v <= kw * hours * Decimal("1.1")
            if ts.hour in (0, 1, 2, 3, 22, 23):
                assert v == 0
        assert dev.total("pv_generation") > 0


def test_battery_never_charges_and_discharges_at_once_and_energy_balances() -> None:
    sim = simulate_ena(EnaConfig(days=7, seed=11))
    nas, grid = sim.device("ena-nas"), sim.device("ena-grid")
    pv_devs = [d for d in sim.devices if "pv_generation" in d.amounts]
    fac = [d for d in sim.devices if d.device_id.startswith("ena-fac-")]
    cfg = sim.config
    for i, _ in enumerate(nas.timestamps):
        charge = nas.amounts["battery_charge_pv"][i] + nas.amounts["battery_charge_grid"][i]
        discharge = nas.amounts["battery_discharge"][i]
        assert charge == 0 or discharge == 0
        assert nas.amounts["aux_grid"][i] > 0  # the heaters always draw
        pv = sum(d.amounts["pv_generation"][i] for d in pv_devs)
        load = sum(d.amounts["electricity"][i] for d in fac)
        direct = load - discharge - grid.amounts["electricity_import"][i]
        assert pv == direct + nas.amounts["battery_charge_pv"][i] + grid.amounts["pv_export"][i]
        assert grid.amounts["pv_export"][i] == 0 or grid.amounts["electricity_import"][i] == 0
        assert cfg.min_soc * cfg.battery_kwh - 1e-6 <= sim.soc_kwh[i] <= cfg.battery_kwh + 1e-6, i
    # over a week the battery both charges from PV and discharges in the evening
    assert nas.total("battery_charge_pv") > 0
    assert nas.total("battery_discharge") > 0
    step = nas.timestamps[1] - nas.timestamps[0]
    assert all(17 <= (ts - step / 2).hour < 22
               for ts, v in zip(nas.timestamps, nas.amounts["battery_discharge"], strict=True)
               if v > 0)


def test_pv_battery_inputs_calculate_a_reduction() -> None:
    sim = simulate_ena(EnaConfig(days=7, seed=11))
    result = calculate("pv-battery", sim.pv_battery_inputs())
    assert result.to_dict()["reduction_kg"] > 0


@pytest.mark.parametrize("fuel_switch", [False, True])
def test_boiler_efficiency_before_and_after(fuel_switch: bool) -> None:
    cfg = BoilerConfig(days=7, new_fuel="city-gas" if fuel_switch else "a-heavy-oil")
    old, new = simulate_boiler(cfg)
    assert new.timestamps[0] > old.timestamps[-1]
    effs = []
    for dev, rated in ((old, cfg.old_efficiency), (new, cfg.new_efficiency)):
        quantity, unit, hv = FUELS[str(dev.meta["fuel"])]
        assert dev.units[quantity] == unit
        eff = float(dev.total("heat")) / (float(dev.total(quantity)) * hv)
        assert rated * 0.9 < eff <= rated * 1.02
        effs.append(eff)
    assert effs[1] > effs[0]
    if fuel_switch:
        assert "fuel_gas" in new.amounts and "fuel" in old.amounts


def test_counters_rise_except_at_injected_resets_and_rollovers() -> None:
    rates = DefectRates(reset=0.02, rollover=0.02, seed=9)
    sim = simulate("boiler", days=4, kind="cumulative", rates=rates)
    events = 0
    for up in sim.uploads:
        rows = [r.split(",") for r in up.body.decode().splitlines()[1:]]
        by_q: dict[str, list[tuple[str, Decimal]]] = {}
        for ts, _dev, q, value, _unit, kind in rows:
            if kind == "cumulative":
                by_q.setdefault(q, []).append((ts, Decimal(value)))
        marks = {(e.quantity, e.ts.isoformat())
                 for e in up.report.resets + up.report.rollovers}
        events += len(marks)
        for q, series in by_q.items():
            for (_, prev), (ts, cur) in zip(series, series[1:], strict=False):
                if cur < prev:
                    assert (q, ts) in marks, (up.device_id, q, ts)
        assert "heat" not in by_q  # heat stays an interval quantity
    assert events >= 2
