"""Site overview for the wall: every floor's status over the last hours and now, workers,
temperature and humidity, open alerts; the cranes' moment and wind; the newest alerts."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard, Row

from dashboards.panels import (
    AMBER,
    RED,
    SEVERITY_NAMES,
    STATUS_NAMES,
    big_number,
    gauge_bars,
    grid,
    levels,
    new_dashboard,
    series,
    status_history,
)
from dashboards.sql_query import Sql

UID = "sitepulse-wall"
MOMENT = levels((90, AMBER), (100, RED))
WIND = levels((9, AMBER), (12, RED))
TS = ("time", "metric", "value")


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
        .with_panel(
            gauge_bars(
                "Crane moment now",
                crane_now("moment_pct"),
                unit="percent",
                thresholds=MOMENT,
                maximum=120,
                width=8,
            )
        )
        .with_panel(
            gauge_bars(
                "Wind at the jib now",
                crane_now("wind_mps"),
                unit="velocityms",
                thresholds=WIND,
                maximum=20,
                width=8,
            )
        )
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
        .with_panel(
            series(
                "Crane moment (max)",
                crane_series("moment_pct", "max(r.max)"),
                unit="percent",
                thresholds=MOMENT,
                width=8,
            )
        )
        .with_panel(
            series(
                "Wind at the jib (max)",
                crane_series("wind_mps", "max(r.max)"),
                unit="velocityms",
                thresholds=WIND,
                width=8,
            )
        )
        .with_panel(
            grid(
                "Newest alerts",
                Sql("newest_alerts", ALERT_COLUMNS, floor_filter="", limit="10"),
                width=8,
                coloured={"severity": SEVERITY_NAMES},
            )
        )
    )


CRANE_COLUMNS = (
    "crane",
    "moment_pct",
    "wind_mps",
    "load_t",
    "radius_m",
    "tilt_deg",
    "online",
    "last_reading",
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


def crane_now(metric: str) -> Sql:
    return Sql("crane_now", ("crane", metric), metric=metric)


def crane_series(metric: str, value: str) -> Sql:
    return Sql("device_series", TS, "time_series", kind="crane", metric=metric, value=value)
