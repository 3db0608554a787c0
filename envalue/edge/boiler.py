"""A packaged boiler before and after replacement by a high-efficiency one.

Case study (domain.md): IHI Packaged Boiler's i-Labo monitoring data show the reduction
from replacing a boiler. Both boilers serve the same factory steam demand (two shifts on
weekdays, a low weekend load); the old one burns A heavy oil (litres) at a lower
efficiency, the new one burns A heavy oil or, with a fuel switch, city gas (Nm3).

Per interval: steam (kg) from the demand profile; heat delivered (GJ) = steam × 2.68 MJ/kg
(saturated steam at 0.7 MPa from 20 °C feed water); fuel = heat / (efficiency × heating
value), the efficiency dropping at part load. Heating values are the ones of the
reference table (A heavy oil 38.9 GJ/kL, city gas 40.0 GJ/thousand Nm3).
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from envalue.edge.ena import JST
from envalue.edge.model import DeviceSeries, quantise

__all__ = ["BoilerConfig", "FUELS", "simulate_boiler"]

STEAM_ENTHALPY_GJ_PER_KG = 0.00268
# fuel name -> (quantity, unit, GJ per unit)
FUELS: dict[str, tuple[str, str, float]] = {
    "a-heavy-oil": ("fuel", "L", 0.0389),
    "city-gas": ("fuel_gas", "Nm3", 0.0400),
}


@dataclass(frozen=True)
class BoilerConfig:
    """The replacement: old and new boiler, their fuels and rated efficiencies."""

    start: date = date(2024, 4, 1)
    days: int = 2
    interval_minutes: int = 30
    seed: int = 7
    rated_steam_kg_h: float = 2000.0
    old_efficiency: float = 0.80
    new_efficiency: float = 0.92
    old_fuel: str = "a-heavy-oil"
    new_fuel: str = "a-heavy-oil"
    old_device: str = "boiler-old"
    new_device: str = "boiler-new"


def _demand(moment: datetime) -> float:
    """Steam demand as a share of the rated output."""
    h = moment.hour + moment.minute / 60
    if moment.weekday() >= 5:
        return 0.15
    if 8 <= h < 12 or 13 <= h < 20:
        return 0.8
    if 6 <= h < 8 or 12 <= h < 13 or 20 <= h < 22:
        return 0.45
    return 0.12


def _part_load_efficiency(rated: float, load: float) -> float:
    """Efficiency falls off below ~40 % load (radiation and purge losses)."""
    return rated * (1 - 0.08 * max(0.0, 0.4 - load) / 0.4)


def _one(c: BoilerConfig, device: str, start: date, efficiency: float, fuel: str,
         rng: random.Random) -> DeviceSeries:
    quantity, unit, hv = FUELS[fuel]
    step = timedelta(minutes=c.interval_minutes)
    hours = c.interval_minutes / 60
    n = c.days * 1440 // c.interval_minutes
    t0 = datetime.combine(start, datetime.min.time(), JST)
    stamps = [t0 + step * (i + 1) for i in range(n)]
    steam, heat, fuel_used = [], [], []
    for ts in stamps:
        load = _demand(ts - step / 2) * rng.uniform(0.85, 1.1)
        kg = c.rated_steam_kg_h * load * hours
        gj = kg * STEAM_ENTHALPY_GJ_PER_KG
        eff = _part_load_efficiency(efficiency, load) * rng.uniform(0.99, 1.01)
        steam.append(quantise(kg))
        heat.append(quantise(gj, Decimal("0.0001")))
        fuel_used.append(quantise(gj / (eff * hv)))
    return DeviceSeries(
        device, stamps, {quantity: fuel_used, "steam": steam, "heat": heat},
        {quantity: unit, "steam": "kg", "heat": "GJ"},
        description=f"boiler, {fuel}, rated efficiency {efficiency}",
        meta={"fuel": fuel, "heating_value_gj": hv, "efficiency": efficiency},
    )


def simulate_boiler(config: BoilerConfig | None = None) -> list[DeviceSeries]:
    """The old boiler for `days` days from `start`, then the new one for the next `days`
    days; deterministic in `seed`."""
    c = config or BoilerConfig()
    for fuel in (c.old_fuel, c.new_fuel):
        if fuel not in FUELS:
            raise ValueError(f"unknown fuel {fuel!r}; expected one of {', '.join(FUELS)}")
    if c.interval_minutes <= 0 or 1440 % c.interval_minutes:
        raise ValueError("interval_minutes must divide a day")
    rng = random.Random(c.seed)
    old = _one(c, c.old_device, c.start, c.old_efficiency, c.old_fuel, rng)
    new = _one(c, c.new_device, c.start + timedelta(days=c.days), c.new_efficiency,
               c.new_fuel, rng)
    return [old, new]
