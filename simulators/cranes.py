"""Tower cranes: lift cycles (hook to the pick point, attach, hoist, slew and trolley to
the drop point, lower, release), the load moment against the crane's rated curve, wind at
the jib, and now and then a lift close to or over the limit."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from simulators.weather import Weather
from sites.site_file import CraneSpec

# Flat-top tower cranes lift their rated load out to about a quarter of the jib; beyond,
# the rated load falls so that load x radius stays constant (the rated moment).
FULL_LOAD_SHARE_OF_JIB = 0.25
MIN_RADIUS_M = 3.0


def rated_load_t(crane: CraneSpec, radius_m: float) -> float:
    full_radius = FULL_LOAD_SHARE_OF_JIB * crane.jib_m
    if radius_m <= full_radius:
        return crane.rated_t
    return crane.rated_t * full_radius / radius_m


def moment_pct(crane: CraneSpec, load_t: float, radius_m: float) -> float:
    return 100.0 * load_t / rated_load_t(crane, radius_m)


@dataclass
class _Pose:
    slew_deg: float
    radius_m: float
    height_m: float


@dataclass
class _Phase:
    seconds: float
    end: _Pose
    loaded: bool


class CraneSim:
    def __init__(self, crane: CraneSpec, seed: int, hook_top_m: float) -> None:
        self.crane = crane
        self.rng = random.Random(f"{seed}:crane:{crane.id}")
        self.hook_top_m = hook_top_m
        self.pose = _Pose(self.rng.uniform(0, 360), MIN_RADIUS_M, hook_top_m)
        self.load_t = 0.0
        self._phases: list[_Phase] = []
        self._phase_start = self.pose
        self._elapsed = 0.0
        self._cycle_load = 0.0

    def step(self, t: datetime, dt_s: float, weather: Weather, working: bool) -> dict[str, float]:
        wind = weather.step_wind(dt_s, self.hook_top_m)
        if not self._phases and working and wind < 14.0:
            self._plan_cycle()
        if self._phases:
            self._advance(dt_s)
        else:  # parked: no load, trolley in, the jib weathervanes
            self.load_t = 0.0
            self.pose.radius_m = MIN_RADIUS_M
            self.pose.slew_deg = (self.pose.slew_deg + self.rng.gauss(0, 0.3) * dt_s) % 360
        rng = self.rng
        load = max(0.0, self.load_t + (rng.gauss(0, 0.01) if self.load_t else 0.0))
        moment = moment_pct(self.crane, load, self.pose.radius_m)
        tilt = 0.15 + 0.02 * wind + 0.002 * moment + abs(rng.gauss(0, 0.02))
        return {
            "load_t": round(load, 2),
            "radius_m": round(self.pose.radius_m, 2),
            "height_m": round(self.pose.height_m, 2),
            "slew_deg": round(self.pose.slew_deg % 360, 1) % 360,
            "moment_pct": round(
                moment_pct(self.crane, round(load, 2), round(self.pose.radius_m, 2)), 1
            ),
            "wind_mps": round(wind, 1),
            "tilt_deg": round(min(tilt, 15.0), 2),
        }

    def _plan_cycle(self) -> None:
        rng, jib = self.rng, self.crane.jib_m
        pick = _Pose(rng.uniform(0, 360), rng.uniform(MIN_RADIUS_M + 2, 0.9 * jib), 1.0)
        drop = _Pose(rng.uniform(0, 360), rng.uniform(MIN_RADIUS_M + 2, 0.9 * jib), 0.0)
        drop.height_m = self.hook_top_m - rng.uniform(8, 20)
        # Aim the heaviest point of the cycle at a share of the rated moment; now and then
        # the operator lifts close to or over the limit (what the limiter is there for).
        share = rng.uniform(0.92, 1.06) if rng.random() < 0.06 else rng.uniform(0.3, 0.85)
        self._cycle_load = share * rated_load_t(self.crane, max(pick.radius_m, drop.radius_m))
        top_at_pick = _Pose(pick.slew_deg, pick.radius_m, self.hook_top_m - 5)
        top_at_drop = _Pose(drop.slew_deg, drop.radius_m, self.hook_top_m - 5)
        self._phases = [
            _Phase(
                rng.uniform(40, 90), _Pose(pick.slew_deg, pick.radius_m, self.hook_top_m - 5), False
            ),
            _Phase(rng.uniform(15, 30), pick, False),  # hook down
            _Phase(rng.uniform(30, 60), pick, False),  # rigging
            _Phase(rng.uniform(20, 40), top_at_pick, True),  # hoist
            _Phase(rng.uniform(40, 90), top_at_drop, True),  # slew and trolley
            _Phase(rng.uniform(15, 30), drop, True),  # lower
            _Phase(rng.uniform(30, 60), drop, False),  # release
            _Phase(
                rng.uniform(15, 30), _Pose(drop.slew_deg, drop.radius_m, self.hook_top_m), False
            ),
        ]
        self._phase_start = _Pose(self.pose.slew_deg, self.pose.radius_m, self.pose.height_m)
        self._elapsed = 0.0

    def _advance(self, dt_s: float) -> None:
        phase = self._phases[0]
        self._elapsed += dt_s
        share = min(1.0, self._elapsed / phase.seconds)
        start, end = self._phase_start, phase.end
        turn = (end.slew_deg - start.slew_deg + 180) % 360 - 180  # the shorter way round
        self.pose = _Pose(
            (start.slew_deg + turn * share) % 360,
            start.radius_m + (end.radius_m - start.radius_m) * share,
            start.height_m + (end.height_m - start.height_m) * share,
        )
        self.load_t = self._cycle_load if phase.loaded else 0.0
        if share >= 1.0:
            self._phases.pop(0)
            self._phase_start = _Pose(self.pose.slew_deg, self.pose.radius_m, self.pose.height_m)
            self._elapsed = 0.0
