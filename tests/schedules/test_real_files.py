"""Files written by Microsoft Project and Primavera P6 (MPXJ's test files, the TAKT P6
sample): their projects, crews from resource assignments, dates, floors and types."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from schedules.mapping import Mapping, SiteFrame
from schedules.mspdi import parse_mspdi
from schedules.store import read_schedule
from schedules.xer import parse_xer

DATA = Path(__file__).resolve().parents[2] / "tests/data/schedules"
FIVE_FLOORS = SiteFrame(
    "takt", ZoneInfo("America/Chicago"), {n: f"{n}F" for n in range(1, 6)}, frozenset()
)


def test_project_2019_mspdi_is_one_project_by_its_guid_with_a_crew_per_assignment() -> None:
    parsed = parse_mspdi((DATA / "mpxj-assignments-project2019.xml").read_bytes(), "a.xml")
    assert parsed.projects == {
        "9035018B-DAD2-E811-AC3F-4CEDDE6E5B57": "assignment-assignments-project2019-mspdi.xml"
    }
    assert [(t.id, t.name, t.crew_assigned) for t in parsed.tasks] == [
        ("1", "Task 1", 1),
        ("2", "Task 2", 1),
        ("3", "Task 3", 1),
    ]
    assert parsed.tasks[1].actual_start == datetime(2016, 1, 4, 8, 0)
    assert parsed.tasks[0].planned_finish == datetime(2016, 1, 15, 17, 0)


def test_a_2006_mspdi_without_a_guid_is_the_default_schedule_and_counts_work_resources() -> None:
    parsed = parse_mspdi((DATA / "mpxj-mspdiresource.xml").read_bytes(), "r.xml")
    assert parsed.projects == {"": "mspdiresource.xml"}
    crews = {t.name: t.crew_assigned for t in parsed.tasks}
    # Task A: Wade Golden, Jon Iles and Brian Leach at 100 % each; the material resource
    # (Concrete) is no person
    assert crews == {"Task A": 3, "Contoured Task": 1, "Completed Task": 1}


def test_crew_from_assignments_when_no_crew_field_says() -> None:
    schedule = read_schedule(DATA / "mpxj-mspdiresource.xml", FIVE_FLOORS, Mapping())
    task_a = next(t for t in schedule.tasks if t.name == "Task A")
    assert task_a.crew_planned == 3
    assert schedule.unmapped[task_a.id] == ["floor", "type"]  # nothing says; nothing guessed
    assert task_a.planned_start == datetime(2006, 8, 25, 13, 0, tzinfo=UTC)  # 08:00 Chicago


def test_p6_taskrsrc_labour_units_are_the_crew() -> None:
    parsed = parse_xer((DATA / "mpxj-resource-rates-test.xer").read_bytes(), "r.xer")
    assert parsed.projects == {"NEWPROJ": "Resource Rates Test"}
    # five assignments of one labour resource at 1 unit per hour each
    assert [(t.id, t.name, t.crew_assigned, t.project) for t in parsed.tasks] == [
        ("A1000", "Activity 1", 5, "NEWPROJ")
    ]


def test_the_takt_sample_maps_floors_types_and_its_one_assignment() -> None:
    schedule = read_schedule(DATA / "p6-takt-building.xer", FIVE_FLOORS, Mapping())
    assert schedule.projects == {"TAKT": "TAKT Building Example"}
    assert (schedule.unmapped, schedule.unknown_floors) == ({}, {})
    by_id = {t.id: t for t in schedule.tasks}
    assert {t.floors for t in schedule.tasks} == {(n,) for n in range(1, 6)}
    assert {t.type for t in schedule.tasks} == {"finishing"}
    assert {t.project for t in schedule.tasks} == {"TAKT"}
    # Gyp on level 1 is assigned to the labour resource Van Haren at 1 unit per hour
    assert [t.id for t in schedule.tasks if t.crew_planned is not None] == ["A1020"]
    assert by_id["A1020"].crew_planned == 1


def test_the_percent_complete_export_reads_status_and_actual_starts() -> None:
    parsed = parse_xer((DATA / "mpxj-percent-complete-8.4.xer").read_bytes(), "p.xer")
    assert parsed.projects == {"EC00640": "Percent Complete Test"}
    assert len(parsed.tasks) == 12
    statuses = {t.id: t.status for t in parsed.tasks}
    assert (statuses["A1000"], statuses["A1010"]) == ("planned", "in_progress")
    assert parsed.tasks[1].actual_start == datetime(2015, 2, 24, 8, 0)
