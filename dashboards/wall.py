"""Site overview for the wall: every floor's status over the last hours and now, workers,
temperature and humidity, open alerts; the cranes' moment and wind; the newest alerts."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard, Row

from dashboards.crane_panels import crane_gauge, crane_history
from dashboards.panels import (
    AMBER,
    SEVERITY_NAMES,
    STATUS_NAMES,
    big_number,
    grid,
    levels,
    new_dashboard,
    status_history,
)
from dashboards.sql_query import TS, Sql

UID = "sitepulse-wall"


def site_overview() -> Dashboard:
    return (
        new_dashboard(UID, "Site overview", "The wall display: each floor at a glance.")
        .with_row(Row("Now"))
        .with_panel(
            big_number("Workers on site", Sql("workers_on_site", ("workers",), floor_filter=""))
        )
        .with_panel(
            big_number(
                "Open alerts",
                Sql("open_alerts", ("open_alerts", "alarms"), floor_filter=""),
                thresholds=levels((1, AMBER)),
            )
        )
        .with_panel(crane_gauge("moment_pct"))
        .with_panel(crane_gauge("wind_mps"))
        .with_row(Row("Floors"))
        .with_panel(
            status_history(
                "Floor status, last hours", Sql("floor_status_history", TS, "time_series"), width=14
            )
        )
        .with_panel(
            grid(
                "Floors now",
                Sql("floors_now", FLOOR_COLUMNS, floor_filter=""),
                width=10,
                height=14,
                coloured={"status": STATUS_NAMES},
            )
        )
        .with_row(Row("Cranes and alerts"))
        .with_panel(crane_history("moment_pct", width=8))
        .with_panel(crane_history("wind_mps", width=8))
        .with_panel(
            grid(
                "Newest alerts",
                Sql("newest_alerts", ALERT_COLUMNS, floor_filter="", limit="10"),
                width=8,
                coloured={"severity": SEVERITY_NAMES},
            )
        )
    )


FLOOR_COLUMNS = (
    "level",
    "floor",
    "status",
    "workers",
    "temp_c",
    "rh_pct",
    "pm10_ugm3",
    "noise_dba",
    "active_alerts",
)
ALERT_COLUMNS = ("time", "severity", "state", "floor", "title", "message")
