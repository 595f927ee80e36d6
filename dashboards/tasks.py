"""Task quality: the excursions the rules recorded against each schedule task. The share
of time in spec needs the schedule's `tasks` table, which another branch is building; the
dashboard says so rather than showing a panel that cannot run."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from dashboards.panels import grid, new_dashboard, note
from dashboards.sql_query import Sql

UID = "sitepulse-tasks"
EXCURSION_COLUMNS = (
    "task",
    "excursions",
    "breaches",
    "minutes_out_of_spec",
    "worst_value",
    "rules",
    "last_raised",
)
PENDING = """\
**Time in spec per task: pending.** It needs the schedule's `tasks` table (dates, floor,
zone and each task type's quality spec), which is not in this database yet. Until then
this dashboard shows the excursions the rules recorded against a task (`alerts.task_id`)."""


def task_quality() -> Dashboard:
    return (
        new_dashboard(UID, "Task quality", "Per task: quality excursions and time out of spec.")
        .time("now-7d", "now")
        .with_panel(note("Pending", PENDING))
        .with_panel(
            grid(
                "Excursions by task", Sql("task_excursions", EXCURSION_COLUMNS), width=24, height=12
            )
        )
    )
