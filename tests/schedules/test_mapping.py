"""From a file's tasks to the site's: floors, zones, types, site-local times to UTC, and
what cannot be mapped reported, never guessed."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.errors import ScheduleInvalid
from schedules.mapping import Mapping, SiteFrame, load_mapping, map_schedule
from schedules.model import SourceFile, SourceTask, Task
from schedules.store import read_schedule
from sites.site_file import load_site_file

REPO = Path(__file__).resolve().parents[2]
SITE = SiteFrame(
    "t",
    ZoneInfo("Asia/Shanghai"),
    {-2: "B2", -1: "B1", **{n: f"{n}F" for n in range(1, 31)}},
    frozenset({"f12-core"}),
)


def source(name: str, parents: list[str] | None = None, **fields: str) -> SourceTask:
    return SourceTask(
        id="1",
        name=name,
        where="f.xml: Task[1]",
        planned_start=datetime(2026, 11, 23, 8, 0),
        planned_finish=datetime(2026, 11, 23, 17, 0),
        parents=parents or [],
        fields=fields,
    )


def mapped(
    task: SourceTask, mapping: Mapping | None = None, *, strict: bool = False
) -> tuple[Task, list[str]]:
    file = SourceFile([task], {"": ""})
    schedule = map_schedule(file, mapping or Mapping(), SITE, "f.xml", "mspdi", strict=strict)
    return schedule.tasks[0], schedule.unmapped.get("1", [])


@pytest.mark.parametrize(
    ("parent", "level"),
    [
        ("12F", 12),
        ("Level 12", 12),
        ("L12", 12),
        ("B2", -2),
        ("十二层", 12),
        ("12层", 12),
        ("地下2层", -2),
        ("二十层 结构", 20),
        ("Floor 3 structure", 3),
        ("B1F", -1),
    ],
)
def test_floor_from_a_wbs_or_outline_parent(parent: str, level: int) -> None:
    task, missing = mapped(source("浇筑 Pour", [parent, "Tower"]))
    assert task.floors == (level,)
    assert missing == []


def test_the_nearest_parent_wins_then_the_name() -> None:
    assert mapped(source("Pour", ["12F", "L3"]))[0].floors == (12,)
    assert mapped(source("TC-1 爬升至20F", ["Cranes"]))[0].floors == (20,)


def test_a_custom_field_beats_parents_and_may_list_floors() -> None:
    task, _ = mapped(source("Pour", ["12F"], Floor="13F; 14F"))
    assert task.floors == (13, 14)


@pytest.mark.parametrize(
    ("name", "kind"),
    [
        ("浇筑混凝土", "pour"),
        ("Pour slab", "pour"),
        ("混凝土养护", "curing"),
        ("Concrete curing", "curing"),
        ("吊装钢梁", "lift"),
        ("Lift steel beams", "lift"),
        ("塔吊爬升", "climbing"),
        ("TC-2 climbing", "climbing"),
        ("安装塔吊", "erection"),
        ("Erect TC-3", "erection"),
        ("支模", "formwork"),
        ("绑扎钢筋", "rebar"),
        ("Core drilling", "noisy"),
        ("砌筑", "masonry"),
        ("Paint", "finishing"),
        ("Floor", "finishing"),
        ("Studs", "finishing"),
    ],
)
def test_type_from_name_patterns_in_chinese_and_english(name: str, kind: str) -> None:
    assert mapped(source(name, ["12F"]))[0].type == kind


def test_type_from_an_activity_code_or_custom_field() -> None:
    assert mapped(source("Slab 12", ["12F"], Type="POUR"))[0].type == "pour"
    assert mapped(source("Slab 12", ["12F"], Type="养护"))[0].type == "curing"


def test_unmapped_tasks_are_reported_not_guessed() -> None:
    task, missing = mapped(source("Site meeting", ["General"]))
    assert (task.floors, task.type) == ((), None)
    assert missing == ["floor", "type"]


def test_site_local_times_are_stored_in_utc() -> None:
    task, _ = mapped(source("Pour", ["12F"]))
    assert task.planned_start == datetime(2026, 11, 23, 0, 0, tzinfo=UTC)


def test_a_floor_the_site_lacks_is_left_out_and_reported() -> None:
    file = SourceFile([source("Pour slab", ["Levels 29-31"])], {"": ""})
    schedule = map_schedule(file, Mapping(), SITE, "f.xml", "mspdi")
    assert schedule.tasks[0].floors == (29, 30)
    assert schedule.unknown_floors == {"1": [31]}
    assert schedule.unmapped == {}


def test_strict_refuses_a_floor_the_site_lacks_naming_the_task() -> None:
    message = r"f.xml: Task\[1\]: task 1 'Pour': floor 45 is not a floor of site t"
    with pytest.raises(ScheduleInvalid, match=message):
        mapped(source("Pour", ["45F"]), strict=True)


@pytest.mark.parametrize(
    ("task", "message"),
    [
        (source("Pour", ["12F"], Zone="f99-x"), "zone 'f99-x' is not a zone of site t"),
        (source("Pour", ["12F"], Type="welding"), "type 'welding' is not a task type"),
        (source("Pour", ["12F"], Crew="many"), "crew 'many' is not a number"),
    ],
    ids=["zone", "type", "crew"],
)
def test_what_the_site_does_not_have_refuses_the_file(task: SourceTask, message: str) -> None:
    with pytest.raises(ScheduleInvalid, match=message):
        mapped(task)


def test_a_mapping_file_changes_the_rules(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text(
        "floor: {field: 楼层, from_parents: false}\n"
        "type: {patterns: {pour: ['砼'], curing: ['保湿']}}\n",
        encoding="utf-8",
    )
    mapping = load_mapping(path)
    task, missing = mapped(source("砼 12F", ["3F"], 楼层="5F"), mapping)
    assert (task.floors, task.type, missing) == ((5,), "pour", [])
    assert mapped(source("浇筑", ["3F"]), mapping)[1] == ["floor", "type"]


def test_a_bad_mapping_file_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "mapping.yaml"
    path.write_text("type: {patterns: {welding: ['焊']}}\n", encoding="utf-8")
    with pytest.raises(ScheduleInvalid, match="welding' is not a task type"):
        load_mapping(path)


def test_the_three_demo_files_give_the_same_tasks() -> None:
    site = load_site_file(REPO / "deploy/sites/demo-tower.yaml")
    frame = SiteFrame(
        site.site.id,
        ZoneInfo(site.site.timezone),
        {f.level: f.name for f in site.floors},
        frozenset(z.id for z in site.zones),
    )
    found = {}
    for ext in ("csv", "xml", "xer"):
        schedule = read_schedule(REPO / f"deploy/schedules/demo-tower.{ext}", frame, Mapping())
        assert (schedule.unmapped, schedule.unknown_floors) == ({}, {})
        # WBS codes and project keys are each tool's own; everything else must agree.
        found[ext] = {
            t.id: t.model_copy(update={"wbs": None, "project": ""}) for t in schedule.tasks
        }
    assert len(found["csv"]) == 153
    assert found["csv"] == found["xml"] == found["xer"]


def test_a_predecessor_not_in_the_file_refuses_it() -> None:
    task = source("Pour", ["12F"])
    task.predecessors = ["99"]
    with pytest.raises(ScheduleInvalid, match="predecessor '99' is not a task of this file"):
        mapped(task)


@pytest.mark.parametrize(
    ("fields", "grade"),
    [({"Grade": "C30"}, "C30"), ({"grade": " c 40 "}, "C40"), ({}, None)],
    ids=["custom field", "any case and spacing", "none: the site's default"],
)
def test_the_grade_comes_from_a_field_named_grade(fields: dict[str, str], grade: str) -> None:
    assert mapped(source("Pour slab", ["12F"], **fields))[0].grade == grade


def test_a_grade_that_is_not_one_refuses_the_file_naming_the_task() -> None:
    with pytest.raises(ScheduleInvalid, match=r"f.xml: Task\[1\]: Grade: grade '30 MPa' is not"):
        mapped(source("Pour slab", ["12F"], Grade="30 MPa"))


def test_the_demo_pours_carry_their_grade_in_every_format() -> None:
    site = load_site_file(REPO / "deploy/sites/demo-tower.yaml")
    frame = SiteFrame(
        site.site.id,
        ZoneInfo(site.site.timezone),
        {f.level: f.name for f in site.floors},
        frozenset(z.id for z in site.zones),
    )
    for ext in ("csv", "xml", "xer"):
        tasks = read_schedule(REPO / f"deploy/schedules/demo-tower.{ext}", frame, Mapping()).tasks
        grades = {(t.floors, t.grade) for t in tasks if t.type == "pour"}
        assert len(grades) == 30
        assert {((3,), "C40"), ((12,), "C35"), ((30,), "C30")} <= grades
        assert {t.grade for t in tasks if t.type != "pour"} == {None}
