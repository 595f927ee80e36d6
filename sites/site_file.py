"""The site file (CONTRACT §2): its model, its cross-references, and a loader that names
the YAML line of every problem."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
)

from concrete.config import ConcreteSpec
from core.errors import SiteFileInvalid
from core.geometry import polygon_area
from core.kinds import DeviceKind
from core.yaml_file import Problem, YamlModel

Id = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")]
Point = tuple[float, float]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class SiteInfo(_Strict):
    id: Id
    name: str
    timezone: str

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            msg = f"unknown time zone {value!r} (an IANA name such as Asia/Shanghai)"
            raise ValueError(msg) from None
        return value


class FloorSpec(_Strict):
    level: Annotated[int, Field(ge=-10, le=200)]
    name: str
    elevation_m: float


class ZoneSpec(_Strict):
    id: Id
    floor: int
    polygon: Annotated[list[Point], Field(min_length=3)]
    hazard: bool = False
    name: str | None = None


class CraneSpec(_Strict):
    id: Id
    x_m: float
    y_m: float
    jib_m: Annotated[float, Field(gt=0, le=120)]
    rated_t: Annotated[float, Field(gt=0, le=100)]
    # height of the jib above ground; with both cranes' heights known, anti-collision
    # also checks jib against jib (GB 5144-2006 §10.5: 2 m vertical clearance)
    height_m: Annotated[float, Field(gt=0, le=400)] | None = None
    name: str | None = None


class DeviceSpec(_Strict):
    id: Id
    kind: DeviceKind
    floor: int | None = None
    zone: Id | None = None
    gateway: Id | None = None
    name: str | None = None


class WorkerSpec(_Strict):
    id: Id
    name: str
    trade: str
    tag: Id | None = None


class SiteFile(_Strict):
    site: SiteInfo
    floors: Annotated[list[FloorSpec], Field(min_length=1)]
    zones: list[ZoneSpec] = []
    cranes: list[CraneSpec] = []
    devices: list[DeviceSpec] = []
    workers: list[WorkerSpec] = []
    # maturity, strength curves and the decisions they feed (concrete/config.py)
    concrete: ConcreteSpec = ConcreteSpec()


def check_references(site: SiteFile) -> list[Problem]:
    """Cross-references pydantic cannot see: unique ids, floors, zones, gateways, tags."""
    problems: list[Problem] = []
    problems += _duplicates("floors", [f.level for f in site.floors], "level")
    problems += _duplicates("zones", [z.id for z in site.zones], "id")
    problems += _duplicates("cranes", [c.id for c in site.cranes], "id")
    problems += _duplicates("devices", [d.id for d in site.devices], "id")
    problems += _duplicates("workers", [w.id for w in site.workers], "id")
    problems += _zone_problems(site)
    problems += _device_problems(site)
    problems += _worker_problems(site)
    return problems


def _zone_problems(site: SiteFile) -> Iterator[Problem]:
    levels = {f.level for f in site.floors}
    for i, zone in enumerate(site.zones):
        if zone.floor not in levels:
            yield Problem(("zones", i, "floor"), f"floor {zone.floor} is not a listed floor")
        if abs(polygon_area(zone.polygon)) < 1e-9:
            yield Problem(("zones", i, "polygon"), "polygon has no area (collinear points)")


def _device_problems(site: SiteFile) -> Iterator[Problem]:
    levels = {f.level for f in site.floors}
    zone_floor = {z.id: z.floor for z in site.zones}
    kinds = {d.id: d.kind for d in site.devices}
    crane_ids = {c.id for c in site.cranes}
    for i, device in enumerate(site.devices):
        if device.floor is not None and device.floor not in levels:
            yield Problem(("devices", i, "floor"), f"floor {device.floor} is not a listed floor")
        if device.zone is not None and device.zone not in zone_floor:
            yield Problem(("devices", i, "zone"), f"zone {device.zone!r} is not a listed zone")
        elif device.zone is not None and device.floor not in (None, zone_floor[device.zone]):
            on = zone_floor[device.zone]
            yield Problem(
                ("devices", i, "zone"), f"zone {device.zone!r} is on floor {on}, not {device.floor}"
            )
        if device.gateway is not None and kinds.get(device.gateway) != "gateway":
            yield Problem(("devices", i, "gateway"), f"{device.gateway!r} is not a gateway device")
        if device.gateway is not None and device.kind == "gateway":
            yield Problem(("devices", i, "gateway"), "a gateway cannot have a gateway")
        if device.kind == "crane" and device.id not in crane_ids:
            msg = f"crane device {device.id!r} has no entry under cranes"
            yield Problem(("devices", i, "id"), msg)


def _worker_problems(site: SiteFile) -> Iterator[Problem]:
    kinds = {d.id: d.kind for d in site.devices}
    tags_seen: dict[str, int] = {}
    for i, worker in enumerate(site.workers):
        if worker.tag is None:
            continue
        if kinds.get(worker.tag) != "tag":
            yield Problem(("workers", i, "tag"), f"{worker.tag!r} is not a tag device")
        if worker.tag in tags_seen:
            yield Problem(
                ("workers", i, "tag"),
                f"tag {worker.tag!r} is already worn by workers[{tags_seen[worker.tag]}]",
            )
        tags_seen.setdefault(worker.tag, i)


def _duplicates(section: str, keys: list[Any], field: str) -> Iterator[Problem]:
    seen: set[Any] = set()
    for i, key in enumerate(keys):
        if key in seen:
            yield Problem((section, i, field), f"duplicate {field} {key!r}")
        seen.add(key)


SITE_FILE = YamlModel(SiteFile, SiteFileInvalid, check_references)


def parse_site_file(text: str, source: str = "<site file>") -> SiteFile:
    """Parse and check a site file; raise SiteFileInvalid naming each problem's line."""
    return SITE_FILE.parse(text, source)


def load_site_file(path: Path) -> SiteFile:
    return SITE_FILE.load(path)
