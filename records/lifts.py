"""Crane work cycles from hook-load readings: a lift begins when the load reaches a share
of the crane's rated load and ends when it falls below a lower share (the hysteresis that
keeps a load hovering at the threshold one lift); a cycle shorter than the shortest lift
is a snatch of an empty hook swinging in the wind, not a lift. Pure: the store does I/O."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from core.errors import SitePulseError


@dataclass(frozen=True)
class Thresholds:
    start_t: float
    end_t: float
    min_s: float

    @classmethod
    def of(cls, rated_t: float, start_share: float, end_share: float, min_s: float) -> Thresholds:
        if not 0 < end_share < start_share:
            msg = (
                f"lift_end_share ({end_share}) must be above 0 and below lift_start_share"
                f" ({start_share}): a lift ends at a lower load than it begins"
            )
            raise SitePulseError(msg)
        return cls(rated_t * start_share, rated_t * end_share, min_s)


@dataclass(frozen=True)
class CraneReading:
    ts: datetime
    load_t: float | None
    radius_m: float | None
    slew_deg: float | None
    height_m: float | None
    moment_pct: float | None
    wind_mps: float | None


@dataclass(frozen=True)
class Position:
    radius_m: float | None
    slew_deg: float | None
    height_m: float | None


@dataclass(frozen=True)
class Lift:
    started_at: datetime
    ended_at: datetime
    max_load_t: float
    max_moment_pct: float | None
    max_wind_mps: float | None
    pick: Position
    set_down: Position
    readings: int

    @property
    def duration_s(self) -> float:
        return (self.ended_at - self.started_at).total_seconds()


def _position(reading: CraneReading) -> Position:
    return Position(reading.radius_m, reading.slew_deg, reading.height_m)


def _highest(values: Sequence[float | None]) -> float | None:
    present = [v for v in values if v is not None]
    return max(present) if present else None


def _lift(loaded: Sequence[CraneReading], ended_at: datetime) -> Lift:
    return Lift(
        started_at=loaded[0].ts,
        ended_at=ended_at,
        max_load_t=max(r.load_t or 0.0 for r in loaded),
        max_moment_pct=_highest([r.moment_pct for r in loaded]),
        max_wind_mps=_highest([r.wind_mps for r in loaded]),
        pick=_position(loaded[0]),
        set_down=_position(loaded[-1]),
        readings=len(loaded),
    )


def detect_lifts(readings: Sequence[CraneReading], limits: Thresholds) -> list[Lift]:
    """The lifts that end within `readings` (oldest first). A lift still loaded at the last
    reading is left out: it is found whole once a reading below the end load arrives.
    A reading without a load changes nothing but counts toward a lift's extremes."""
    lifts: list[Lift] = []
    loaded: list[CraneReading] = []
    for reading in readings:
        load = reading.load_t
        if not loaded:
            if load is not None and load >= limits.start_t:
                loaded.append(reading)
            continue
        if load is not None and load < limits.end_t:
            # the load is down by this reading: the lift ended here
            lift = _lift(loaded, reading.ts)
            if lift.duration_s >= limits.min_s:
                lifts.append(lift)
            loaded = []
        else:
            loaded.append(reading)
    return lifts


def floor_at(height_m: float | None, elevations: Sequence[tuple[int, float]]) -> int | None:
    """The floor a load was set down on: the highest slab at or below the hook."""
    if height_m is None:
        return None
    below = [(elevation, level) for level, elevation in elevations if elevation <= height_m]
    return max(below)[1] if below else None
