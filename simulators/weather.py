"""Weather over the site: a diurnal temperature and humidity cycle in the site's time zone,
wind with gusts and occasional strong-wind episodes. Deterministic for a seed."""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

LAPSE_C_PER_M = 0.0065  # standard atmosphere: colder higher up


@dataclass
class Weather:
    seed: int
    timezone: str
    mean_temp_c: float = 12.0
    daily_swing_c: float = 7.0
    mean_wind_mps: float = 4.0

    def __post_init__(self) -> None:
        self._rng = random.Random(f"{self.seed}:weather")
        self._zone = ZoneInfo(self.timezone)
        self._gust = 0.0
        self._episode_left_s = 0.0
        self._episode_mps = 0.0

    def hour(self, t: datetime) -> float:
        local = t.astimezone(self._zone)
        return local.hour + local.minute / 60 + local.second / 3600

    def temp_c(self, t: datetime, elevation_m: float = 0.0) -> float:
        # Coldest near 05:00, warmest near 15:00.
        diurnal = -math.cos((self.hour(t) - 3.0) / 24 * 2 * math.pi)
        return self.mean_temp_c + self.daily_swing_c * diurnal - LAPSE_C_PER_M * elevation_m

    def rh_pct(self, t: datetime) -> float:
        diurnal = math.cos((self.hour(t) - 3.0) / 24 * 2 * math.pi)
        return max(15.0, min(98.0, 62.0 + 22.0 * diurnal))

    def step_wind(self, dt_s: float, height_m: float) -> float:
        """Advance the wind by dt_s and return the speed at a height (log profile)."""
        rng = self._rng
        self._gust = 0.9 * self._gust + rng.gauss(0.0, 0.8) * math.sqrt(dt_s)
        if self._episode_left_s > 0:
            self._episode_left_s -= dt_s
        elif rng.random() < dt_s / (4 * 3600):  # about one strong-wind spell in 4 hours
            self._episode_left_s = rng.uniform(600, 2400)
            self._episode_mps = rng.uniform(8.0, 12.0)
        base = self.mean_wind_mps + (self._episode_mps if self._episode_left_s > 0 else 0.0)
        profile = math.log(max(height_m, 2.0) / 0.3) / math.log(10 / 0.3)
        return max(0.0, min(79.0, (base + abs(self._gust)) * profile))
