"""Alerts: what is open, what was raised in the range, by rule, and how fast people
acknowledged."""

from __future__ import annotations

from grafana_foundation_sdk.builders.dashboard import Dashboard

from dashboards.panels import (
    AMBER,
    RED,
    SEVERITY_NAMES,
    big_number,
    grid,
    levels,
    new_dashboard,
    series,
)
from dashboards.sql_query import TS, Sql

UID = "sitepulse-alerts"
ALERT_COLUMNS = (
    "time",
    "severity",
    "state",
    "rule_id",
    "subject",
    "floor",
    "title",
    "value",
    "worst_value",
    "breaches",
    "acknowledged_by",
    "acknowledged_at",
    "resolved_at",
)


def alerts() -> Dashboard:
    return (
        new_dashboard(UID, "Alerts", "Alerts raised by the rules, their state and response.")
        .with_panel(
            big_number(
                "Open alerts",
                Sql("open_alerts", ("open_alerts", "alarms"), floor_filter=""),
                thresholds=levels((1, AMBER)),
                width=8,
            )
        )
        .with_panel(
            big_number(
                "Time to acknowledge",
                Sql("alerts_response", ("median_ack_min", "worst_ack_min", "unacknowledged")),
                unit="m",
                thresholds=levels((5, AMBER), (15, RED)),
                width=16,
            )
        )
        .with_panel(
            series(
                "Alerts raised",
                Sql("alerts_raised", TS, "time_series"),
                unit="none",
                bars=True,
                width=16,
            )
        )
        .with_panel(
            grid(
                "By rule",
                Sql("alerts_by_rule", ("rule_id", "alerts", "raised", "open")),
                width=8,
                height=8,
            )
        )
        .with_panel(
            grid(
                "Alerts in the range",
                Sql("alerts_in_range", ALERT_COLUMNS),
                width=24,
                height=12,
                coloured={"severity": SEVERITY_NAMES},
            )
        )
    )
