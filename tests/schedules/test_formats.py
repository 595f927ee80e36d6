"""The three schedule parsers on their own: what they read, and refusals naming the line
or element. The mapping is tested in test_schedule_mapping.py."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest

from core.errors import ScheduleInvalid
from schedules.csv_file import parse_csv
from schedules.mspdi import parse_mspdi
from schedules.xer import parse_xer

REPO = Path(__file__).resolve().parents[2]
P6_SAMPLE = REPO / "tests/data/schedules/p6-takt-building.xer"
DEMO = REPO / "deploy/schedules"


def demo_bytes(ext: str) -> bytes:
    return (DEMO / f"demo-tower.{ext}").read_bytes()


def test_p6_sample_reads_25_activities_with_wbs_parents_and_predecessors() -> None:
    parsed = parse_xer(P6_SAMPLE.read_bytes(), "sample.xer")
    assert (parsed.projects, parsed.encoding) == ({"TAKT": "TAKT Building Example"}, "utf-8")
    tasks = parsed.tasks
    assert len(tasks) == 25
    first = tasks[0]
    assert (first.id, first.name, first.wbs) == ("A1010", "Studs", "TAKT.L1")
    assert first.parents[:2] == ["L1", "Level 1"]
    assert first.planned_start == datetime(2021, 11, 30, 8, 0)
    assert first.planned_finish == datetime(2021, 12, 6, 17, 0)
    assert first.status == "planned"
    assert tasks[1].predecessors == ["A1010"]
    assert first.fields["Template"] == "Studs"  # a user-defined field


def test_xer_in_windows_1252_is_read() -> None:
    text = (
        "ERMHDR\t8.2\n%T\tTASK\n%F\ttask_id\ttask_code\ttask_name\ttarget_start_date\t"
        "target_end_date\n%R\t1\tA1\tFa\u00e7ade \u2013 Level 3\t"
        "2026-11-23 08:00\t2026-11-24 17:00\n%E\n"
    )
    tasks = parse_xer(text.encode("cp1252"), "w.xer").tasks
    assert tasks[0].name == "Fa\u00e7ade \u2013 Level 3"


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("ERMHDR", "HEADER", 1), "x.xer:1: not an XER file"),
        (lambda t: t.replace("\tStuds\t", "\tStuds\textra\t", 1), "x.xer:55: TASK row has"),
        (lambda t: t.replace("2021-11-30 08:00", "30/11/2021"), "x.xer:55: TASK target_start"),
        (lambda t: t.replace("%R\t37897", "%X\t37897", 1), "x.xer:56: expected %T, %F, %R"),
    ],
    ids=["no header", "extra value", "bad date", "bad mark"],
)
def test_a_corrupted_xer_is_refused_naming_its_line(edit: object, message: str) -> None:
    text = P6_SAMPLE.read_bytes().decode("utf-8")
    with pytest.raises(ScheduleInvalid, match=message):
        parse_xer(edit(text).encode(), "x.xer")  # type: ignore[operator]


def test_mspdi_reads_uid_outline_parents_fields_and_links() -> None:
    parsed = parse_mspdi(demo_bytes("xml"), "demo.xml")
    assert parsed.projects == {"5D1E0A7C-3B8F-4C2A-9E61-D3A4F0B2C817": "Demo Tower 示范塔楼"}
    tasks = parsed.tasks
    pour = next(t for t in tasks if t.id == "1203")
    assert pour.parents == ["12F", "示范塔楼 Demo Tower"]
    assert pour.fields == {"Trade": "concrete", "Crew": "8", "Grade": "C35"}
    assert pour.predecessors == ["1202"]
    assert pour.planned_start == datetime(2026, 8, 28, 8, 0)
    assert pour.actual_finish is not None
    assert pour.status == "done"
    assert all(t.id not in {"0", "100001"} for t in tasks)  # summaries are parents only


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("<Name>1F</Name>", "<Name>1F</Nme>", r"x\.xml:\d+:\d+: not well-formed XML"),
        (
            "<Start>2026-07-01T07:00:00</Start>",
            "<Start>July 1st</Start>",
            r"x\.xml: Project/Tasks/Task\[21\]/Start: 'July 1st' is not a time",
        ),
        (
            "<UID>101</UID>",
            "<UID></UID>",
            r"x\.xml: Project/Tasks/Task\[21\]/UID: missing",
        ),
        (
            "<FieldID>188743731</FieldID><FieldName>",
            "<FieldID>1</FieldID><FieldName>",
            r"Task\[3\]/ExtendedAttribute\[1\]/FieldID: '188743731' is not defined",
        ),
    ],
    ids=["not well-formed", "bad date", "no uid", "undefined field"],
)
def test_a_corrupted_mspdi_is_refused_naming_the_element(old: str, new: str, message: str) -> None:
    text = demo_bytes("xml").decode()
    assert old in text
    with pytest.raises(ScheduleInvalid, match=message):
        parse_mspdi(text.replace(old, new, 1).encode(), "x.xml")


def test_mspdi_refuses_other_xml() -> None:
    with pytest.raises(ScheduleInvalid, match="not Project in namespace"):
        parse_mspdi(b"<Project><Tasks/></Project>", "x.xml")


def test_csv_reads_explicit_columns() -> None:
    tasks = parse_csv(demo_bytes("csv"), "demo.csv").tasks
    drill = next(t for t in tasks if t.id == "1205")
    assert (drill.type, drill.floors, drill.zones) == ("noisy", [12], ["f12-core"])
    assert (drill.crew_planned, drill.trade, drill.predecessors) == (3, "plumbing", ["1203"])
    assert (drill.grade, next(t for t in tasks if t.id == "1203").grade) == (None, "C35")


@pytest.mark.parametrize(
    ("edit", "message"),
    [
        (lambda t: t.replace("planned_start,", "start,", 1), "x.csv:1: header lacks"),
        (lambda t: t.replace("2026-07-01 07:00", "soon", 1), "x.csv:5: planned_start: 'soon'"),
        (lambda t: t.replace(",done,10,", ",finished,10,", 1), "x.csv:5: status: 'finished'"),
        (lambda t: t.replace("101,DT.L1", "9000,DT.L1", 1), "x.csv:5: duplicate task id '9000'"),
        (lambda t: t.replace(",C40\n", ",B30\n", 1), "x.csv:7: grade 'B30' is not a concrete"),
    ],
    ids=["header", "bad date", "bad status", "duplicate id", "bad grade"],
)
def test_a_corrupted_csv_is_refused_naming_its_line(edit: object, message: str) -> None:
    text = demo_bytes("csv").decode()
    with pytest.raises(ScheduleInvalid, match=message):
        parse_csv(edit(text).encode(), "x.csv")  # type: ignore[operator]


def test_csv_not_in_utf8_is_refused_with_its_line() -> None:
    data = "id,name,planned_start,planned_finish\n1,Fa\u00e7ade,2026-11-23,2026-11-24\n"
    with pytest.raises(ScheduleInvalid, match=r"x\.csv:2: not UTF-8"):
        parse_csv(data.encode("cp1252"), "x.csv")
