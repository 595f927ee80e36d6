"""The cranes' panels, declared once for the wall and the cranes dashboard: each metric's
title, unit and colour steps, as a series over time and as bars now."""

from __future__ import annotations

from dataclasses import dataclass

from grafana_foundation_sdk.builders import bargauge, timeseries
from grafana_foundation_sdk.builders.dashboard import ThresholdsConfig

from dashboards.panels import AMBER, RED, gauge_bars, levels, series
from dashboards.sql_query import TS, Sql

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


@dataclass(frozen=True)
class CraneMetric:
    title: str
    unit: str
    thresholds: ThresholdsConfig | None = None
    # the bars' full scale, where the metric is shown now
    maximum: float = 0.0


CRANE_METRICS = {
    "moment_pct": CraneMetric(
        "Load moment", "percent", levels((90, AMBER), (100, RED)), maximum=120
    ),
    "wind_mps": CraneMetric(
        "Wind at the jib", "velocityms", levels((9, AMBER), (12, RED)), maximum=20
    ),
    "load_t": CraneMetric("Hook load", "masst"),
    "tilt_deg": CraneMetric("Mast tilt", "degree", levels((1, AMBER), (2, RED))),
}


def crane_history(metric: str, *, width: int = 12) -> timeseries.Panel:
    """Each crane's highest value of `metric` per interval."""
    spec = CRANE_METRICS[metric]
    target = Sql(
        "device_series", TS, "time_series", kind="crane", metric=metric, value="max(r.max)"
    )
    return series(
        f"{spec.title} (max)", target, unit=spec.unit, thresholds=spec.thresholds, width=width
    )


def crane_gauge(metric: str, *, width: int = 8) -> bargauge.Panel:
    """Each crane's latest value of `metric`, as a bar against its colour steps."""
    spec = CRANE_METRICS[metric]
    if spec.thresholds is None or not spec.maximum:
        msg = f"{metric} has no scale to draw as bars"
        raise ValueError(msg)
    return gauge_bars(
        f"{spec.title} now",
        Sql("crane_now", ("crane", metric), metric=metric),
        unit=spec.unit,
        thresholds=spec.thresholds,
        maximum=spec.maximum,
        width=width,
    )
