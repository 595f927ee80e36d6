"""Environment sensors per floor and zone (air temperature and humidity following the
weather and the height, dust spikes while cutting, noise following the work and the
day/night clock) and concrete probes (hydration heat after the pour, core above surface)."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime, timedelta

from core.measurements import clamp
from simulators.weather import Weather
from sites.site_file import DeviceSpec, FloorSpec

BASEMENT_TEMP_C = 17.5
HYDRATION_PEAK_C = 38.0  # core temperature rise over ambient at the peak
HYDRATION_PEAK_H = 20.0


def hydration_rise_c(hours_since_pour: float) -> float:
    """Heat of hydration in a thick slab: rises to a peak about a day after the pour."""
    if hours_since_pour <= 0:
        return 0.0
    h = hours_since_pour / HYDRATION_PEAK_H
    return HYDRATION_PEAK_C * h * math.exp(1 - h)


@dataclass
class SensorState:
    spec: DeviceSpec
    floor: FloorSpec
    probe: bool
    dust_left_s: float = 0.0
    dust_peak: float = 0.0


class EnvironmentSim:
    def __init__(
        self,
        sensors: list[DeviceSpec],
        floors: dict[int, FloorSpec],
        front_levels: set[int],
        seed: int,
        start: datetime,
    ) -> None:
        self.rng = random.Random(f"{seed}:environment")
        self.front_levels = front_levels
        self.sensors = [
            SensorState(s, floors[s.floor], s.id.startswith("probe"))
            for s in sensors
            if s.floor is not None
        ]
        # The top floor with probes is poured an hour into the run; the ones below, a
        # day apart before it (their slabs are curing when the run starts).
        probe_levels = sorted({s.floor.level for s in self.sensors if s.probe}, reverse=True)
        self.pour_at = {
            level: start + timedelta(hours=1) - timedelta(days=i)
            for i, level in enumerate(probe_levels)
        }

    def reading(
        self, sensor: SensorState, t: datetime, weather: Weather, working: bool, dt_s: float
    ) -> dict[str, float]:
        rng = self.rng
        level = sensor.floor.level
        if level < 0:
            ambient = BASEMENT_TEMP_C + rng.gauss(0, 0.2)
            rh = 72.0 + rng.gauss(0, 1.0)
        else:
            ambient = weather.temp_c(t, sensor.floor.elevation_m) + rng.gauss(0, 0.3)
            rh = weather.rh_pct(t) + rng.gauss(0, 1.5)
        if sensor.probe:
            hours = (t - self.pour_at[level]).total_seconds() / 3600
            rise = hydration_rise_c(hours)
            return {
                "temp_c": round(ambient + 0.35 * rise, 2),
                "core_temp_c": round(ambient + rise + rng.gauss(0, 0.1), 2),
            }
        busy = working and (level in self.front_levels or rng.random() < 0.6)
        if sensor.dust_left_s > 0:
            sensor.dust_left_s -= dt_s
        elif busy and rng.random() < dt_s / 3600:  # about one cut an hour per sensor
            sensor.dust_left_s = rng.uniform(120, 600)
            sensor.dust_peak = rng.uniform(150, 600)
        pm10 = 35 + rng.gauss(0, 5) + (sensor.dust_peak if sensor.dust_left_s > 0 else 0.0)
        if busy:
            noise = (70.0 if level in self.front_levels else 63.0) + rng.gauss(0, 4)
        else:
            noise = 47.0 + rng.gauss(0, 2)
        return {
            "temp_c": round(ambient, 2),
            "rh_pct": round(clamp("env", "rh_pct", rh), 1),
            "pm10_ugm3": round(clamp("env", "pm10_ugm3", pm10), 1),
            "pm25_ugm3": round(clamp("env", "pm25_ugm3", pm10 * 0.55), 1),
            "noise_dba": round(clamp("env", "noise_dba", noise), 1),
        }
