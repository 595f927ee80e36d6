"""One floor ($floor): its status, workers and environment now and over time, its sensors
and its alerts."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from dashboards.environment import DUST, noise_limit
from dashboards.panels import (
    AMBER,
    SEVERITY_NAMES,
    STATUS_NAMES,
    big_number,
    grid,
    levels,
    new_dashboard,
    series,
)
from dashboards.sql_query import TS, Sql
from dashboards.wall import ALERT_COLUMNS, FLOOR_COLUMNS

UID = "sitepulse-floor"
ON_FLOOR = "AND floor = ${floor:sqlstring}::int"
DEVICE_COLUMNS = (
    "device",
    "kind",
    "zone",
    "online",
    "last_reading",
    "temp_c",
    "rh_pct",
    "pm10_ugm3",
    "noise_dba",
    "core_temp_c",
)


def floor_metrics(metrics: str, value: str) -> Sql:
    return Sql("floor_metrics", TS, "time_series", metrics=metrics, value=value)


def floor_detail() -> Dashboard:
    return (
        new_dashboard(
            UID, "Floor detail", "One floor: status, workers, environment, alerts.", floor=True
        )
        .with_panel(
            grid(
                "Floor now",
                Sql(
                    "floors_now",
                    FLOOR_COLUMNS,
                    floor_filter="AND f.level = ${floor:sqlstring}::int",
                ),
                width=16,
                height=5,
                coloured={"status": STATUS_NAMES},
            )
        )
        .with_panel(
            big_number("Workers here", Sql("workers_on_site", ("workers",), floor_filter=ON_FLOOR))
        )
        .with_panel(
            big_number(
                "Open alerts",
                Sql("open_alerts", ("open_alerts", "alarms"), floor_filter=ON_FLOOR),
                thresholds=levels((1, AMBER)),
            )
        )
        .with_panel(
            series(
                "Temperature",
                floor_metrics(
                    "'temp_c', 'surface_temp_c', 'core_temp_c'", "sum(r.sum) / sum(r.count)"
                ),
                unit="celsius",
            )
        )
        .with_panel(
            series(
                "Humidity", floor_metrics("'rh_pct'", "sum(r.sum) / sum(r.count)"), unit="humidity"
            )
        )
        .with_panel(
            series(
                "Dust (max)",
                floor_metrics("'pm10_ugm3', 'pm25_ugm3'", "max(r.max)"),
                unit="conμgm3",
                thresholds=DUST,
            )
        )
        .with_panel(
            series(
                "Noise (max) against the limit",
                floor_metrics("'noise_dba'", "max(r.max)"),
                noise_limit(),
                unit="dB",
            )
        )
        .with_panel(
            series(
                "Workers present (max a minute)",
                floor_metrics("'workers'", "max(r.max)"),
                unit="none",
            )
        )
        .with_panel(grid("Sensors", Sql("floor_devices", DEVICE_COLUMNS)))
        .with_panel(
            grid(
                "Alerts on this floor",
                Sql("newest_alerts", ALERT_COLUMNS, floor_filter=ON_FLOOR, limit="50"),
                width=24,
                coloured={"severity": SEVERITY_NAMES},
            )
        )
    )
