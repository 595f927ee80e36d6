"""ingest.registry: floors by elevation (0.5 m slab tolerance) and zones by position."""

from __future__ import annotations

import pytest

from core.geometry import Point, polygon_area
from ingest.registry import Device, Registry, Zone

SITE = "tower-a"


def zone(zone_id: str, polygon: list[Point], *, hazard: bool = False) -> Zone:
    return Zone(zone_id, tuple(polygon), hazard, abs(polygon_area(polygon)))


def rect(x0: float, y0: float, x1: float, y1: float) -> list[Point]:
    return [(x0, y0), (x1, y0), (x1, y1), (x0, y1)]


def make_registry(zones: dict[tuple[str, int], list[Zone]]) -> Registry:
    """As load_registry builds it: elevations ascending, zones hazard first then smallest."""
    registry = Registry(
        version=3,
        devices={"env-1": Device("env-1", SITE, "env", 2, "f2-bay", None)},
        elevations={SITE: [-4.5, 0.0, 4.5, 9.0], "tower-b": [10.0]},
        levels={SITE: [-1, 1, 2, 3], "tower-b": [5]},
        zones={key: list(value) for key, value in zones.items()},
    )
    for listed in registry.zones.values():
        listed.sort(key=lambda z: (not z.hazard, z.area_m2))
    return registry


ZONES = {
    # listed in no particular order; make_registry sorts them
    (SITE, 2): [
        zone("f2-all", rect(0, 0, 100, 100)),
        zone("f2-edge", rect(0, 0, 30, 5), hazard=True),  # 150 m2, hazard
        zone("f2-bay", rect(0, 0, 10, 10)),  # 100 m2
        zone("f2-shaft", rect(40, 40, 42, 42), hazard=True),  # 4 m2, hazard
        zone("f2-room", rect(35, 35, 50, 50)),
    ],
    (SITE, 3): [zone("f3-all", rect(0, 0, 100, 100))],
    ("tower-b", 2): [zone("b-all", rect(0, 0, 100, 100))],
}


@pytest.fixture
def registry() -> Registry:
    return make_registry(ZONES)


@pytest.mark.parametrize(
    ("z_m", "level"),
    [
        (-4.5, -1),
        (-5.0, -1),  # 0.5 m below the lowest slab still belongs to it
        (-2.0, -1),
        (-0.6, -1),
        (-0.5, 1),  # within the tolerance below 1F's slab
        (0.0, 1),
        (1.7, 1),  # chest height
        (3.9, 1),
        (4.0, 2),
        (4.5, 2),
        (8.4, 2),
        (8.5, 3),
        (9.0, 3),
        (500.0, 3),  # above the top slab: the top floor
    ],
)
def test_floor_at(registry: Registry, z_m: float, level: int) -> None:
    assert registry.floor_at(SITE, z_m) == level


@pytest.mark.parametrize("z_m", [-5.01, -6.0, -100.0])
def test_floor_below_the_lowest_floor(registry: Registry, z_m: float) -> None:
    assert registry.floor_at(SITE, z_m) is None


def test_floor_of_an_unknown_site(registry: Registry) -> None:
    assert registry.floor_at("nowhere", 0.0) is None
    assert Registry().floor_at(SITE, 0.0) is None


def test_floor_is_per_site(registry: Registry) -> None:
    assert registry.floor_at("tower-b", 10.0) == 5
    assert registry.floor_at("tower-b", 9.0) is None


def test_zones_are_sorted_hazard_first_then_smallest(registry: Registry) -> None:
    assert [z.id for z in registry.zones[(SITE, 2)]] == [
        "f2-shaft",
        "f2-edge",
        "f2-bay",
        "f2-room",
        "f2-all",
    ]


@pytest.mark.parametrize(
    ("x", "y", "zone_id"),
    [
        (5, 2, "f2-edge"),  # in f2-bay (smaller) and f2-edge (hazard): hazard wins
        (20, 2, "f2-edge"),
        (5, 8, "f2-bay"),  # in f2-bay and f2-all: the smaller wins
        (41, 41, "f2-shaft"),
        (45, 45, "f2-room"),
        (70, 70, "f2-all"),
    ],
)
def test_zone_at(registry: Registry, x: float, y: float, zone_id: str) -> None:
    assert registry.zone_at(SITE, 2, x, y) == zone_id


def test_zone_outside_every_polygon(registry: Registry) -> None:
    assert registry.zone_at(SITE, 2, 150, 150) is None
    assert registry.zone_at(SITE, 2, -1, 50) is None


def test_zone_on_a_floor_or_site_without_zones(registry: Registry) -> None:
    assert registry.zone_at(SITE, 1, 5, 5) is None
    assert registry.zone_at("nowhere", 2, 5, 5) is None
    assert registry.zone_at(SITE, 3, 5, 5) == "f3-all"
    assert registry.zone_at("tower-b", 2, 5, 5) == "b-all"


def test_zone_order_does_not_depend_on_insertion() -> None:
    reversed_zones = {key: value[::-1] for key, value in ZONES.items()}
    registry = make_registry(reversed_zones)
    assert registry.zone_at(SITE, 2, 5, 2) == "f2-edge"
    assert registry.zone_at(SITE, 2, 5, 8) == "f2-bay"


def test_registry_defaults() -> None:
    registry = Registry()
    assert registry.version == -1
    assert (registry.devices, registry.elevations, registry.levels, registry.zones) == (
        {},
        {},
        {},
        {},
    )
    assert Registry().devices is not registry.devices
