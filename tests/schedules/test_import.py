"""`sitepulse schedule import` against the real database: the three demo files give the
same tasks, a re-import changes nothing, removed tasks are marked, broken files are
refused whole, and the real P6 sample lands on its floors."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from core.db import Connection
from core.settings import Settings
from sites.site_file import parse_site_file
from sites.store import apply_site
from tests.helpers import REPO, rows, sitepulse

SAMPLES = REPO / "deploy/schedules"
P6_SAMPLE = REPO / "tests/data/schedules/p6-takt-building.xer"
TASK_COLUMNS = (
    "id, name, type, floors, zones, planned_start, planned_finish, actual_start, "
    "actual_finish, status, crew_planned, trade, predecessors, grade"
)


@pytest.fixture
def demo_site(conn: Connection) -> str:
    site = parse_site_file((REPO / "deploy/sites/demo-tower.yaml").read_text(encoding="utf-8"))
    apply_site(conn, site)
    return site.site.id


def tasks(conn: Connection) -> list[tuple[object, ...]]:
    return rows(conn, f"SELECT {TASK_COLUMNS} FROM tasks WHERE removed_at IS NULL ORDER BY id")


def test_the_three_formats_import_to_the_same_tasks_and_reimport_changes_nothing(
    settings: Settings, conn: Connection, demo_site: str
) -> None:
    found = {}
    for ext in ("csv", "xml", "xer"):
        # each file is its own project (the CSV the default schedule): one at a time
        conn.execute("DELETE FROM tasks")
        path = str(SAMPLES / f"demo-tower.{ext}")
        first = sitepulse(settings, "schedule", "import", path).stdout
        assert "153 tasks, 153 written, 0 removed" in first
        assert "unmapped" not in first
        again = sitepulse(settings, "schedule", "import", path, "--site", demo_site).stdout
        assert "153 tasks, no changes" in again
        found[ext] = tasks(conn)
        formats = rows(conn, "SELECT DISTINCT source_format FROM tasks")
        assert formats == [({"csv": "csv", "xml": "mspdi", "xer": "xer"}[ext],)]
    assert len(found["csv"]) == 153
    assert found["csv"] == found["xml"] == found["xer"]
    pour = rows(conn, f"SELECT {TASK_COLUMNS} FROM tasks WHERE id = '1203'")[0]
    assert pour[1:5] == ("浇筑混凝土 Pour slab", "pour", [12], [])
    assert pour[5] == datetime(2026, 8, 28, 8, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
    assert pour[9:] == ("done", 8, "concrete", ["1202"], "C35")


def test_tasks_missing_from_a_new_import_are_marked_removed_then_restored(
    settings: Settings, conn: Connection, demo_site: str, tmp_path: Path
) -> None:
    full = SAMPLES / "demo-tower.csv"
    lines = full.read_text(encoding="utf-8").splitlines(keepends=True)
    shorter = tmp_path / "shorter.csv"
    # the last three rows are floor 30's; nothing depends on them
    shorter.write_text("".join(lines[:-3]), encoding="utf-8")
    sitepulse(settings, "schedule", "import", str(full))
    out = sitepulse(settings, "schedule", "import", str(shorter)).stdout
    assert "150 tasks, 150 written, 3 removed" in out  # the source file's name changed too
    removed = rows(conn, "SELECT id FROM tasks WHERE removed_at IS NOT NULL ORDER BY id")
    assert len(removed) == 3
    assert rows(conn, "SELECT count(*) FROM tasks") == [(153,)]
    out = sitepulse(settings, "schedule", "import", str(full)).stdout
    assert "153 written, 0 removed" in out
    assert rows(conn, "SELECT count(*) FROM tasks WHERE removed_at IS NOT NULL") == [(0,)]


@pytest.mark.parametrize(
    ("ext", "old", "new", "where"),
    [
        ("csv", "2026-07-01 07:00", "July", "demo-tower.csv:5: planned_start: 'July'"),
        ("xml", "<Summary>0</Summary>", "<Summary>0</Sumary>", "demo-tower.xml:"),
        ("xml", "<UID>101</UID>", "<UID/>", "Project/Tasks/Task[21]/UID: missing"),
        ("xer", "\tTT_Task\t", "\tTT_Task\tX\t", "demo-tower.xer:"),
    ],
    ids=["csv date", "xml not well-formed", "xml element", "xer extra value"],
)
def test_a_corrupted_file_is_refused_whole_naming_the_line_or_element(
    settings: Settings,
    conn: Connection,
    demo_site: str,
    tmp_path: Path,
    ext: str,
    old: str,
    new: str,
    where: str,
) -> None:
    text = (SAMPLES / f"demo-tower.{ext}").read_bytes().decode("utf-8")
    assert old in text
    path = tmp_path / f"demo-tower.{ext}"
    path.write_bytes(text.replace(old, new, 1).encode("utf-8"))
    done = sitepulse(settings, "schedule", "import", str(path), ok=False)
    assert where in done.stderr
    assert rows(conn, "SELECT count(*) FROM tasks") == [(0,)]


def test_unmapped_tasks_are_printed_and_counted(
    settings: Settings, conn: Connection, demo_site: str, tmp_path: Path
) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "id,name,planned_start,planned_finish\n"
        "1,12F 浇筑,2026-11-23 08:00,2026-11-23 18:00\n"
        "2,Site meeting,2026-11-23 08:00,2026-11-23 09:00\n",
        encoding="utf-8",
    )
    out = sitepulse(settings, "schedule", "import", str(path)).stdout
    assert "unmapped: 2 'Site meeting': no floor and no type" in out
    assert "2 tasks, 2 written, 0 removed, 1 unmapped" in out
    assert rows(conn, "SELECT id, floors, type FROM tasks ORDER BY id") == [
        ("1", [12], "pour"),
        ("2", [], None),
    ]


def test_a_long_file_shows_progress_on_stderr(
    settings: Settings, conn: Connection, demo_site: str, tmp_path: Path
) -> None:
    path = tmp_path / "long.csv"
    body = "".join(
        f"{n},{1 + n % 30}F 支模 Formwork,2026-11-23 08:00,2026-11-23 18:00\n" for n in range(2500)
    )
    path.write_text("id,name,planned_start,planned_finish\n" + body, encoding="utf-8")
    done = sitepulse(settings, "schedule", "import", str(path))
    assert "parsed 2000 tasks" in done.stderr
    assert "stored 2500 tasks" in done.stderr
    assert rows(conn, "SELECT count(*) FROM tasks WHERE type = 'formwork'") == [(2500,)]


FIVE_FLOORS = """\
site: {id: takt, name: "TAKT Building", timezone: America/Chicago}
floors:
""" + "".join(
    f"  - {{level: {n}, name: '{n}F', elevation_m: {4.0 * (n - 1)}}}\n" for n in range(1, 6)
)


def test_the_real_p6_sample_gives_five_tasks_per_floor_at_site_local_times(
    settings: Settings, conn: Connection
) -> None:
    apply_site(conn, parse_site_file(FIVE_FLOORS))
    out = sitepulse(settings, "schedule", "import", str(P6_SAMPLE), "--site", "takt").stdout
    assert "25 tasks, 25 written" in out
    assert "unmapped" not in out
    per_floor = rows(
        conn,
        "SELECT floors[1], array_agg(name ORDER BY planned_start) FROM tasks GROUP BY 1 ORDER BY 1",
    )
    assert per_floor == [(n, ["Studs", "Gyp", "Paint", "Ceil", "Floor"]) for n in range(1, 6)]
    chicago = ZoneInfo("America/Chicago")
    first = rows(conn, "SELECT planned_start, planned_finish, wbs FROM tasks WHERE id = 'A1010'")
    assert first == [
        (
            datetime(2021, 11, 30, 8, tzinfo=chicago),
            datetime(2021, 12, 6, 17, tzinfo=chicago),
            "TAKT.L1",
        )
    ]
    assert rows(conn, "SELECT predecessors FROM tasks WHERE id = 'A1020'") == [(["A1010"],)]
