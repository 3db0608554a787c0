"""Ena City: PV plant, rooftop PV, 62 public facilities and a NAS battery, by interval.

Case study (domain.md): Ena Denryoku supplies 62 public facilities from a 300 kW PV
plant plus rooftop PV at 9 sites and a 1,200 kWh NAS battery. The energy balance per
interval (every figure in kWh, exact to the meter resolution of 0.001 kWh):

    pv = Σ pv_generation              load = Σ facilities' electricity
    pv ≥ load:  battery_charge_pv = min(surplus, power, room);  pv_export = the rest
    pv < load:  17:00–22:00 battery_discharge = min(deficit, power, stored);
                electricity_import = deficit − battery_discharge
    02:00–05:00 battery_charge_grid tops the battery up to its reserve (from the grid)
    aux_grid: the NAS battery's heaters (it runs at ~300 °C), always from the grid

so pv = (load − battery_discharge − electricity_import) + battery_charge_pv + pv_export
holds exactly, and the battery never charges and discharges in the same interval.

Devices (the meters a gateway reads), quantities as envalue.ingest names them:
- ``ena-pv-plant``, ``ena-pv-roof-01``…``-09``: pv_generation
- ``ena-nas``: battery_charge_pv, battery_charge_grid, battery_discharge, aux_grid
- ``ena-grid`` (the interconnection point): pv_export, electricity_import
- ``ena-fac-01``…``-62``: electricity (each facility's consumption)

Rooftop capacities and facility loads are not published; they are drawn from the seed
within plausible ranges (rooftops 10–50 kW; facilities sized so that the PV covers the
weekday midday load on clear days and leaves a surplus on weekends).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal

from envalue.edge.model import DeviceSeries, quantise
from envalue.edge.solar import cloud_factor, day_weather, solar_fraction

__all__ = ["EnaConfig", "EnaSimulation", "simulate_ena", "JST"]

JST = timezone(timedelta(hours=9))
_ZERO = Decimal("0.000")


@dataclass(frozen=True)
class EnaConfig:
    """Plant sizes and operating rules (defaults: the published Ena City figures)."""

    start: date = date(2024, 5, 1)
    days: int = 2
    interval_minutes: int = 30
    seed: int = 1
    plant_kw: float = 300.0
    rooftop_sites: int = 9
    facilities: int = 62
    performance_ratio: float = 0.8
    facility_peak_kw: float = 330.0  # all facilities together, weekday midday
    battery_kwh: float = 1200.0
    battery_kw: float = 200.0
    charge_efficiency: float = 0.92
    discharge_efficiency: float = 0.92
    reserve_soc: float = 0.15  # grid-charged back to this at night
    min_soc: float = 0.10  # discharge stops here
    initial_soc: float = 0.4
    heater_kw: float = 4.0  # NAS heater draw when idle (less while cycling)
    discharge_hours: tuple[int, int] = (17, 22)
    grid_charge_hours: tuple[int, int] = (2, 5)


@dataclass(slots=True)
class EnaSimulation:
    """The devices' clean series plus the battery's state of charge after each interval."""

    config: EnaConfig
    devices: list[DeviceSeries]
    soc_kwh: list[float] = field(default_factory=list)
    weather: list[str] = field(default_factory=list)

    def device(self, device_id: str) -> DeviceSeries:
        return next(d for d in self.devices if d.device_id == device_id)

    def pv_battery_inputs(self, ef_grid: str = "0.000457") -> dict[str, str]:
        """The pv-battery methodology inputs (methodologies.md) of the whole period,
        from the clean series: what the ledger would calculate from if nothing were lost."""
        pv = sum((d.total("pv_generation") for d in self.devices
                  if "pv_generation" in d.amounts), Decimal(0))
        nas, grid = self.device("ena-nas"), self.device("ena-grid")
        return {
            "pv_generation_kwh": str(pv),
            "pv_export_kwh": str(grid.total("pv_export")),
            "battery_charge_pv_kwh": str(nas.total("battery_charge_pv")),
            "battery_charge_grid_kwh": str(nas.total("battery_charge_grid")),
            "battery_discharge_kwh": str(nas.total("battery_discharge")),
            "aux_grid_kwh": str(nas.total("aux_grid")),
            "ef_grid": ef_grid,
        }


def _facility_profile(moment: datetime, weekend: bool) -> float:
    """Share of a facility's peak load at `moment` (offices, schools, halls)."""
    h = moment.hour + moment.minute / 60
    if weekend:
        return 0.25 + (0.1 if 9 <= h < 17 else 0.0)
    if 8.5 <= h < 17.5:
        return 0.85 + 0.15 * (1 - abs(h - 13) / 4.5)
    if 7 <= h < 8.5 or 17.5 <= h < 21:
        return 0.5
    return 0.25


def simulate_ena(config: EnaConfig | None = None) -> EnaSimulation:
    """Simulate `config.days` days from `config.start` (JST midnight); deterministic in
    `config.seed`."""
    c = config or EnaConfig()
    if c.interval_minutes <= 0 or 1440 % c.interval_minutes:
        raise ValueError("interval_minutes must divide a day")
    rng = random.Random(c.seed)
    step = timedelta(minutes=c.interval_minutes)
    hours = c.interval_minutes / 60
    n = c.days * 1440 // c.interval_minutes
    start = datetime.combine(c.start, datetime.min.time(), JST)
    stamps = [start + step * (i + 1) for i in range(n)]

    roofs = [round(rng.uniform(10, 50), 1) for _ in range(c.rooftop_sites)]
    weights = [rng.uniform(0.3, 1.7) for _ in range(c.facilities)]
    scale = c.facility_peak_kw / sum(weights)
    fac_peak = [w * scale for w in weights]
    weather = [day_weather(rng) for _ in range(c.days)]

    pv_ids = ["ena-pv-plant"] + [f"ena-pv-roof-{i + 1:02d}" for i in range(c.rooftop_sites)]
    pv_kw = [c.plant_kw, *roofs]
    fac_ids = [f"ena-fac-{i + 1:02d}" for i in range(c.facilities)]
    pv = {d: [] for d in pv_ids}
    fac = {d: [] for d in fac_ids}
    nas = {q: [] for q in ("battery_charge_pv", "battery_charge_grid", "battery_discharge",
                           "aux_grid")}
    grid = {q: [] for q in ("pv_export", "electricity_import")}
    soc = c.initial_soc * c.battery_kwh
    socs: list[float] = []

    for ts in stamps:
        mid = ts - step / 2
        day = (mid.date() - c.start).days
        sky = weather[day]
        sun = solar_fraction(mid)
        weekend = mid.weekday() >= 5
        pv_total = Decimal(0)
        for dev, kw in zip(pv_ids, pv_kw, strict=True):
            # each site has its own passing clouds; exactly zero when the sun is down
            e = (kw * c.performance_ratio * sun * sky.clearness * cloud_factor(rng, sky)
                 * hours) if sun > 0 else 0.0
            v = quantise(e)
            pv[dev].append(v)
            pv_total += v
        load = Decimal(0)
        profile = _facility_profile(mid, weekend)
        for dev, peak in zip(fac_ids, fac_peak, strict=True):
            v = quantise(peak * profile * rng.uniform(0.9, 1.1) * hours)
            fac[dev].append(v)
            load += v

        charge_pv = charge_grid = discharge = export = imported = _ZERO
        power = c.battery_kw * hours
        h = mid.hour
        if pv_total >= load:
            surplus = pv_total - load
            room = max(0.0, (c.battery_kwh - soc) / c.charge_efficiency)
            charge_pv = min(surplus, quantise(min(power, room), down=True))
            export = surplus - charge_pv
        else:
            deficit = load - pv_total
            if c.discharge_hours[0] <= h < c.discharge_hours[1]:
                stored = max(0.0, (soc - c.min_soc * c.battery_kwh) * c.discharge_efficiency)
                discharge = min(deficit, quantise(min(power, stored), down=True))
            imported = deficit - discharge
            if (c.grid_charge_hours[0] <= h < c.grid_charge_hours[1]
                    and soc < c.reserve_soc * c.battery_kwh):
                need = (c.reserve_soc * c.battery_kwh - soc) / c.charge_efficiency
                charge_grid = quantise(min(power / 4, need), down=True)
        soc += float(charge_pv + charge_grid) * c.charge_efficiency
        soc -= float(discharge) / c.discharge_efficiency
        cycling = charge_pv + charge_grid + discharge > 0
        aux = quantise(c.heater_kw * (0.5 if cycling else 1.0) * rng.uniform(0.9, 1.1) * hours)
        for q, v in (("battery_charge_pv", charge_pv), ("battery_charge_grid", charge_grid),
                     ("battery_discharge", discharge), ("aux_grid", aux)):
            nas[q].append(v)
        grid["pv_export"].append(export)
        grid["electricity_import"].append(imported)
        socs.append(soc)

    kwh = "kWh"
    devices = [
        DeviceSeries(dev, stamps, {"pv_generation": pv[dev]}, {"pv_generation": kwh},
                     description=f"PV {kw} kW", meta={"capacity_kw": kw})
        for dev, kw in zip(pv_ids, pv_kw, strict=True)
    ]
    devices.append(DeviceSeries("ena-nas", stamps, nas, dict.fromkeys(nas, kwh),
                                description=f"NAS battery {c.battery_kwh:g} kWh"))
    devices.append(DeviceSeries("ena-grid", stamps, grid, dict.fromkeys(grid, kwh),
                                description="grid interconnection meter"))
    devices += [
        DeviceSeries(dev, stamps, {"electricity": fac[dev]}, {"electricity": kwh},
                     description="public facility", meta={"peak_kw": round(peak, 2)})
        for dev, peak in zip(fac_ids, fac_peak, strict=True)
    ]
    return EnaSimulation(c, devices, socs, [w.kind for w in weather])
