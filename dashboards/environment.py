"""Environment across the site: dust against its limits, noise against the day and night
limits on the site's clock, temperature, humidity, concrete probes."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from dashboards.panels import AMBER, RED, grid, levels, new_dashboard, series
from dashboards.sql_query import TS, Sql

UID = "sitepulse-environment"
# PM10 and PM2.5 24-hour limits of GB 3095-2012 grade II (150 and 75 µg/m³): drawn as
# guides; the rules decide alerts with the site's own thresholds.
DUST = levels((75, AMBER), (150, RED))
NOISE = levels((55, AMBER), (70, RED))
CORE_SURFACE = levels((25, RED))  # GB 50496-2018: core - surface <= 25 °C


def floor_series(metric: str, value: str) -> Sql:
    return Sql("floor_series", TS, "time_series", metric=metric, value=value)


def noise_limit() -> Sql:
    return Sql("noise_limit", ("time", "limit"), "time_series").ref_id("LIMIT")


def environment() -> Dashboard:
    return (
        new_dashboard(UID, "Environment", "Dust, noise, temperature, humidity, concrete.")
        .with_panel(
            series(
                "PM10 by floor (max)",
                floor_series("pm10_ugm3", "max(r.max)"),
                unit="conμgm3",
                thresholds=DUST,
            )
        )
        .with_panel(
            series(
                "PM2.5 by floor (max)",
                floor_series("pm25_ugm3", "max(r.max)"),
                unit="conμgm3",
                thresholds=DUST,
            )
        )
        .with_panel(
            series(
                "Noise by floor (max) against the limit: 70 dB(A) by day, 55 at night "
                "(22:00-06:00 site time)",
                floor_series("noise_dba", "max(r.max)"),
                noise_limit(),
                unit="dB",
                width=16,
            )
        )
        .with_panel(
            grid(
                "Minutes over the noise limit, last 24 h",
                Sql("noise_over_limit", ("floor", "minutes_over", "loudest_dba")),
                width=8,
                height=8,
            ).time_from("24h")
        )
        .with_panel(
            series(
                "Air temperature by floor (mean)",
                floor_series("temp_c", "sum(r.sum) / sum(r.count)"),
                unit="celsius",
            )
        )
        .with_panel(
            series(
                "Humidity by floor (mean)",
                floor_series("rh_pct", "sum(r.sum) / sum(r.count)"),
                unit="humidity",
            )
        )
        .with_panel(
            series(
                "Concrete core temperature (max)",
                floor_series("core_temp_c", "max(r.max)"),
                unit="celsius",
            )
        )
        .with_panel(
            series(
                "Concrete surface temperature (mean)",
                floor_series("surface_temp_c", "sum(r.sum) / sum(r.count)"),
                unit="celsius",
            )
        )
    )
