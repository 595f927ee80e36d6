"""What a site needs from a building's IFC model, read with IfcOpenShell: the building's
storeys, the spaces on each with their footprints, and (on request) the slabs' openings and
outlines that hazard zones may be drawn from. Lengths in metres, whatever the model's unit;
plan coordinates are the model's own (its project origin is the site's)."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bim.footprint import footprint
from core.errors import SitePulseError
from core.geometry import Point

# IFC-SPF files (ISO 10303-21) begin so; ifcXML and zipped IFC are other formats.
SPF_MAGIC = b"ISO-10303-21;"
SCHEMAS = ("IFC2X3", "IFC4", "IFC4X3")

# A space's floor area as exporters name it: buildingSMART's base quantities (IFC4's
# Qto_SpaceBaseQuantities, ArchiCAD's BaseQuantities), then Revit's GSA export. Gross
# first: the outline of the space's solid; the net area leaves out what stands in it (and
# ArchiCAD's is 97 % of the gross by default).
FLOOR_AREAS = ("GrossFloorArea", "NetFloorArea", "GSA BIM Area")

Progress = Callable[[str], None]


class ModelRefused(SitePulseError):
    """The IFC model cannot be turned into a site file."""


@dataclass(frozen=True)
class Storey:
    global_id: str
    name: str
    elevation_m: float


@dataclass(frozen=True)
class Space:
    global_id: str
    storey: str  # the storey's GlobalId
    name: str  # IfcSpace.Name: usually the room number
    long_name: str  # IfcSpace.LongName: the room's name
    footprint: list[Point] | None
    # the model's own floor area (FLOOR_AREAS), to compare the footprint with
    floor_area_m2: float | None


@dataclass(frozen=True)
class SlabFeature:
    """A slab's opening (a shaft, stair or lift opening) or a slab's outline (its edges)."""

    global_id: str
    storey: str
    kind: str  # "opening" or "outline"
    name: str
    description: str
    outline: list[Point]


@dataclass(frozen=True)
class BuildingModel:
    source: str
    schema: str
    building: str  # its name, or its GlobalId if it has none
    storeys: list[Storey]
    spaces: list[Space]
    slab_features: list[SlabFeature]


def read_model(
    path: Path, *, building: str | None = None, slabs: bool = False, progress: Progress
) -> BuildingModel:
    """Read `path`; refuse (ModelRefused, naming the problem) a file that is not IFC, of a
    schema not read here, with several buildings and no choice, or without storeys."""
    import ifcopenshell
    import ifcopenshell.util.unit

    _check_header(path)
    started = time.monotonic()
    progress(f"reading {path} ({path.stat().st_size / 1e6:.1f} MB)")
    try:
        model = ifcopenshell.open(str(path))
    except (RuntimeError, OSError, ifcopenshell.Error) as exc:
        raise ModelRefused(f"{path}: not a readable IFC file: {exc}") from None
    schema = str(model.schema)
    if schema not in SCHEMAS:
        msg = f"{path}: schema {schema} is not read here (one of {', '.join(SCHEMAS)})"
        raise ModelRefused(msg)
    progress(f"read {schema} in {time.monotonic() - started:.1f} s")
    chosen = _building(model, building, path)
    scale = float(ifcopenshell.util.unit.calculate_unit_scale(model))
    storeys = sorted(_storeys(chosen), key=lambda s: s.id())  # as the file writes them
    if not storeys:
        raise ModelRefused(f"{path}: building {_label(chosen)} has no storeys (IfcBuildingStorey)")
    spaces = {s: _spaces_of(s) for s in storeys}
    features = {s: _slabs_of(s) for s in storeys} if slabs else {}
    shapes = _footprints(
        model,
        [x for found in spaces.values() for x in found]
        + [x for found in features.values() for slab in found for x in (slab, *_openings(slab))],
        progress,
    )
    return BuildingModel(
        source=path.name,
        schema=schema,
        building=chosen.Name or chosen.LongName or _project_name(model) or chosen.GlobalId,
        storeys=[
            Storey(s.GlobalId, s.Name or s.LongName or "", _elevation_m(s, scale)) for s in storeys
        ],
        spaces=[
            Space(
                global_id=space.GlobalId,
                storey=storey.GlobalId,
                name=space.Name or "",
                long_name=space.LongName or "",
                footprint=shapes.get(space.id()),
                floor_area_m2=_floor_area(space),
            )
            for storey, found in spaces.items()
            for space in found
        ],
        slab_features=[
            feature
            for storey, found in features.items()
            for slab in found
            for feature in _slab_features(storey, slab, shapes)
        ],
    )


def _check_header(path: Path) -> None:
    try:
        with path.open("rb") as file:
            head = file.read(64)
    except OSError as exc:
        raise ModelRefused(f"{path}: cannot read: {exc.strerror or exc}") from None
    if not head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(SPF_MAGIC):
        kind = "a zip archive (.ifczip?)" if head.startswith(b"PK") else "not IFC-SPF"
        raise ModelRefused(
            f"{path}: {kind}: an IFC model exported as .ifc (STEP text beginning "
            f"'ISO-10303-21;') is read here; export the model as IFC2X3 or IFC4 .ifc"
        )


def _building(model: Any, choice: str | None, path: Path) -> Any:
    buildings = model.by_type("IfcBuilding")
    if not buildings:
        raise ModelRefused(f"{path}: the model has no building (IfcBuilding)")
    if choice is not None:
        found = [b for b in buildings if choice in (b.GlobalId, b.Name, b.LongName)]
        if len(found) != 1:
            names = ", ".join(_label(b) for b in buildings)
            how = "no" if not found else "more than one"
            raise ModelRefused(f"{path}: {how} building is {choice!r}; its buildings: {names}")
        return found[0]
    if len(buildings) > 1:
        names = ", ".join(_label(b) for b in buildings)
        raise ModelRefused(
            f"{path}: the model has {len(buildings)} buildings ({names}): "
            "choose one with --building NAME or --building GLOBALID"
        )
    return buildings[0]


def _project_name(model: Any) -> str | None:
    projects = model.by_type("IfcProject")
    return (projects[0].LongName or projects[0].Name) if projects else None


def _label(entity: Any) -> str:
    name = entity.Name or entity.LongName
    return f"{name!r} ({entity.GlobalId})" if name else str(entity.GlobalId)


def _children(entity: Any) -> Iterator[Any]:
    """What `entity` aggregates, then what it contains (some exporters contain spaces)."""
    for rel in getattr(entity, "IsDecomposedBy", None) or ():
        yield from rel.RelatedObjects
    for rel in getattr(entity, "ContainsElements", None) or ():
        yield from rel.RelatedElements


def _storeys(entity: Any) -> Iterator[Any]:
    """The building's storeys, and storeys within them (partial storeys, mezzanines)."""
    for child in _children(entity):
        if child.is_a("IfcBuildingStorey"):
            yield child
            yield from _storeys(child)


def _spaces_of(storey: Any) -> list[Any]:
    """In the order the file writes them (a relation's set of objects has none)."""
    return sorted((c for c in _children(storey) if c.is_a("IfcSpace")), key=lambda c: c.id())


def _slabs_of(storey: Any) -> list[Any]:
    slabs = (c for c in _children(storey) if c.is_a("IfcSlab") and c.PredefinedType != "ROOF")
    return sorted(slabs, key=lambda c: c.id())


def _openings(slab: Any) -> list[Any]:
    return sorted((r.RelatedOpeningElement for r in slab.HasOpenings or ()), key=lambda o: o.id())


def _elevation_m(storey: Any, scale: float) -> float:
    import ifcopenshell.util.placement

    if storey.Elevation is not None:
        return round(float(storey.Elevation) * scale, 4)
    if storey.ObjectPlacement is None:
        return 0.0
    matrix = ifcopenshell.util.placement.get_local_placement(storey.ObjectPlacement)
    return round(float(matrix[2][3]) * scale, 4)


def _floor_area(space: Any) -> float | None:
    import ifcopenshell.util.element

    quantities = ifcopenshell.util.element.get_psets(space, qtos_only=True)
    for name in FLOOR_AREAS:
        for qto in quantities.values():
            if isinstance(qto.get(name), int | float):
                return float(qto[name])
    return None


def _footprints(model: Any, products: list[Any], progress: Progress) -> dict[int, list[Point]]:
    """Each product's footprint, by its id, from the geometry IfcOpenShell makes of it (in
    metres, in the model's world coordinates); products without geometry are left out."""
    import ifcopenshell.geom

    geom: Any = ifcopenshell.geom  # its settings and iterator are not typed
    wanted = [p for p in products if p.Representation is not None]
    if not wanted:
        return {}
    settings = geom.settings()
    settings.set("use-world-coords", True)
    settings.set("disable-opening-subtractions", True)
    threads = max(1, min(4, multiprocessing.cpu_count()))
    iterator = geom.iterator(settings, model, threads, include=wanted)
    found: dict[int, list[Point]] = {}
    started = time.monotonic()
    progress(f"geometry of {len(wanted)} spaces and slabs ({threads} threads)")
    if not iterator.initialize():
        return found
    shown = -1
    while True:
        shape = iterator.get()
        outline = footprint(shape.geometry.verts, shape.geometry.faces)
        if outline is not None:
            found[shape.id] = outline
        done = iterator.progress()
        if done // 10 != shown // 10:
            shown = done
            progress(f"geometry {done}% ({time.monotonic() - started:.1f} s)")
        if not iterator.next():
            break
    progress(f"geometry done: {len(found)} outlines in {time.monotonic() - started:.1f} s")
    return found


def _slab_features(storey: Any, slab: Any, shapes: dict[int, list[Point]]) -> Iterator[SlabFeature]:
    for opening in _openings(slab):
        if opening.id() in shapes:
            yield SlabFeature(
                opening.GlobalId,
                storey.GlobalId,
                "opening",
                opening.Name or "",
                opening.Description or "",
                shapes[opening.id()],
            )
    if slab.id() in shapes:
        yield SlabFeature(
            slab.GlobalId,
            storey.GlobalId,
            "outline",
            slab.Name or "",
            slab.Description or "",
            shapes[slab.id()],
        )
