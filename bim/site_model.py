"""From a building model to a site file (CONTRACT §2): storeys become floors numbered from
the ground, spaces become zones, and an existing site file keeps what the model does not
hold. Pure decisions: the model comes in read, the site file goes out as data."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from pydantic import ValidationError

from bim.hazards import Suggestion, suggestions
from bim.ids import unique_ids
from bim.ifc_model import BuildingModel, ModelRefused, Storey
from core.errors import SiteFileInvalid
from sites.site_file import FloorSpec, SiteFile, SiteInfo, ZoneSpec

# The storey at or just above this elevation is level 1 (a millimetre's tolerance: exporters
# write 0 as -9.2e-11).
GROUND_M = -0.001
LOWEST_LEVEL, HIGHEST_LEVEL = -10, 200


@dataclass
class SiteDraft:
    site: SiteFile
    suggestions: list[Suggestion] = field(default_factory=list)
    # what a person should know: spaces left out, what a merge kept
    notes: list[str] = field(default_factory=list)


def check_site_info(site_id: str, timezone: str) -> None:
    """Refuse, naming the option, a site id or time zone the site file would refuse."""
    try:
        SiteInfo(id=site_id, name="-", timezone=timezone)
    except ValidationError as exc:
        option = {"id": "--site-id", "timezone": "--timezone"}
        raise SiteFileInvalid(
            "; ".join(
                f"{option.get(str(e['loc'][0]), e['loc'][0])} {e['input']!r}: "
                + str(e["msg"]).removeprefix("Value error, ")
                for e in exc.errors(include_url=False)
            )
        ) from None


def levels(storeys: Sequence[Storey]) -> dict[str, int]:
    """Each storey's level by its GlobalId: the lowest at or above elevation 0 is 1, those
    above 2, 3, ..., those below -1, -2, ... (no level 0, as on site)."""
    ordered = sorted(storeys, key=lambda s: s.elevation_m)  # stable: file order breaks ties
    ground = next((i for i, s in enumerate(ordered) if s.elevation_m >= GROUND_M), len(ordered))
    found = {s.global_id: i - ground + (1 if i >= ground else 0) for i, s in enumerate(ordered)}
    low, high = min(found.values()), max(found.values())
    if low < LOWEST_LEVEL or high > HIGHEST_LEVEL:
        raise ModelRefused(
            f"the model's storeys number {low}..{high} from the ground storey; a site's levels "
            f"are {LOWEST_LEVEL}..{HIGHEST_LEVEL}"
        )
    return found


def zone_name(name: str, long_name: str, zone_id: str) -> str:
    """The space's LongName after its Name, unless the Name is the zone's id already (or
    one holds the other)."""
    if name == zone_id or name in long_name:
        return long_name or name
    if long_name in name:
        return name
    return f"{name} {long_name}"


def draft_site(
    model: BuildingModel,
    *,
    site_id: str,
    timezone: str,
    existing: SiteFile | None = None,
    suggest: bool = False,
) -> SiteDraft:
    """The site file the model describes, merged with `existing` if given: its site name,
    cranes, devices and workers, the zones and floors the model does not hold, and the
    hazard flag of each zone a person set."""
    level_of = levels(model.storeys)
    floors = [
        FloorSpec(
            level=level_of[s.global_id],
            name=s.name or f"L{level_of[s.global_id]}",
            elevation_m=round(s.elevation_m, 3),
        )
        for s in model.storeys
    ]
    notes = [
        f"space {s.name or s.global_id} {s.long_name!r}: no footprint (no geometry with a "
        "flat bottom): left out"
        for s in model.spaces
        if s.footprint is None
    ]
    drawn = [s for s in model.spaces if s.footprint is not None]
    ids = unique_ids([(s.name, s.global_id) for s in drawn])
    zones = [
        ZoneSpec(
            id=zone_id,
            floor=level_of[space.storey],
            polygon=[(round(x, 3), round(y, 3)) for x, y in space.footprint or ()],
            name=zone_name(space.name, space.long_name, zone_id) or None,
        )
        for zone_id, space in zip(ids, drawn, strict=True)
    ]
    found = suggestions(model, level_of, taken={z.id for z in zones}) if suggest else []
    name = model.building
    if existing is not None:
        floors, zones = _merge(floors, zones, existing, notes)
        name = existing.site.name
        confirmed = {z.id for z in existing.zones}  # a person took these in already
        found = [s for s in found if s.zone.id not in confirmed]
    site = SiteFile(
        site=SiteInfo(id=site_id, name=name, timezone=timezone),
        floors=sorted(floors, key=lambda f: f.level),
        zones=sorted(zones, key=lambda z: z.floor),  # stable: the model's order on a floor
        cranes=existing.cranes if existing else [],
        devices=existing.devices if existing else [],
        workers=existing.workers if existing else [],
    )
    return SiteDraft(site, found, notes)


def _merge(
    floors: list[FloorSpec], zones: list[ZoneSpec], existing: SiteFile, notes: list[str]
) -> tuple[list[FloorSpec], list[ZoneSpec]]:
    levels_here = {f.level for f in floors}
    kept_floors = [f for f in existing.floors if f.level not in levels_here]
    if kept_floors:
        notes.append(
            "kept floors the model does not have: " + ", ".join(f.name for f in kept_floors)
        )
    hazard = {z.id: z.hazard for z in existing.zones}
    ids_here = {z.id for z in zones}
    merged = [z.model_copy(update={"hazard": hazard.get(z.id, z.hazard)}) for z in zones]
    kept = [z for z in existing.zones if z.id not in ids_here]
    if kept:
        notes.append(f"kept {len(kept)} zones the model does not have (hazard zones, ...)")
    return floors + kept_floors, merged + kept
