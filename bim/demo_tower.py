"""The demo tower as a BIM model would hold it: an IFC4 file (in millimetres, as most models
are) with its 32 storeys, three spaces on each (the stair/lift core and the two wings), each
storey's floor slab, and the slab openings (lift shafts on every storey, a riser from 20F,
the sump pit in B2). `sitepulse site from-ifc` turns it into deploy/sites/demo-tower.yaml's
floors and zones; the rest of that file (cranes, devices, workers, crane landing areas, the
slab edges a person marked) is what the model does not hold.

    python -m bim.demo_tower demo-tower.ifc
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from core.geometry import Point

MM = 1000.0
SLAB_MM = 200.0
FOOTPRINT: list[Point] = [(20, 20), (68, 20), (68, 56), (20, 56)]
CORE: list[Point] = [(38, 33), (50, 33), (50, 43), (38, 43)]
WEST: list[Point] = [(20, 20), (44, 20), (44, 33), (38, 33), (38, 43), (44, 43), (44, 56), (20, 56)]
EAST: list[Point] = [(44, 20), (68, 20), (68, 56), (44, 56), (44, 43), (50, 43), (50, 33), (44, 33)]
SHAFT: list[Point] = [(39, 34), (43, 34), (43, 37), (39, 37)]
RISER: list[Point] = [(46, 39), (48.5, 39), (48.5, 41.5), (46, 41.5)]
PIT: list[Point] = [(60, 22), (64, 22), (64, 26), (60, 26)]
FIRST_RISER_LEVEL = 20
Schema = Literal["IFC2X3", "IFC4", "IFC4X3"]


@dataclass(frozen=True)
class StoreyPlan:
    level: int
    name: str
    elevation_m: float
    height_m: float


def storey_plans() -> list[StoreyPlan]:
    """B2-B1 basements of 4.5 m, the 1F lobby of 5.4 m, offices 2F-10F of 4.2 m, homes
    11F-30F of 3.6 m."""
    heights = [(-2, 4.5), (-1, 4.5), (1, 5.4)] + [(n, 4.2) for n in range(2, 11)]
    heights += [(n, 3.6) for n in range(11, 31)]
    plans, elevation = [], -9.0
    for level, height in heights:
        name = f"B{-level}" if level < 0 else f"{level}F"
        plans.append(StoreyPlan(level, name, round(elevation, 3), height))
        elevation += height
    return plans


def write_demo_model(path: Path, schema: Schema = "IFC4") -> None:
    import ifcopenshell.api.aggregate
    import ifcopenshell.api.context
    import ifcopenshell.api.project
    import ifcopenshell.api.root
    import ifcopenshell.api.spatial
    import ifcopenshell.api.unit
    import ifcopenshell.guid

    api = ifcopenshell.api
    f = api.project.create_file(version=schema)
    project = api.root.create_entity(f, ifc_class="IfcProject", name="Demo Tower")
    api.unit.assign_unit(f)  # millimetres
    model = api.context.add_context(f, context_type="Model")
    body = api.context.add_context(
        f, context_type="Model", context_identifier="Body", target_view="MODEL_VIEW", parent=model
    )
    site = api.root.create_entity(f, ifc_class="IfcSite", name="Demo site")
    building = api.root.create_entity(f, ifc_class="IfcBuilding", name="Demo Tower (示范塔楼)")
    api.aggregate.assign_object(f, products=[site], relating_object=project)
    api.aggregate.assign_object(f, products=[building], relating_object=site)
    origin = _placement(f, None, 0.0)
    for plan in storey_plans():
        storey = api.root.create_entity(f, ifc_class="IfcBuildingStorey", name=plan.name)
        storey.Elevation = plan.elevation_m * MM
        storey.ObjectPlacement = placement = _placement(f, origin, plan.elevation_m * MM)
        api.aggregate.assign_object(f, products=[storey], relating_object=building)
        tag = f"b{-plan.level}" if plan.level < 0 else f"f{plan.level}"
        spaces = [("core", "stair/lift core", CORE), ("west", "west wing", WEST),
                  ("east", "east wing", EAST)]  # fmt: skip
        for short, long_name, outline in spaces:
            space = api.root.create_entity(f, ifc_class="IfcSpace", name=f"{tag}-{short}")
            space.LongName = f"{plan.name} {long_name}"
            space.ObjectPlacement = _placement(f, placement, 0.0)
            space.Representation = _extrusion(f, body, outline, 0.0, plan.height_m * MM - SLAB_MM)
            api.aggregate.assign_object(f, products=[space], relating_object=storey)
        slab = api.root.create_entity(
            f, ifc_class="IfcSlab", predefined_type="FLOOR", name=f"{plan.name} floor slab"
        )
        slab.ObjectPlacement = _placement(f, placement, 0.0)
        slab.Representation = _extrusion(f, body, FOOTPRINT, -SLAB_MM, SLAB_MM)
        api.spatial.assign_container(f, products=[slab], relating_structure=storey)
        openings = [("shaft", f"{plan.name} lift shaft openings", SHAFT)]
        if plan.level == -2:
            openings.append(("pit", "B2 sump / pump pit", PIT))
        if plan.level >= FIRST_RISER_LEVEL:
            openings.append(("opening", f"{plan.name} riser / stair well opening", RISER))
        for short, description, outline in openings:
            opening = api.root.create_entity(
                f, ifc_class="IfcOpeningElement", name=f"{tag}-{short}"
            )
            opening.Description = description
            opening.ObjectPlacement = _placement(f, slab.ObjectPlacement, 0.0)
            opening.Representation = _extrusion(f, body, outline, -SLAB_MM, SLAB_MM)
            # the relation itself: IfcOpenShell's API for it moved between 0.8 and 0.9
            f.createIfcRelVoidsElement(ifcopenshell.guid.new(), None, None, None, slab, opening)
    f.write(str(path))


def _placement(f: Any, relative_to: Any, z_mm: float) -> Any:
    point = f.createIfcCartesianPoint((0.0, 0.0, z_mm))
    return f.createIfcLocalPlacement(relative_to, f.createIfcAxis2Placement3D(point, None, None))


def _extrusion(f: Any, context: Any, outline: list[Point], z_mm: float, depth_mm: float) -> Any:
    points = [f.createIfcCartesianPoint((x * MM, y * MM)) for x, y in outline]
    profile = f.createIfcArbitraryClosedProfileDef("AREA", None, f.createIfcPolyline(
        [*points, points[0]]))  # fmt: skip
    position = f.createIfcAxis2Placement3D(f.createIfcCartesianPoint((0.0, 0.0, z_mm)), None, None)
    solid = f.createIfcExtrudedAreaSolid(
        profile, position, f.createIfcDirection((0.0, 0.0, 1.0)), depth_mm
    )
    shape = f.createIfcShapeRepresentation(context, "Body", "SweptSolid", [solid])
    return f.createIfcProductDefinitionShape(None, None, [shape])


if __name__ == "__main__":
    write_demo_model(Path(sys.argv[1]))
