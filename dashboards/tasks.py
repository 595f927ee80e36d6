"""Task quality: the tasks under way, the excursions of their quality specs per task and
one by one. The time-weighted share in spec per spec is each task's quality record in the
API (`/api/v1/tasks/{task}`, and its printable page)."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from dashboards.panels import grid, new_dashboard, note, series
from dashboards.sql_query import TS, Sql

UID = "sitepulse-tasks"
EXCURSION_COLUMNS = (
    "task",
    "name",
    "type",
    "excursions",
    "minutes_out_of_spec",
    "rules",
    "ongoing",
    "last_started",
)
UNDER_WAY_COLUMNS = (
    "task",
    "name",
    "type",
    "floors",
    "planned_start",
    "planned_finish",
    "status",
    "crew_planned",
    "open_alerts",
)
LIST_COLUMNS = ("time", "task", "rule", "sensor", "ended", "minutes", "worst_value")
RECORD = """\
An **excursion** runs from when a task's quality spec (its type's rules: pour 5-35 °C,
curing, mass-concrete core-surface, crane climbing wind...) began to fail on the task's
floors while it was under way, to when its clear condition began or the task ended. The
share of time in spec per spec, for acceptance, is the task's quality record:
`/api/v1/tasks/{task}` and `/api/v1/sites/{site}/tasks/{task}/quality.html`.

**Strength** of each pour, per embedded probe: the maturity method (Nurse-Saul, ASTM
C1074) through the grade's strength-maturity curve; a task's value is its coldest probe's,
with stripping and frost times in its record."""


def task_quality() -> Dashboard:
    return (
        new_dashboard(UID, "Task quality", "Per task: quality excursions and time out of spec.")
        .time("now-7d", "now")
        .with_panel(note("How to read this", RECORD))
        .with_panel(
            series(
                "Pour strength by probe (MPa)",
                Sql("pour_strength", TS, "time_series"),
                unit="suffix: MPa",
                width=24,
            )
        )
        .with_panel(
            grid("Tasks under way", Sql("tasks_under_way", UNDER_WAY_COLUMNS), width=24, height=8)
        )
        .with_panel(
            grid(
                "Excursions by task", Sql("task_excursions", EXCURSION_COLUMNS), width=24, height=8
            )
        )
        .with_panel(
            grid("Excursions", Sql("task_excursion_list", LIST_COLUMNS), width=24, height=10)
        )
    )
