"""Hazard zones a model hints at, for a person to confirm: openings in floor slabs (shafts,
stair and lift openings, risers) and the edges of each storey's main slab, where people can
fall. Suggestions only: the model does not know which openings are covered or which edges
have their guard-rails or facade yet."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from bim.footprint import footprint_area, from_lowest
from bim.ids import level_tag, unique_ids
from bim.ifc_model import BuildingModel, SlabFeature
from core.geometry import Point
from sites.site_file import ZoneSpec

# Smaller openings are sleeves for pipes and cables, not somewhere to fall through.
MIN_OPENING_M2 = 0.1
# An edge zone: a band this wide inside the slab's outline, along each side this long.
EDGE_BAND_M = 1.0
MIN_EDGE_M = 2.0
# Edges from this level up: below it a fall from the slab's edge is no fall from height.
FIRST_EDGE_LEVEL = 2


@dataclass(frozen=True)
class Suggestion:
    zone: ZoneSpec
    reason: str  # "slab opening" or "slab edge"


def suggestions(
    model: BuildingModel, level_of: dict[str, int], taken: Iterable[str]
) -> list[Suggestion]:
    names = {s.global_id: s.name for s in model.storeys}
    openings = [
        f
        for f in model.slab_features
        if f.kind == "opening" and footprint_area(f.outline) >= MIN_OPENING_M2
    ]
    drafts = [
        (
            f.name or f"{level_tag(level_of[f.storey])}-opening",
            f.global_id,
            level_of[f.storey],
            f.outline,
            f.description or f"{names[f.storey]} slab opening {f.name}".strip(),
            "slab opening",
        )
        for f in openings
    ]
    drafts += [
        (base, key, level, band, f"{names[storey]} slab edge ({side.upper()})", "slab edge")
        for storey, slab in _main_slabs(model.slab_features).items()
        if level_of[storey] >= FIRST_EDGE_LEVEL
        for base, key, level, band, side in _edges(slab, level_of[storey])
    ]
    ids = unique_ids([(base, key) for base, key, *_ in drafts], taken)
    found = [
        Suggestion(ZoneSpec(id=zone_id, floor=level, polygon=polygon, hazard=True, name=name), why)
        for zone_id, (_, _, level, polygon, name, why) in zip(ids, drafts, strict=True)
    ]
    return sorted(found, key=lambda s: s.zone.floor)


def _main_slabs(features: list[SlabFeature]) -> dict[str, SlabFeature]:
    """Each storey's largest slab: its floor (landings and plinths have edges of no note)."""
    by_storey: dict[str, list[SlabFeature]] = defaultdict(list)
    for f in features:
        if f.kind == "outline":
            by_storey[f.storey].append(f)
    return {k: max(v, key=lambda f: footprint_area(f.outline)) for k, v in by_storey.items()}


def _edges(slab: SlabFeature, level: int) -> Iterator[tuple[str, str, int, list[Point], str]]:
    """A band inside each long enough side of the (counter-clockwise) outline, named by the
    side of the building it is on: n, e, s or w (site north is +y)."""
    points = slab.outline
    for i, (x1, y1) in enumerate(points):
        x2, y2 = points[(i + 1) % len(points)]
        dx, dy = x2 - x1, y2 - y1
        length = math.hypot(dx, dy)
        if length < MIN_EDGE_M:
            continue
        # inside is to the left of a counter-clockwise outline's sides
        nx, ny = -dy / length * EDGE_BAND_M, dx / length * EDGE_BAND_M
        band = from_lowest(
            [
                (round(x, 3), round(y, 3))
                for x, y in ((x1, y1), (x2, y2), (x2 + nx, y2 + ny), (x1 + nx, y1 + ny))
            ]
        )
        side = ("n" if ny < 0 else "s") if abs(ny) >= abs(nx) else ("e" if nx < 0 else "w")
        yield f"{level_tag(level)}-edge-{side}", f"{slab.global_id}:{i}", level, band, side
