"""What the rules know about a site besides its readings: the registry, as plain values."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo


@dataclass(frozen=True, slots=True)
class Sample:
    """One stored reading, as the rules see it: `ts` as the device stamped it (with the
    device, its identity), `received_at` as ingest received it (None: when stamped)."""

    device_id: str
    kind: str
    ts: datetime
    floor: int | None
    zone: str | None
    values: Mapping[str, Any]
    received_at: datetime | None = None

    @property
    def at(self) -> datetime:
        """When the rules take it to have happened: a reading stamped ahead of its arrival
        (a fast clock) counts at its arrival, a late or buffered one at its own ts."""
        if self.received_at is None or self.ts <= self.received_at:
            return self.ts
        return self.received_at

    def as_judged(self) -> Sample:
        """The reading as the rules judge it: stamped at its `at`."""
        at = self.at
        return self if at == self.ts else replace(self, ts=at)


@dataclass(frozen=True, slots=True)
class DeviceState:
    device_id: str
    kind: str
    online: bool | None
    floor: int | None
    zone: str | None
    reason: str | None
    changed_at: datetime | None


@dataclass(frozen=True, slots=True)
class Crane:
    id: str
    x_m: float
    y_m: float
    jib_m: float
    rated_t: float
    height_m: float | None = None


@dataclass(frozen=True, slots=True)
class Worker:
    id: str
    name: str
    trade: str


@dataclass(frozen=True, slots=True)
class TaskSpan:
    """A schedule task while it is under way: from `start` to `end` (None: not finished)."""

    id: str
    type: str
    floors: frozenset[int]
    zones: frozenset[str]
    start: datetime
    end: datetime | None

    def active_at(self, ts: datetime) -> bool:
        return self.start <= ts and (self.end is None or ts < self.end)

    def covers(self, floor: int | None, zone: str | None) -> bool:
        """A device with no floor (a crane) is covered by any task of the site."""
        if floor is None:
            return True
        return floor in self.floors and (not self.zones or zone in self.zones)


@dataclass(frozen=True)
class SiteContext:
    site_id: str
    tz: ZoneInfo
    floor_names: Mapping[int, str] = field(default_factory=dict)
    floor_elevations: Mapping[int, float] = field(default_factory=dict)
    hazard_zones: frozenset[str] = frozenset()
    cranes: Mapping[str, Crane] = field(default_factory=dict)
    workers_by_tag: Mapping[str, Worker] = field(default_factory=dict)
    gateway_of: Mapping[str, str] = field(default_factory=dict)
    tasks: tuple[TaskSpan, ...] = ()

    def floor_name(self, level: int | None) -> str:
        if level is None:
            return "no floor"
        return self.floor_names.get(level, f"level {level}")

    def tasks_at(
        self, types: list[str], ts: datetime, floor: int | None, zone: str | None
    ) -> list[TaskSpan]:
        return [
            t for t in self.tasks if t.type in types and t.active_at(ts) and t.covers(floor, zone)
        ]

    def worker_of(self, tag: str) -> Worker:
        return self.workers_by_tag.get(tag) or Worker(tag, tag, "unknown trade")
