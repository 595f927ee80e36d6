"""Tower cranes: each crane now, and its moment, wind, load and tilt over time."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from dashboards.panels import AMBER, RED, grid, levels, new_dashboard, series
from dashboards.sql_query import Sql
from dashboards.wall import CRANE_COLUMNS, MOMENT, WIND, crane_series

UID = "sitepulse-cranes"
TILT = levels((1, AMBER), (2, RED))


def cranes() -> Dashboard:
    return (
        new_dashboard(UID, "Cranes", "Tower cranes: load moment, wind at the jib, load, tilt.")
        .with_panel(grid("Cranes now", Sql("cranes_now", CRANE_COLUMNS), width=24, height=6))
        .with_panel(
            series(
                "Load moment (max), % of rated",
                crane_series("moment_pct", "max(r.max)"),
                unit="percent",
                thresholds=MOMENT,
            )
        )
        .with_panel(
            series(
                "Wind at the jib (max)",
                crane_series("wind_mps", "max(r.max)"),
                unit="velocityms",
                thresholds=WIND,
            )
        )
        .with_panel(series("Hook load (max)", crane_series("load_t", "max(r.max)"), unit="masst"))
        .with_panel(
            series(
                "Mast tilt (max)",
                crane_series("tilt_deg", "max(r.max)"),
                unit="degree",
                thresholds=TILT,
            )
        )
    )
