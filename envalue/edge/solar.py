"""Solar geometry and weather, simplified but with the right shape for central Japan.

Why: PV output must be exactly zero at night, follow a bell curve over the day whose
length changes with the season, and vary between clear, cloudy and rainy days and within
a day as clouds pass. The model is a clear-sky bell (sine of the hour angle between
sunrise and sunset, raised to 1.3) times a daily clearness index times a per-interval
cloud factor; it is not an irradiance model and is not meant to be one.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import date, datetime

__all__ = ["DayWeather", "daylight_hours", "solar_fraction", "day_weather"]

ENA_LATITUDE = 35.45  # Ena City, Gifu
SOLAR_NOON_HOUR = 11.75  # local solar noon in JST at 137.4°E


def daylight_hours(day: date, latitude: float = ENA_LATITUDE) -> float:
    """Day length from the solar declination (standard sunrise equation)."""
    doy = day.timetuple().tm_yday
    decl = math.radians(-23.44) * math.cos(2 * math.pi * (doy + 10) / 365)
    x = -math.tan(math.radians(latitude)) * math.tan(decl)
    return 24 * math.acos(max(-1.0, min(1.0, x))) / math.pi


def solar_fraction(moment: datetime, latitude: float = ENA_LATITUDE) -> float:
    """Clear-sky output as a fraction of peak at a local `moment`; 0 outside daylight."""
    hours = daylight_hours(moment.date(), latitude)
    sunrise = SOLAR_NOON_HOUR - hours / 2
    t = moment.hour + moment.minute / 60 + moment.second / 3600
    if t <= sunrise or t >= sunrise + hours:
        return 0.0
    return math.sin(math.pi * (t - sunrise) / hours) ** 1.3


@dataclass(frozen=True, slots=True)
class DayWeather:
    """A day's sky: `kind` (clear, cloudy, rain) and its clearness index (0–1)."""

    kind: str
    clearness: float


def day_weather(rng: random.Random) -> DayWeather:
    """Draw a day: 45 % clear, 35 % cloudy, 20 % rain (roughly Gifu's spring)."""
    r = rng.random()
    if r < 0.45:
        return DayWeather("clear", rng.uniform(0.85, 1.0))
    if r < 0.80:
        return DayWeather("cloudy", rng.uniform(0.35, 0.7))
    return DayWeather("rain", rng.uniform(0.05, 0.25))


def cloud_factor(rng: random.Random, weather: DayWeather) -> float:
    """Per-interval variation: passing clouds matter most on cloudy days."""
    spread = {"clear": 0.05, "cloudy": 0.35, "rain": 0.2}[weather.kind]
    return max(0.0, min(1.1, 1 + rng.uniform(-spread, spread * 0.3)))
