"""Workers: arrive in the morning, go to the floors of their trade's work, move about,
take the lunch break on the ground floor, leave in the evening; a few step into hazard
zones; now and then someone presses the SOS button. Batteries drain."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime

from core.geometry import Point
from sites.site_file import FloorSpec, SiteFile, WorkerSpec, ZoneSpec

TAG_HEIGHT_M = 1.2
# Structure trades work at the top of the frame; finishing trades on the floors below.
FRONT_TRADES = {"rebar", "formwork", "concrete", "scaffolding", "crane-signal", "welding"}
FRONT_FLOORS = 5


@dataclass
class Bounds:
    x0: float
    y0: float
    x1: float
    y1: float

    @classmethod
    def of(cls, polygons: list[list[Point]]) -> Bounds:
        xs = [x for polygon in polygons for x, _ in polygon]
        ys = [y for polygon in polygons for _, y in polygon]
        return cls(min(xs), min(ys), max(xs), max(ys))

    def reflect(self, x: float, y: float) -> Point:
        """Bounce a step that would leave the bounds back inside them."""
        return _reflect(x, self.x0, self.x1), _reflect(y, self.y0, self.y1)


def _reflect(value: float, low: float, high: float) -> float:
    if value < low:
        value = 2 * low - value
    elif value > high:
        value = 2 * high - value
    return min(max(value, low), high)


@dataclass
class WorkerState:
    spec: WorkerSpec
    floor: FloorSpec
    arrive_h: float
    leave_h: float
    x_m: float
    y_m: float
    battery_pct: float
    hazard_left_s: float = 0.0


class WorkerSim:
    def __init__(self, site: SiteFile, seed: int) -> None:
        self.rng = random.Random(f"{seed}:workers")
        above_ground = sorted((f for f in site.floors if f.level >= 1), key=lambda f: f.level)
        floors = above_ground or sorted(site.floors, key=lambda f: f.level)
        self.ground = floors[0]
        self.front = floors[-FRONT_FLOORS:]
        self.finishing = floors[:-FRONT_FLOORS] or floors
        polygons = [[tuple(p) for p in z.polygon] for z in site.zones] or [
            [(0.0, 0.0), (50.0, 40.0)]
        ]
        self.bounds = Bounds.of(polygons)  # type: ignore[arg-type]
        self.hazards: dict[int, list[ZoneSpec]] = {}
        for zone in site.zones:
            if zone.hazard:
                self.hazards.setdefault(zone.floor, []).append(zone)
        self.workers: list[WorkerState] = []
        for spec in site.workers:
            if spec.tag is None:
                continue
            rng = self.rng
            pool = self.front if spec.trade in FRONT_TRADES else self.finishing
            self.workers.append(
                WorkerState(
                    spec,
                    rng.choice(pool),
                    arrive_h=rng.uniform(7.0, 8.0),
                    leave_h=rng.uniform(17.0, 18.0),
                    x_m=rng.uniform(self.bounds.x0, self.bounds.x1),
                    y_m=rng.uniform(self.bounds.y0, self.bounds.y1),
                    battery_pct=rng.uniform(55, 100),
                )
            )

    def reading(
        self, worker: WorkerState, t: datetime, hour: float, dt_s: float
    ) -> dict[str, object] | None:
        """Advance one worker by dt_s; the tag's reading, or None when off site."""
        if not worker.arrive_h <= hour < worker.leave_h:
            return None
        rng = self.rng
        floor = self.ground if 12.0 <= hour < 13.0 else worker.floor
        worker.battery_pct = max(1.0, worker.battery_pct - 0.6 * dt_s / 3600)
        if worker.hazard_left_s > 0:
            worker.hazard_left_s -= dt_s
        elif self.hazards.get(floor.level) and rng.random() < dt_s / (6 * 3600):
            zone = rng.choice(self.hazards[floor.level])  # about once a day each
            xs = [p[0] for p in zone.polygon]
            ys = [p[1] for p in zone.polygon]
            worker.x_m, worker.y_m = sum(xs) / len(xs), sum(ys) / len(ys)
            worker.hazard_left_s = rng.uniform(30, 180)
        else:
            step = 1.5 * dt_s**0.5  # mostly working in place, now and then walking
            worker.x_m, worker.y_m = self.bounds.reflect(
                worker.x_m + rng.gauss(0, step), worker.y_m + rng.gauss(0, step)
            )
        reading: dict[str, object] = {
            "x_m": round(worker.x_m, 2),
            "y_m": round(worker.y_m, 2),
            "z_m": round(floor.elevation_m + TAG_HEIGHT_M + rng.gauss(0, 0.1), 2),
            "battery_pct": round(worker.battery_pct, 1),
        }
        if worker.spec.tag and worker.spec.tag[-1] in "02468":
            reading["floor"] = floor.level  # some positioning engines send the floor too
        if rng.random() < dt_s / (400 * 3600):  # a few presses a day across the site
            reading["sos"] = True
        return reading
