"""One floor on a phone: `GET /api/v1/sites/{site}/floors/{level}`: its status, its tasks
against plan, each metric's latest value with its limits and its last 24 hours, its
pours' concrete, the workers present by trade, its open alerts and the site's cranes."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from statistics import fmean
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Path
from psycopg.rows import class_row
from pydantic import BaseModel

from api.deps import ConnDep, SettingsDep, Viewer
from api.floor_series import METRICS, Bucket, floor_series
from api.floors import site_or_404
from api.problems import Problem
from api.progress import read_floor_tasks
from api.site_status import Crane, Floor, OpenAlert, crane_states, floor_statuses
from concrete.model import TaskConcrete
from concrete.report import floor_concrete
from core.db import Connection
from core.measurements import PROBE, Measurement, rolled_up
from core.settings import Settings
from core.sql import load_queries
from progress.plan import FloorTasks
from rules.model import Rule
from rules.observe import threshold_at
from rules.packs import effective_rules, load_rules, pack_files
from rules.store import overrides

router = APIRouter(prefix="/api/v1/sites/{site}", tags=["sites"])
_Q = load_queries("api", "floor_detail.sql")
SERIES_SPAN = timedelta(hours=24)
SERIES_BUCKET = timedelta(minutes=5)  # 288 points a day at most


def _sources() -> dict[str, tuple[Measurement, bool | None]]:
    """Each metric the floor series name (api/floor_series.py METRICS), as a sensor's
    latest values hold it: its measurement, and whether only probes (True), only the
    others (False) or any sensor (None) report it under that name."""
    found: dict[str, tuple[Measurement, bool | None]] = {}
    for m in rolled_up("env", "floor"):
        found[m.key] = (m, None if m.probe_name is None else False)
        if m.probe_name is not None:
            found[m.probe_name] = (m, True)
    assert tuple(found) == METRICS, "the floor series and the latest values name metrics alike"
    return found


_SOURCES = _sources()


@dataclass(frozen=True, slots=True)
class EnvDevice:
    device_id: str
    last_ts: datetime
    latest: dict[str, Any]


class Limit(BaseModel):
    rule: str
    name: str
    severity: str
    op: str
    value: float  # the threshold in force now (a time band's, on the site's clock)
    # a quality rule applies only while a task of these types is under way there
    task_types: list[str]


class Metric(BaseModel):
    metric: str
    unit: str
    label: str
    # the floor's value as its status summarises it (mean or max of the sensors' latest
    # values; mean where the measurement declares none), when the newest was taken
    value: float | None
    at: datetime | None
    sensors: int
    limits: list[Limit]
    series: list[Bucket]  # the last 24 hours in 5-minute buckets


class FloorDetail(BaseModel):
    site: str
    timezone: str
    at: datetime
    floor: Floor
    tasks: FloorTasks
    metrics: list[Metric]
    # each pour on the floor begun within 28 days: strength, stripping and frost-safe times
    concrete: list[TaskConcrete]
    workers_by_trade: dict[str, int]
    alerts: list[OpenAlert]
    cranes: list[Crane]


@router.get("/floors/{level}")
def floor_detail(
    site: str,
    level: Annotated[int, Path(ge=-10, le=200)],
    conn: ConnDep,
    settings: SettingsDep,
    _key: Viewer,
) -> FloorDetail:
    """Tasks: under way now, the next planned and the last finished, each with its
    variance in days against plan (positive: late; see /progress). Metrics: each one the
    floor's rollups hold, with the limits of the rules in force on this floor now and its
    last 24 hours (at most 288 points); a metric no sensor there reports is left out."""
    found = site_or_404(conn, site)
    floor = next((f for f in floor_statuses(conn, site) if f.level == level), None)
    if floor is None:
        raise Problem(404, "Not found", f"site {site!r} has no floor {level}")
    now = datetime.now(UTC)
    params = {"site": site, "floor": level}
    with conn.cursor(row_factory=class_row(EnvDevice)) as cur:
        devices = cur.execute(_Q["env_devices"], params).fetchall()
    limits = floor_limits(_rules(conn, settings, site), level, now, ZoneInfo(found.timezone))
    metrics = [
        Metric(
            **latest,
            limits=limits.get(_SOURCES[latest["metric"]][0].key, []),
            series=floor_series(
                conn, site, level, latest["metric"], SERIES_BUCKET, now - SERIES_SPAN, now
            ),
        )
        for latest in latest_values(devices)
    ]
    with conn.cursor(row_factory=class_row(OpenAlert)) as cur:
        alerts = cur.execute(_Q["open_alerts"], params).fetchall()
    return FloorDetail(
        site=site,
        timezone=found.timezone,
        at=now,
        floor=floor,
        tasks=read_floor_tasks(conn, site, level, now),
        metrics=metrics,
        concrete=floor_concrete(conn, site, level, now),
        workers_by_trade=dict(conn.execute(_Q["workers_by_trade"], params).fetchall()),
        alerts=alerts,
        cranes=crane_states(conn, site),
    )


def latest_values(devices: Iterable[EnvDevice]) -> list[dict[str, Any]]:
    """Pure: each metric some sensor reports, summarised over the sensors' latest values
    as the floor's status does, in the order the floor series name them."""
    devices = list(devices)
    out = []
    for metric, (m, probes) in _SOURCES.items():
        seen = [
            (float(d.latest[m.key]), d.last_ts)
            for d in devices
            if d.latest.get(m.key) is not None
            and (probes is None or (PROBE.key in d.latest) == probes)
        ]
        if not seen:
            continue
        values = [v for v, _ in seen]
        value = max(values) if m.floor_summary == "max" else fmean(values)
        out.append(
            {
                "metric": metric,
                "unit": m.unit,
                "label": m.label if probes is not True else f"{m.label} (concrete surface)",
                "value": round(value, 2),
                "at": max(ts for _, ts in seen),
                "sensors": len(seen),
            }
        )
    return out


def floor_limits(
    rules: Iterable[Rule], level: int, now: datetime, tz: ZoneInfo
) -> dict[str, list[Limit]]:
    """Pure: the thresholds of the environment rules in force on the floor now, by the
    metric they judge."""
    limits: dict[str, list[Limit]] = {}
    for rule in rules:
        if not rule.enabled or rule.when is None or rule.kind != "env":
            continue
        if rule.scope.floors and level not in rule.scope.floors:
            continue
        limits.setdefault(rule.when.metric, []).append(
            Limit(
                rule=rule.id,
                name=rule.name,
                severity=rule.severity,
                op=rule.when.op,
                value=threshold_at(rule.when.value, now, tz),
                task_types=list(rule.scope.task_types),
            )
        )
    return limits


def _rules(conn: Connection, settings: Settings, site: str) -> list[Rule]:
    shipped = load_rules(pack_files(settings.rules_dir))
    return list(effective_rules(shipped, overrides(conn, site)).values())
