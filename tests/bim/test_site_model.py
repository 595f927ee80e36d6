"""From a building model (made here, as the reader would give it) to a site file: levels,
ids, names, merging, suggestions, and the text `site check` reads back."""

from __future__ import annotations

import pytest

from bim.hazards import suggestions
from bim.ids import unique_ids
from bim.ifc_model import BuildingModel, ModelRefused, SlabFeature, Space, Storey
from bim.site_model import check_site_info, draft_site, levels, zone_name
from bim.site_yaml import site_yaml
from core.errors import SiteFileInvalid
from sites.site_file import parse_site_file

SQUARE = [(0.0, 0.0), (10.0, 0.0), (10.0, 8.0), (0.0, 8.0)]


def storeys(*elevations: float) -> list[Storey]:
    return [Storey(f"gid-{i}", f"S{i}", e) for i, e in enumerate(elevations)]


def space(gid: str, storey: str, name: str, long_name: str = "") -> Space:
    return Space(gid, storey, name, long_name, SQUARE, None)


def model(spaces: list[Space], features: list[SlabFeature] | None = None) -> BuildingModel:
    return BuildingModel(
        source="test.ifc",
        schema="IFC4",
        building="Tower",
        storeys=storeys(-4.5, 0.0, 3.6, 7.2),
        spaces=spaces,
        slab_features=features or [],
    )


def test_levels_count_from_the_storey_at_or_just_above_ground() -> None:
    # the duplex's storeys: its foundation at -1.25, then 0, 3.1, 6.0 (file order shuffled)
    found = levels(storeys(0.0, 3.1, -1.25, 6.0))
    assert found == {"gid-2": -1, "gid-0": 1, "gid-1": 2, "gid-3": 3}


def test_a_ground_storey_a_hair_below_zero_is_still_level_1() -> None:
    # written by an exporter as -9.19e-11 (millimetres)
    assert levels(storeys(-9.19e-14, 3.14)) == {"gid-0": 1, "gid-1": 2}


def test_a_model_all_below_ground_counts_down_from_minus_1() -> None:
    assert levels(storeys(-9.0, -4.5)) == {"gid-0": -2, "gid-1": -1}


def test_more_storeys_than_levels_are_refused() -> None:
    with pytest.raises(ModelRefused, match=r"number -11\.\.1 .* -10\.\.200"):
        levels(storeys(*(-3.0 * i for i in range(11, -1, -1))))


def test_ids_are_the_names_unless_they_clash_or_are_not_valid() -> None:
    ids = unique_ids(
        [("A101", "g1"), ("Room", "g2"), ("Room", "g3"), ("1.02 Küche", "g4"), ("", "g5")]
    )
    assert ids[0] == "A101"
    assert ids[1].startswith("Room-")
    assert ids[2].startswith("Room-")
    assert ids[1] != ids[2]
    assert ids[3] == "1-02-K-che"
    assert ids[4].startswith("zone-")
    # the same GlobalIds give the same ids: a re-export keeps them
    again = unique_ids([("Room", "g3"), ("Room", "g2")])
    assert again == [ids[2], ids[1]]
    assert unique_ids([("core", "g9")], taken={"core"})[0].startswith("core-")


def test_zone_names_join_name_and_long_name_without_repeating() -> None:
    assert zone_name("A101", "Foyer", "A101") == "Foyer"  # the id shows the number
    assert zone_name("Room", "Office 3", "Room-1a2b3c4d") == "Room Office 3"
    assert zone_name("1.02", "", "1-02") == "1.02"
    assert zone_name("", "Küche", "zone-1a2b3c4d") == "Küche"


def test_the_draft_has_the_model_floors_and_zones_and_reads_back() -> None:
    draft = draft_site(
        model([space("s1", "gid-1", "A101", "Foyer"), space("s2", "gid-2", "A201", "Küche")]),
        site_id="t-1",
        timezone="Europe/Berlin",
    )
    site = draft.site
    assert [(f.level, f.name, f.elevation_m) for f in site.floors] == [
        (-1, "S0", -4.5), (1, "S1", 0.0), (2, "S2", 3.6), (3, "S3", 7.2)
    ]  # fmt: skip
    assert [(z.id, z.floor, z.name, z.hazard) for z in site.zones] == [
        ("A101", 1, "Foyer", False), ("A201", 2, "Küche", False)
    ]  # fmt: skip
    text = site_yaml(site, [], ["a test"])
    assert parse_site_file(text, "written") == site
    assert 'name: "Küche"' in text  # non-ASCII kept as it is, not escaped


def test_a_space_without_footprint_is_left_out_and_named() -> None:
    hollow = Space("s9", "gid-1", "B7", "Store", None, 12.0)
    draft = draft_site(model([hollow]), site_id="t-1", timezone="UTC")
    assert draft.site.zones == []
    assert any("B7" in note and "left out" in note for note in draft.notes)


def test_a_merge_keeps_what_the_model_does_not_hold() -> None:
    existing = parse_site_file(
        """
site: {id: t-1, name: "Tower One", timezone: Asia/Shanghai}
floors:
  - {level: 1, name: "1F", elevation_m: 0.0}
  - {level: 9, name: "9F", elevation_m: 40.0}
zones:
  - {id: A101, floor: 1, polygon: [[0,0],[1,0],[1,1]], hazard: true, name: "old"}
  - {id: f1-landing, floor: 1, polygon: [[0,0],[4,0],[4,4]], hazard: true}
cranes:
  - {id: tc-1, x_m: 20, y_m: 30, jib_m: 60, rated_t: 8}
devices:
  - {id: tc-1, kind: crane}
  - {id: env-1, kind: env, floor: 1, zone: A101}
  - {id: tag-1, kind: tag}
workers:
  - {id: w-1, name: "Li Wei", trade: rebar, tag: tag-1}
""",
        "existing",
    )
    draft = draft_site(
        model([space("s1", "gid-1", "A101", "Foyer")]),
        site_id="t-1",
        timezone="Asia/Shanghai",
        existing=existing,
    )
    site = draft.site
    assert site.site.name == "Tower One"
    assert [f.level for f in site.floors] == [-1, 1, 2, 3, 9]  # 9F kept: not in the model
    a101, landing = site.zones
    # the model's outline and name, the person's hazard flag
    assert (a101.id, a101.polygon, a101.name, a101.hazard) == ("A101", SQUARE, "Foyer", True)
    assert landing == existing.zones[1]
    assert (site.cranes, site.devices, site.workers) == (
        existing.cranes, existing.devices, existing.workers
    )  # fmt: skip
    assert parse_site_file(site_yaml(site, [], []), "merged") == site


OPENING = [(2.0, 2.0), (4.0, 2.0), (4.0, 5.0), (2.0, 5.0)]
SLAB = [(0.0, 0.0), (10.0, 0.0), (10.0, 8.0), (0.0, 8.0)]
SLEEVE = [(6.0, 6.0), (6.2, 6.0), (6.2, 6.2), (6.0, 6.2)]


def features() -> list[SlabFeature]:
    return [
        SlabFeature("o1", "gid-2", "opening", "f2-shaft", "2F lift shaft", OPENING),
        SlabFeature("o2", "gid-2", "opening", "", "", SLEEVE),  # a pipe sleeve: too small
        SlabFeature("slab2", "gid-2", "outline", "Floor", "", SLAB),
        SlabFeature("slab2b", "gid-2", "outline", "Landing", "", SLEEVE),  # not the main one
        SlabFeature("slab1", "gid-1", "outline", "Ground slab", "", SLAB),  # level 1: no edges
    ]


def test_suggestions_from_slab_openings_and_the_main_slab_edges() -> None:
    m = model([space("s1", "gid-2", "A201")], features())
    found = suggestions(m, levels(m.storeys), taken={"A201"})
    by_id = {s.zone.id: s for s in found}
    shaft = by_id["f2-shaft"]
    assert (shaft.zone.polygon, shaft.zone.hazard, shaft.zone.name, shaft.reason) == (
        OPENING, True, "2F lift shaft", "slab opening"
    )  # fmt: skip
    edges = {k: s.zone.polygon for k, s in by_id.items() if s.reason == "slab edge"}
    assert edges == {
        "f2-edge-s": [(0, 0), (10, 0), (10, 1), (0, 1)],
        "f2-edge-e": [(9, 0), (10, 0), (10, 8), (9, 8)],
        "f2-edge-n": [(0, 7), (10, 7), (10, 8), (0, 8)],
        "f2-edge-w": [(0, 0), (1, 0), (1, 8), (0, 8)],
    }
    assert {s.zone.floor for s in found} == {2}


def test_suggestions_are_written_commented_out_and_confirmed_ones_not_again() -> None:
    m = model([space("s1", "gid-2", "A201")], features())
    draft = draft_site(m, site_id="t-1", timezone="UTC", suggest=True)
    text = site_yaml(draft.site, draft.suggestions, [])
    assert "  # - {id: f2-shaft, floor: 2, polygon: [[2, 2], [4, 2], [4, 5], [2, 5]]" in text
    assert parse_site_file(text, "written").zones == draft.site.zones  # comments load nothing
    confirmed = text.replace("  # - {id: f2-shaft", "  - {id: f2-shaft")
    existing = parse_site_file(confirmed, "confirmed")
    assert [z.id for z in existing.zones] == ["A201", "f2-shaft"]
    again = draft_site(m, site_id="t-1", timezone="UTC", existing=existing, suggest=True)
    assert "f2-shaft" not in {s.zone.id for s in again.suggestions}
    assert [z.id for z in again.site.zones] == ["A201", "f2-shaft"]


def test_a_bad_site_id_or_time_zone_is_refused_naming_the_option() -> None:
    with pytest.raises(SiteFileInvalid, match=r"--site-id 'a b'"):
        check_site_info("a b", "UTC")
    with pytest.raises(SiteFileInvalid, match=r"--timezone 'Mars/Olympus'.*IANA"):
        check_site_info("t-1", "Mars/Olympus")
