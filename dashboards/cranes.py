"""Tower cranes: each crane now, its lifts today, and its moment, wind, load and tilt
over time."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from dashboards.crane_panels import CRANE_COLUMNS, CRANE_METRICS, crane_history
from dashboards.panels import grid, new_dashboard
from dashboards.sql_query import Sql

UID = "sitepulse-cranes"
LIFTS_TODAY = ("crane", "lifts", "tonnes", "hours_loaded", "max_moment_pct")


def cranes() -> Dashboard:
    board = new_dashboard(
        UID, "Cranes", "Tower cranes: load moment, wind at the jib, load, tilt."
    ).with_panel(grid("Cranes now", Sql("cranes_now", CRANE_COLUMNS), width=24, height=6))
    board = board.with_panel(grid("Lifts today", Sql("crane_lifts_today", LIFTS_TODAY), height=6))
    for metric in CRANE_METRICS:
        board = board.with_panel(crane_history(metric))
    return board
