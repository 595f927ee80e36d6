"""The registry as ingest needs it: devices by id, floors by elevation, zones by floor;
loaded whole from the database and replaced when its version changes."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from psycopg.rows import class_row

from core.db import Connection
from core.geometry import Point, point_in_polygon, polygon_area
from core.kinds import DeviceKind
from core.sql import load_queries

_Q = load_queries("ingest", "registry.sql")
# A tag worn at chest height reads up to ~2 m above its slab; a little below the slab
# (a tag on the floor, positioning noise) still belongs to that floor.
_SLAB_TOLERANCE_M = 0.5


@dataclass(frozen=True, slots=True)
class Device:
    id: str
    site_id: str
    kind: DeviceKind
    floor: int | None
    zone: str | None
    gateway_id: str | None


@dataclass(frozen=True, slots=True)
class Zone:
    id: str
    polygon: tuple[Point, ...]
    hazard: bool
    area_m2: float


@dataclass
class Registry:
    version: int = -1
    devices: dict[str, Device] = field(default_factory=dict)
    # per site: floor elevations ascending, and the levels in the same order
    elevations: dict[str, list[float]] = field(default_factory=dict)
    levels: dict[str, list[int]] = field(default_factory=dict)
    # per (site, floor): zones, hazard zones first, then the smallest first
    zones: dict[tuple[str, int], list[Zone]] = field(default_factory=dict)

    def floor_at(self, site_id: str, z_m: float) -> int | None:
        elevations = self.elevations.get(site_id)
        if not elevations:
            return None
        i = bisect.bisect_right(elevations, z_m + _SLAB_TOLERANCE_M) - 1
        return self.levels[site_id][i] if i >= 0 else None

    def zone_at(self, site_id: str, floor: int, x_m: float, y_m: float) -> str | None:
        for zone in self.zones.get((site_id, floor), ()):
            if point_in_polygon(x_m, y_m, zone.polygon):
                return zone.id
        return None


def current_version(conn: Connection) -> int:
    row = conn.execute(_Q["registry_version"]).fetchone()
    return int(row[0]) if row else 0


def load_registry(conn: Connection) -> Registry:
    with conn.transaction():
        registry = Registry(version=current_version(conn))
        with conn.cursor(row_factory=class_row(Device)) as cur:
            registry.devices = {d.id: d for d in cur.execute(_Q["devices"])}
        for site_id, elevation, level in conn.execute(_Q["floors"]):
            registry.elevations.setdefault(site_id, []).append(float(elevation))
            registry.levels.setdefault(site_id, []).append(int(level))
        for site_id, floor, zone_id, polygon, hazard in conn.execute(_Q["zones"]):
            points = tuple((float(x), float(y)) for x, y in polygon)
            zone = Zone(
                id=zone_id, polygon=points, hazard=bool(hazard), area_m2=abs(polygon_area(points))
            )
            registry.zones.setdefault((site_id, floor), []).append(zone)
    for zones in registry.zones.values():
        zones.sort(key=lambda z: (not z.hazard, z.area_m2))
    return registry
