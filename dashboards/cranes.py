"""Tower cranes: each crane now, and its moment, wind, load and tilt over time."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from dashboards.crane_panels import CRANE_COLUMNS, CRANE_METRICS, crane_history
from dashboards.panels import grid, new_dashboard
from dashboards.sql_query import Sql

UID = "sitepulse-cranes"


def cranes() -> Dashboard:
    board = new_dashboard(
        UID, "Cranes", "Tower cranes: load moment, wind at the jib, load, tilt."
    ).with_panel(grid("Cranes now", Sql("cranes_now", CRANE_COLUMNS), width=24, height=6))
    for metric in CRANE_METRICS:
        board = board.with_panel(crane_history(metric))
    return board
