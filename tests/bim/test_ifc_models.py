"""Real public IFC models (tests/data/ifc/README.md) read with IfcOpenShell: storeys and
their elevations, spaces per storey (counted in each file's IfcRelAggregates by hand),
footprints against the model's own floor areas, names with escaped non-ASCII letters."""

from __future__ import annotations

import gzip
import shutil
from collections import Counter
from collections.abc import Callable
from pathlib import Path

import pytest

from bim.footprint import footprint_area
from bim.ifc_model import BuildingModel, read_model
from bim.site_model import draft_site, levels
from bim.site_yaml import site_yaml
from core.geometry import polygon_area
from sites.site_file import parse_site_file
from tests.helpers import REPO

MODELS = REPO / "tests/data/ifc"


def unpacked(name: str, folder: Path) -> Path:
    """tests/data/ifc/NAME.gz unpacked into `folder`."""
    path = folder / name
    with gzip.open(MODELS / f"{name}.gz", "rb") as packed, path.open("wb") as out:
        shutil.copyfileobj(packed, out)
    return path


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("ifc")


@pytest.fixture(scope="module")
def read(folder: Path) -> Callable[[str], BuildingModel]:
    cache: dict[str, BuildingModel] = {}

    def read_once(name: str) -> BuildingModel:
        if name not in cache:
            cache[name] = read_model(unpacked(name, folder), slabs=True, progress=lambda _: None)
        return cache[name]

    return read_once


def per_storey(model: BuildingModel) -> dict[str, int]:
    names = {s.global_id: s.name for s in model.storeys}
    counts = Counter(names[s.storey] for s in model.spaces)
    return {s.name: counts.get(s.name, 0) for s in model.storeys}


def area_ratios(model: BuildingModel) -> list[tuple[str, float]]:
    """Each space's footprint area over the model's own floor area, where it has both."""
    return [
        (s.long_name or s.name, footprint_area(s.footprint) / s.floor_area_m2)
        for s in model.spaces
        if s.footprint is not None and s.floor_area_m2
    ]


def profile_areas(path: Path) -> dict[str, float]:
    """The area of each space's profile extruded upwards (a polyline's or a rectangle's), by
    GlobalId, read from the file without geometry: what the footprint of such a space must
    measure (in the model's unit squared; these models are in metres)."""
    import ifcopenshell

    areas = {}
    for space in ifcopenshell.open(str(path)).by_type("IfcSpace"):
        body = [
            r for r in space.Representation.Representations if r.RepresentationType == "SweptSolid"
        ]
        if not body:
            continue
        solid = body[0].Items[0]
        axis = solid.Position.Axis
        if axis is not None and abs(axis.DirectionRatios[2]) != 1.0:
            continue  # its profile is upright (the duplex's stairs): no plan
        profile = solid.SweptArea
        if profile.is_a("IfcRectangleProfileDef"):
            areas[space.GlobalId] = profile.XDim * profile.YDim
        elif profile.OuterCurve.is_a("IfcPolyline"):
            points = [p.Coordinates[:2] for p in profile.OuterCurve.Points]
            areas[space.GlobalId] = abs(polygon_area(points))
    return areas


def assert_revit_areas(model: BuildingModel, path: Path, upright: int) -> None:
    """Revit's footprints: the extruded profile's area (within 0.1 %, a column's hole is
    inside the outline), and less than the GSA area (measured to the walls' centres)."""
    profiles = profile_areas(path)
    extrusions = sum(1 for s in model.spaces if s.global_id in profiles)
    assert extrusions >= len(model.spaces) - upright
    for space in model.spaces:
        assert space.footprint is not None
        area = footprint_area(space.footprint)
        if space.global_id in profiles:
            assert area == pytest.approx(profiles[space.global_id], rel=1e-3), space.long_name
        assert space.floor_area_m2 is not None
        assert 0.75 <= area / space.floor_area_m2 <= 1.0, space.long_name


def test_fzk_haus_ifc4_storeys_spaces_areas_and_german_names(
    read: Callable[[str], BuildingModel],
) -> None:
    model = read("AC20-FZK-Haus.ifc")
    assert model.schema == "IFC4"
    assert [(s.name, s.elevation_m) for s in model.storeys] == [
        ("Erdgeschoss", 0.0), ("Dachgeschoss", 2.7)
    ]  # fmt: skip
    assert per_storey(model) == {"Erdgeschoss": 6, "Dachgeschoss": 1}
    names = {s.long_name for s in model.spaces}
    assert "Küche" in names  # written K\X2\00FC\X0\che in the file
    assert names >= {"Wohnen", "Schlafzimmer", "Bad", "Flur", "Buero", "Galerie"}
    # every space drawn (faceted breps); its outline's area ArchiCAD's GrossFloorArea
    ratios = area_ratios(model)
    assert len(ratios) == 7
    assert all(0.999 <= r <= 1.001 for _, r in ratios), ratios


def test_duplex_ifc2x3_a_storey_below_ground_and_revit_areas(
    read: Callable[[str], BuildingModel], folder: Path
) -> None:
    model = read("duplex.ifc")
    assert model.schema == "IFC2X3"
    storeys = {s.name: s.elevation_m for s in model.storeys}
    assert storeys == pytest.approx({"Level 1": 0.0, "Level 2": 3.1, "T/FDN": -1.25, "Roof": 6.0})
    by_name = {s.global_id: s.name for s in model.storeys}
    assert {by_name[g]: level for g, level in levels(model.storeys).items()} == {
        "T/FDN": -1, "Level 1": 1, "Level 2": 2, "Roof": 3
    }  # fmt: skip
    assert per_storey(model) == {"Level 1": 10, "Level 2": 10, "T/FDN": 0, "Roof": 1}
    # 19 extrusions (2 of them upright: the stairs), 2 surface models
    assert_revit_areas(model, folder / "duplex.ifc", upright=4)


def test_office_a_the_largest_model_every_space_on_its_storey(
    read: Callable[[str], BuildingModel], folder: Path
) -> None:
    model = read("Office_A_20110811.ifc")
    assert per_storey(model) == {"Level 1": 60, "Level 2": 39, "Roof": 0}
    assert_revit_areas(model, folder / "Office_A_20110811.ifc", upright=0)


def test_a_model_in_millimetres_gives_metres(read: Callable[[str], BuildingModel]) -> None:
    model = read("example.ifc")
    assert [s.name for s in model.storeys] == ["Level 1", "Level 2"]
    # written -9.19e-11 and 3139.99999999982 (mm)
    assert [s.elevation_m for s in model.storeys] == pytest.approx([0.0, 3.14])


@pytest.mark.parametrize(
    "name", ["AC20-FZK-Haus.ifc", "duplex.ifc", "Office_A_20110811.ifc", "example.ifc"]
)
def test_each_model_makes_a_site_file_that_reads_back(
    read: Callable[[str], BuildingModel], name: str
) -> None:
    model = read(name)
    draft = draft_site(model, site_id="bim-test", timezone="Europe/Berlin", suggest=True)
    text = site_yaml(draft.site, draft.suggestions, [f"from {name}"])
    assert parse_site_file(text, name) == draft.site
    assert len(draft.site.floors) == len(model.storeys)
    assert len({z.id for z in draft.site.zones}) == len(draft.site.zones)
