"""Several schedules on one site, one per project, through `sitepulse schedule import` on
the real database: a project replaces only its own tasks, clashing ids are refused or kept
apart by a prefix, a floor the site lacks is reported (or refused with --strict)."""

from __future__ import annotations

from pathlib import Path

import pytest

from core.db import Connection
from core.settings import Settings
from sites.site_file import parse_site_file
from sites.store import apply_site
from tests.helpers import REPO, rows, sitepulse

DATA = REPO / "tests/data/schedules"
TAKT = DATA / "p6-takt-building.xer"
PERCENT = DATA / "mpxj-percent-complete-8.4.xer"
RATES = DATA / "mpxj-resource-rates-test.xer"
FIVE_FLOORS = """\
site: {id: takt, name: "TAKT Building", timezone: America/Chicago}
floors:
""" + "".join(
    f"  - {{level: {n}, name: '{n}F', elevation_m: {4.0 * (n - 1)}}}\n" for n in range(1, 6)
)


@pytest.fixture
def takt_site(conn: Connection) -> str:
    apply_site(conn, parse_site_file(FIVE_FLOORS))
    return "takt"


@pytest.fixture
def demo_site(conn: Connection) -> str:
    site = parse_site_file((REPO / "deploy/sites/demo-tower.yaml").read_text(encoding="utf-8"))
    apply_site(conn, site)
    return site.site.id


def live(conn: Connection) -> list[tuple[object, ...]]:
    return rows(
        conn,
        "SELECT project, count(*) FROM tasks WHERE removed_at IS NULL GROUP BY 1 ORDER BY 1",
    )


def without_level_5(tmp_path: Path) -> Path:
    """A new version of the TAKT schedule: level 5 (WBS node 4085) dropped."""
    lines = TAKT.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [line for line in lines if not (line.startswith("%R\t379") and "\t4085\t" in line)]
    path = tmp_path / "p6-takt-building-rev2.xer"
    path.write_text("".join(kept), encoding="utf-8")
    return path


def test_projects_replace_their_own_tasks_and_clashing_ids_are_refused_or_prefixed(
    settings: Settings, conn: Connection, takt_site: str, tmp_path: Path
) -> None:
    out = sitepulse(settings, "schedule", "import", str(TAKT)).stdout
    assert "project 'TAKT' (TAKT Building Example): 25 tasks, 25 new, 0 changed, 0 removed" in out

    # MPXJ's percent-complete export is another project whose activity ids (A1010 ...)
    # are TAKT's too: refused whole, naming the clash
    done = sitepulse(settings, "schedule", "import", str(PERCENT), ok=False)
    assert (
        "task 'A1010' of project 'EC00640' is already a task of project 'TAKT' at site takt "
        "(from p6-takt-building.xer)" in done.stderr
    )
    assert live(conn) == [("TAKT", 25)]

    out = sitepulse(
        settings, "schedule", "import", str(PERCENT), "--id-prefix", "{project}-"
    ).stdout
    assert "project 'EC00640' (Percent Complete Test): 12 tasks, 12 new" in out
    assert live(conn) == [("EC00640", 12), ("TAKT", 25)]
    assert rows(conn, "SELECT name FROM tasks WHERE id = 'EC00640-A1010'") == [("Duration 25%",)]

    # a new version of TAKT replaces TAKT's tasks and leaves EC00640's alone
    out = sitepulse(settings, "schedule", "import", str(without_level_5(tmp_path))).stdout
    assert (
        "project 'TAKT' (TAKT Building Example): replaces 25 tasks from p6-takt-building.xer: "
        "20 tasks, 0 new, 20 changed, 5 removed" in out  # changed: their source file
    )
    assert live(conn) == [("EC00640", 12), ("TAKT", 20)]
    removed = rows(conn, "SELECT DISTINCT floors FROM tasks WHERE removed_at IS NOT NULL")
    assert removed == [([5],)]

    # the same version again changes nothing; a third project with free ids just lands
    again = sitepulse(settings, "schedule", "import", str(without_level_5(tmp_path))).stdout
    assert "20 tasks, no changes" in again
    out = sitepulse(settings, "schedule", "import", str(RATES)).stdout
    assert "project 'NEWPROJ' (Resource Rates Test): 1 tasks, 1 new" in out
    assert rows(conn, "SELECT crew_planned, project FROM tasks WHERE id = 'A1000'") == [
        (5, "NEWPROJ")
    ]
    assert live(conn) == [("EC00640", 12), ("NEWPROJ", 1), ("TAKT", 20)]
    listed = sitepulse(settings, "schedule", "projects").stdout.splitlines()
    assert [line.split(", imported")[0] for line in listed] == [
        "'EC00640': 12 tasks (0 removed) from mpxj-percent-complete-8.4.xer",
        "'NEWPROJ': 1 tasks (0 removed) from mpxj-resource-rates-test.xer",
        "'TAKT': 20 tasks (5 removed) from p6-takt-building-rev2.xer",
    ]


def test_a_file_holding_two_projects_imports_each(
    settings: Settings, conn: Connection, takt_site: str, tmp_path: Path
) -> None:
    # two real exports' tables in one file, as P6 writes a multi-project export
    first = TAKT.read_text(encoding="utf-8").rstrip().removesuffix("%E").rstrip("\r\n")
    second = PERCENT.read_bytes().decode("cp1252").split("\n", 1)[1]
    both = tmp_path / "two.xer"
    both.write_text(first + "\n" + second, encoding="utf-8")
    done = sitepulse(settings, "schedule", "import", str(both), ok=False)
    assert "task id 'A1010' of project 'EC00640' is also in project 'TAKT'" in done.stderr
    out = sitepulse(settings, "schedule", "import", str(both), "--id-prefix", "{project}-").stdout
    assert "project 'TAKT' (TAKT Building Example): 25 tasks, 25 new" in out
    assert "project 'EC00640' (Percent Complete Test): 12 tasks, 12 new" in out
    assert live(conn) == [("EC00640", 12), ("TAKT", 25)]
    assert rows(conn, "SELECT predecessors FROM tasks WHERE id = 'TAKT-A1020'") == [
        (["TAKT-A1010"],)
    ]


def test_the_default_schedule_gives_way_to_a_project_and_projects_do_not(
    settings: Settings, conn: Connection, demo_site: str
) -> None:
    demo = REPO / "deploy/schedules/demo-tower"
    sitepulse(settings, "schedule", "import", f"{demo}.csv")
    assert live(conn) == [("", 153)]
    out = sitepulse(settings, "schedule", "import", f"{demo}.xml").stdout
    guid = "5D1E0A7C-3B8F-4C2A-9E61-D3A4F0B2C817"
    assert f"project '{guid}' (Demo Tower 示范塔楼): 153 tasks, 153 new" in out
    assert live(conn) == [(guid, 153)]
    done = sitepulse(settings, "schedule", "import", f"{demo}.xer", ok=False)
    assert "153 task id(s) of another project; nothing was imported" in done.stderr
    assert f"task '1001' of project 'DT' is already a task of project '{guid}'" in done.stderr
    assert live(conn) == [(guid, 153)]


def test_a_floor_the_site_lacks_is_reported_or_refused_with_strict(
    settings: Settings, conn: Connection, demo_site: str, tmp_path: Path
) -> None:
    path = tmp_path / "s.csv"
    path.write_text(
        "id,name,planned_start,planned_finish,grade\n"
        "1,Pour slab 31F,2026-11-23 08:00,2026-11-23 18:00,C30\n"
        "2,Strip forms Levels 29-31,2026-11-24 08:00,2026-11-24 18:00,\n"
        "3,Cure 2nd floor slab,2026-11-24 08:00,2026-11-25 18:00,\n",
        encoding="utf-8",
    )
    done = sitepulse(settings, "schedule", "import", str(path), "--strict", ok=False)
    assert "s.csv:2: task 1 'Pour slab 31F': floor 31 is not a floor of site demo-tower" in (
        done.stderr
    )
    assert "s.csv:3: task 2 'Strip forms Levels 29-31': floor 31" in done.stderr
    assert rows(conn, "SELECT count(*) FROM tasks") == [(0,)]

    out = sitepulse(settings, "schedule", "import", str(path)).stdout
    assert (
        "unknown floor: 1 'Pour slab 31F': site demo-tower has no floor 31; imported without it"
        in out
    )
    assert "unknown floor: 2 'Strip forms Levels 29-31': site demo-tower has no floor 31" in out
    assert "3 tasks, 3 written, 0 removed, 2 with unknown floors" in out
    assert "unmapped" not in out  # the floor was found, the site lacks it
    assert rows(conn, "SELECT id, floors, type, grade FROM tasks ORDER BY id") == [
        ("1", [], "pour", "C30"),
        ("2", [29, 30], "formwork", None),
        ("3", [2], "curing", None),
    ]
