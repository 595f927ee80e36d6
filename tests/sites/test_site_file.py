"""sites.site_file: the site file of CONTRACT §2, and `file:LINE: field.path: message` refusals.

BASE is the contract's example; each invalid case edits it in place without changing its
line count, so the line numbers in the expected messages can be read off BASE below."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from core.errors import SiteFileInvalid
from sites.site_file import SiteFile, load_site_file, parse_site_file

DEMO = Path(__file__).resolve().parents[2] / "deploy" / "sites" / "demo-tower.yaml"
SOURCE = "site.yaml"

BASE = """\
site: {id: tower-a, name: "Tower A", timezone: Asia/Shanghai}
floors:
  - {level: 1, name: "1F", elevation_m: 0.0}
  - {level: 2, name: "2F", elevation_m: 4.5}
zones:
  - {id: f2-core, floor: 2, polygon: [[0,0],[10,0],[10,8],[0,8]], hazard: false}
cranes:
  - {id: tc-1, x_m: 20, y_m: 30, jib_m: 60, rated_t: 8}
devices:
  - {id: env-2f-01, kind: env, floor: 2, zone: f2-core}
  - {id: tc-1, kind: crane}
  - {id: gw-01, kind: gateway}
  - {id: tag-0412, kind: tag, gateway: gw-01}
workers:
  - {id: w-0412, name: "Li Wei", trade: rebar, tag: tag-0412}
"""
# line numbers in BASE
SITE, FLOOR_1, FLOOR_2, ZONE, CRANE, ENV, TC, GW, TAG, WORKER = 1, 3, 4, 6, 8, 10, 11, 12, 13, 15


def edit(old: str, new: str) -> str:
    assert BASE.count(old) == 1, f"{old!r} must occur once in BASE"
    return BASE.replace(old, new)


def problems(text: str) -> list[str]:
    """The report lines of a refused file (its first line is the summary)."""
    with pytest.raises(SiteFileInvalid) as caught:
        parse_site_file(text, SOURCE)
    summary, *report = str(caught.value).splitlines()
    assert summary == f"{SOURCE} is invalid ({len(report)} problem(s)); nothing was loaded"
    return report


def refusal(text: str) -> str:
    with pytest.raises(SiteFileInvalid) as caught:
        parse_site_file(text, SOURCE)
    return str(caught.value)


# --- valid files ----------------------------------------------------------------------------


def test_base_lines_are_where_the_tests_expect_them() -> None:
    lines = BASE.splitlines()
    assert lines[SITE - 1].startswith("site:")
    assert "elevation_m: 0.0" in lines[FLOOR_1 - 1]
    assert "elevation_m: 4.5" in lines[FLOOR_2 - 1]
    assert "f2-core, floor" in lines[ZONE - 1]
    assert "jib_m" in lines[CRANE - 1]
    assert "env-2f-01" in lines[ENV - 1]
    assert "kind: crane" in lines[TC - 1]
    assert "kind: gateway" in lines[GW - 1]
    assert "kind: tag" in lines[TAG - 1]
    assert "Li Wei" in lines[WORKER - 1]


def test_contract_example_parses() -> None:
    site = parse_site_file(BASE, SOURCE)
    assert isinstance(site, SiteFile)
    assert (site.site.id, site.site.name, site.site.timezone) == (
        "tower-a",
        "Tower A",
        "Asia/Shanghai",
    )
    assert [(f.level, f.name, f.elevation_m) for f in site.floors] == [
        (1, "1F", 0.0),
        (2, "2F", 4.5),
    ]
    zone = site.zones[0]
    assert (zone.id, zone.floor, zone.hazard) == ("f2-core", 2, False)
    assert zone.polygon == [(0.0, 0.0), (10.0, 0.0), (10.0, 8.0), (0.0, 8.0)]
    crane = site.cranes[0]
    assert (crane.id, crane.x_m, crane.y_m, crane.jib_m, crane.rated_t) == ("tc-1", 20, 30, 60, 8)
    assert [(d.id, d.kind) for d in site.devices] == [
        ("env-2f-01", "env"),
        ("tc-1", "crane"),
        ("gw-01", "gateway"),
        ("tag-0412", "tag"),
    ]
    assert (site.devices[0].floor, site.devices[0].zone) == (2, "f2-core")
    assert site.devices[3].gateway == "gw-01"
    assert site.devices[1].floor is None
    worker = site.workers[0]
    assert (worker.id, worker.name, worker.trade, worker.tag) == (
        "w-0412",
        "Li Wei",
        "rebar",
        "tag-0412",
    )


def test_minimal_file_has_empty_optional_sections() -> None:
    site = parse_site_file(
        "site: {id: s1, name: S, timezone: UTC}\nfloors:\n  - {level: 0, name: G, elevation_m: 0}\n"
    )
    assert site.site.id == "s1"
    assert len(site.floors) == 1
    assert (site.zones, site.cranes, site.devices, site.workers) == ([], [], [], [])


def test_block_style_file_parses() -> None:
    text = """\
site:
  id: tower-b
  name: Tower B
  timezone: Europe/Berlin
floors:
  - level: -1
    name: B1
    elevation_m: -3.5
zones:
  - id: pit
    floor: -1
    hazard: true
    polygon:
      - [0, 0]
      - [4, 0]
      - [4, 4]
"""
    site = parse_site_file(text)
    assert site.zones[0].hazard is True
    assert site.zones[0].polygon == [(0, 0), (4, 0), (4, 4)]
    assert site.floors[0].level == -1


def test_demo_tower_parses() -> None:
    site = load_site_file(DEMO)
    kinds = Counter(device.kind for device in site.devices)
    assert site.site.id == "demo-tower"
    assert len(site.floors) == 32
    assert len(site.cranes) == 3
    assert kinds["gateway"] == 4
    assert kinds["tag"] == 300
    assert kinds["crane"] == 3
    assert 50 <= kinds["env"] <= 70
    assert len(site.workers) == 300
    assert len({w.tag for w in site.workers}) == 300
    assert {d.id for d in site.devices if d.kind == "crane"} == {c.id for c in site.cranes}


# --- refusals: one problem each, named by its line and field ---------------------------------

# case: (the file, the line named, what is wrong there)
REFUSED = {
    # types and shapes
    "wrong_type": (
        edit("elevation_m: 4.5", 'elevation_m: "high"'),
        FLOOR_2,
        "floors[1].elevation_m: Input should be a valid number, unable to parse string as a number",
    ),
    "polygon_with_two_points": (
        edit("[[0,0],[10,0],[10,8],[0,8]]", "[[0,0],[10,0]]"),
        ZONE,
        "zones[0].polygon: List should have at least 3 items after validation, not 2",
    ),
    "polygon_without_area": (
        edit("[[0,0],[10,0],[10,8],[0,8]]", "[[0,0],[5,0],[10,0]]"),
        ZONE,
        "zones[0].polygon: polygon has no area (collinear points)",
    ),
    "unknown_key": (
        edit("rated_t: 8}", "rated_t: 8, colour: red}"),
        CRANE,
        "cranes[0].colour: Extra inputs are not permitted",
    ),
    "unknown_top_level_section": (
        BASE + "schedule: []\n",
        16,
        "schedule: Extra inputs are not permitted",
    ),
    "unknown_kind": (
        edit("kind: crane", "kind: drone"),
        TC,
        "devices[1].kind: Input should be 'crane', 'tag', 'env' or 'gateway'",
    ),
    "bad_id": (
        edit("id: tower-a", 'id: "tower a"'),
        SITE,
        "site.id: String should match pattern '^[A-Za-z0-9_-]{1,64}$'",
    ),
    "jib_must_be_positive": (
        edit("jib_m: 60", "jib_m: 0"),
        CRANE,
        "cranes[0].jib_m: Input should be greater than 0",
    ),
    "bad_timezone": (
        edit("Asia/Shanghai", "Mars/Olympus"),
        SITE,
        "site.timezone: unknown time zone 'Mars/Olympus' (an IANA name such as Asia/Shanghai)",
    ),
    "missing_required_field": (
        edit(', name: "Li Wei"', ""),
        WORKER,
        "workers[0].name: Field required",
    ),
    "missing_floors_section": (
        "site: {id: s1, name: S, timezone: UTC}\n",
        1,
        "floors: Field required",
    ),
    # cross-references
    "device_on_an_unknown_floor": (
        edit("kind: env, floor: 2, zone: f2-core", "kind: env, floor: 7"),
        ENV,
        "devices[0].floor: floor 7 is not a listed floor",
    ),
    "device_zone_on_another_floor": (
        edit("kind: env, floor: 2", "kind: env, floor: 1"),
        ENV,
        "devices[0].zone: zone 'f2-core' is on floor 2, not 1",
    ),
    "device_in_an_unknown_zone": (
        edit("zone: f2-core", "zone: f9-core"),
        ENV,
        "devices[0].zone: zone 'f9-core' is not a listed zone",
    ),
    "duplicate_device_id": (
        edit("id: env-2f-01", "id: tc-1"),
        TC,
        "devices[1].id: duplicate id 'tc-1'",
    ),
    "duplicate_worker_id": (
        BASE + '  - {id: w-0412, name: "Wang Fang", trade: formwork}\n',
        16,
        "workers[1].id: duplicate id 'w-0412'",
    ),
    "tag_worn_by_two_workers": (
        BASE + '  - {id: w-0413, name: "Wang Fang", trade: formwork, tag: tag-0412}\n',
        16,
        "workers[1].tag: tag 'tag-0412' is already worn by workers[0]",
    ),
    "worker_tag_that_is_not_a_tag": (
        edit("rebar, tag: tag-0412", "rebar, tag: gw-01"),
        WORKER,
        "workers[0].tag: 'gw-01' is not a tag device",
    ),
    "crane_device_without_a_cranes_entry": (
        edit("{id: tc-1, kind: crane}", "{id: tc-2, kind: crane}"),
        TC,
        "devices[1].id: crane device 'tc-2' has no entry under cranes",
    ),
    "gateway_that_is_not_a_gateway": (
        edit("gateway: gw-01}", "gateway: env-2f-01}"),
        TAG,
        "devices[3].gateway: 'env-2f-01' is not a gateway device",
    ),
    "gateway_cannot_have_a_gateway": (
        edit("{id: gw-01, kind: gateway}", "{id: gw-01, kind: gateway, gateway: gw-01}"),
        GW,
        "devices[2].gateway: a gateway cannot have a gateway",
    ),
    # YAML
    "duplicate_key_in_a_flow_mapping": (
        edit("elevation_m: 0.0}", "elevation_m: 0.0, level: 3}"),
        FLOOR_1,
        "floors[0].level: duplicate key",
    ),
    "duplicate_key_in_the_site_mapping": (
        edit("timezone: Asia/Shanghai}", "timezone: Asia/Shanghai, id: tower-b}"),
        SITE,
        "site.id: duplicate key",
    ),
    # Regression (sites/site_file.py _index_lines): the duplicate key's line is recorded,
    # then overwritten by the recursion into its value, so a block value was reported one
    # line late (line 17, the first item, instead of line 16 where `floors:` repeats).
    "duplicate_top_level_section_names_the_key_line": (
        BASE + 'floors:\n  - {level: 3, name: "3F", elevation_m: 9.0}\n',
        16,
        "floors: duplicate key",
    ),
}


@pytest.mark.parametrize("case", REFUSED)
def test_a_refused_file_names_the_line_and_field(case: str) -> None:
    text, line, problem = REFUSED[case]
    assert problems(text) == [f"{SOURCE}:{line}: {problem}"]


# --- refusals: types and shapes -------------------------------------------------------------


@pytest.mark.parametrize("zone", ["America", "", "../etc/passwd", "/etc/passwd"])
def test_odd_timezones_are_refused(zone: str) -> None:
    report = problems(edit("Asia/Shanghai", repr(zone)))
    assert report == [
        f"{SOURCE}:{SITE}: site.timezone: unknown time zone {zone!r} "
        "(an IANA name such as Asia/Shanghai)"
    ]


def test_every_problem_is_reported() -> None:
    text = edit("elevation_m: 4.5", 'elevation_m: "high"').replace("jib_m: 60", "jib_m: -1")
    report = problems(text)
    assert len(report) == 2
    assert report[0].startswith(f"{SOURCE}:{FLOOR_2}: floors[1].elevation_m: ")
    assert report[1] == f"{SOURCE}:{CRANE}: cranes[0].jib_m: Input should be greater than 0"


@pytest.mark.parametrize("text", ["~\n", "[1, 2]\n", "just text\n"])
def test_top_level_not_a_mapping(text: str) -> None:
    report = problems(text)
    assert report == [
        f"{SOURCE}:1: (file): Input should be a valid dictionary or instance of SiteFile"
    ]


# --- refusals: cross-references -------------------------------------------------------------


def test_zone_on_an_unknown_floor() -> None:
    report = problems(edit("f2-core, floor: 2", "f2-core, floor: 9"))
    assert f"{SOURCE}:{ZONE}: zones[0].floor: floor 9 is not a listed floor" in report
    # the env device on floor 2 in that zone is now on the wrong floor too
    assert f"{SOURCE}:{ENV}: devices[0].zone: zone 'f2-core' is on floor 9, not 2" in report
    assert len(report) == 2


def test_duplicate_floor_level() -> None:
    report = problems(edit('level: 2, name: "2F"', 'level: 1, name: "2F"'))
    assert report[0] == f"{SOURCE}:{FLOOR_2}: floors[1].level: duplicate level 1"
    assert f"{SOURCE}:{ZONE}: zones[0].floor: floor 2 is not a listed floor" in report
    assert f"{SOURCE}:{ENV}: devices[0].floor: floor 2 is not a listed floor" in report


def test_duplicate_zone_and_crane_ids() -> None:
    text = BASE.replace(
        "zones:\n", "zones:\n  - {id: f2-core, floor: 1, polygon: [[0,0],[1,0],[0,1]]}\n"
    ).replace("cranes:\n", "cranes:\n  - {id: tc-1, x_m: 0, y_m: 0, jib_m: 50, rated_t: 6}\n")
    report = problems(text)
    assert f"{SOURCE}:{ZONE + 1}: zones[1].id: duplicate id 'f2-core'" in report
    assert f"{SOURCE}:{CRANE + 2}: cranes[1].id: duplicate id 'tc-1'" in report


# --- refusals: YAML -------------------------------------------------------------------------


def test_duplicate_top_level_section_is_refused() -> None:
    text = BASE + 'floors:\n  - {level: 3, name: "3F", elevation_m: 9.0}\n'
    report = problems(text)
    assert len(report) == 1
    assert report[0].endswith(": floors: duplicate key")


@pytest.mark.parametrize(
    ("old", "new", "line", "what"),
    [
        ("  - {id: tc-1, kind: crane}", "  - {id: tc-1, kind: crane]", TC, "expected ',' or '}'"),
        ("  - {id: tc-1, kind: crane}", "\t- {id: tc-1, kind: crane}", TC, "'\\t'"),
    ],
)
def test_broken_yaml(old: str, new: str, line: int, what: str) -> None:
    text = refusal(edit(old, new))
    assert text.startswith(f"{SOURCE}:{line}: not valid YAML: ")
    assert what in text
    assert "\n" not in text


@pytest.mark.parametrize("text", ["", "\n\n", "# only a comment\n"])
def test_empty_file(text: str) -> None:
    assert refusal(text) == f"{SOURCE}: the file is empty"


def test_default_source_name() -> None:
    with pytest.raises(SiteFileInvalid, match=r"^<site file>: the file is empty$"):
        parse_site_file("")


def test_load_site_file_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "tower.yaml"
    path.write_text(edit("jib_m: 60", "jib_m: 0"), encoding="utf-8")
    with pytest.raises(SiteFileInvalid) as caught:
        load_site_file(path)
    assert f"{path}:{CRANE}: cranes[0].jib_m: " in str(caught.value)


def test_load_site_file_that_is_missing(tmp_path: Path) -> None:
    path = tmp_path / "missing.yaml"
    with pytest.raises(SiteFileInvalid, match="cannot read"):
        load_site_file(path)


def test_load_site_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin1.yaml"
    path.write_bytes(b"site: {id: s, name: \xe9, timezone: UTC}\n")
    with pytest.raises(SiteFileInvalid, match="cannot read"):
        load_site_file(path)
