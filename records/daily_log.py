"""The daily construction log (施工日志) of a site and site-local day, from what the site
recorded itself: weather from its sensors, the workforce from the tags, tasks per floor
with their quality excursions and pours' strength, crane lifts, alerts, devices offline,
and the notes a person writes (every version kept)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime
from typing import Literal, TypeVar

from psycopg.rows import class_row
from pydantic import BaseModel

from concrete.report import floor_concrete
from core.db import Connection
from core.errors import SitePulseError
from core.sql import load_queries
from labor.hours import TaskHours, day_bounds, task_hours

_Q = load_queries("records", "daily_log.sql")
NOTES_MAX_CHARS = 20_000  # as migration 0018 checks
M = TypeVar("M", bound=BaseModel)


class Weather(BaseModel):
    """From the site's own sensors: air temperature and humidity (environment sensors),
    wind at the jib (cranes). Rain: no sensor of the contract measures it (null)."""

    min_temp_c: float | None
    min_temp_at: datetime | None
    max_temp_c: float | None
    max_temp_at: datetime | None
    min_rh_pct: float | None
    max_rh_pct: float | None
    max_wind_mps: float | None
    max_wind_at: datetime | None
    max_wind_device: str | None
    rain_mm: float | None = None


class Crew(BaseModel):
    """Workers heard (headcount) and their hours, by trade or by floor."""

    key: str
    headcount: int
    hours: float


class Workforce(BaseModel):
    headcount: int
    hours: float
    by_trade: list[Crew]
    by_floor: list[Crew]


class FloorTask(BaseModel):
    floor: int
    task: str
    name: str
    type: str | None
    trade: str | None
    state: Literal["started", "under_way", "finished"]
    active_from: datetime
    actual_finish: datetime | None
    excursions: int
    excursion_rules: str | None


class StrengthMilestones(BaseModel):
    """A pour's concrete at the day's end (concrete/report.py)."""

    task: str
    floors: list[int]
    grade: str
    strength_mpa: float
    strength_pct: float
    stripping_at: datetime | None
    stripping_status: str
    frost_safe_at: datetime | None
    frost_safe_status: str


class CraneDay(BaseModel):
    crane: str
    lifts: int
    tonnes: float
    hours_loaded: float
    max_moment_pct: float | None
    lifts_over_90_pct: int
    max_load_t: float | None


class AlertCounts(BaseModel):
    severity: str
    raised: int
    acknowledged: int
    resolved: int


class OfflineDevice(BaseModel):
    device: str | None
    kind: str | None
    offline_from: datetime
    back_at: datetime | None


class Notes(BaseModel):
    notes: str
    written_at: datetime
    written_by: str


class DailyLog(BaseModel):
    site: str
    site_name: str
    timezone: str
    day: date
    from_: datetime
    to: datetime
    weather: Weather
    workforce: Workforce
    tasks: list[FloorTask]
    concrete: list[StrengthMilestones]
    cranes: list[CraneDay]
    alerts: list[AlertCounts]
    devices_offline: list[OfflineDevice]
    notes: Notes | None
    generated_at: datetime


class _Site(BaseModel):
    id: str
    name: str
    timezone: str


def daily_log(conn: Connection, site: str, day: date, now: datetime) -> DailyLog:
    with conn.cursor(row_factory=class_row(_Site)) as cur:
        found = cur.execute(_Q["site"], {"site": site}).fetchone()
    if found is None:
        raise SitePulseError(f"no site {site!r}")
    start, end = day_bounds(conn, site, day)
    args = {"site": site, "day": day, "from": start, "to": end}
    tasks = _rows(conn, FloorTask, "tasks", args)
    return DailyLog(
        site=site,
        site_name=found.name,
        timezone=found.timezone,
        day=day,
        from_=start,
        to=end,
        weather=_rows(conn, Weather, "temperature", args)[0],
        workforce=workforce(task_hours(conn, site, day)),
        tasks=tasks,
        concrete=_concrete(conn, site, sorted({t.floor for t in tasks}), min(end, now)),
        cranes=_rows(conn, CraneDay, "lifts", args),
        alerts=_rows(conn, AlertCounts, "alerts", args),
        devices_offline=_rows(conn, OfflineDevice, "offline", args),
        notes=next(iter(_rows(conn, Notes, "notes", args)), None),
        generated_at=now,
    )


def workforce(hours: Sequence[TaskHours]) -> Workforce:
    """Headcount: distinct workers; a worker on two floors counts once on the site, once
    on each floor."""
    trades: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    floors: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
    for row in hours:
        trades[row.trade][row.worker] += row.hours
        floor = "unknown" if row.floor is None else str(row.floor)
        floors[floor][row.worker] += row.hours
    workers = {row.worker for row in hours}
    return Workforce(
        headcount=len(workers),
        hours=round(sum(row.hours for row in hours), 2),
        by_trade=_crews(trades),
        by_floor=sorted(_crews(floors), key=lambda c: _floor_order(c.key)),
    )


def _floor_order(key: str) -> tuple[int, int]:
    return (1, 0) if key == "unknown" else (0, -int(key))


def _crews(groups: dict[str, dict[str, float]]) -> list[Crew]:
    return [
        Crew(key=key, headcount=len(hours), hours=round(sum(hours.values()), 2))
        for key, hours in sorted(groups.items())
    ]


def _concrete(
    conn: Connection, site: str, floors: list[int], at: datetime
) -> list[StrengthMilestones]:
    seen: dict[str, StrengthMilestones] = {}
    for floor in floors:
        for c in floor_concrete(conn, site, floor, at):
            seen[c.task] = StrengthMilestones(
                task=c.task,
                floors=c.floors,
                grade=c.grade,
                strength_mpa=round(c.strength_mpa, 1),
                strength_pct=round(c.strength_pct, 1),
                stripping_at=c.stripping_at.at,
                stripping_status=c.stripping_at.status,
                frost_safe_at=c.frost_safe_at.at,
                frost_safe_status=c.frost_safe_at.status,
            )
    return list(seen.values())


def write_notes(conn: Connection, site: str, day: date, notes: str, by: str) -> Notes:
    if len(notes) > NOTES_MAX_CHARS:
        msg = f"notes: at most {NOTES_MAX_CHARS} characters, not {len(notes)}"
        raise SitePulseError(msg)
    with conn.cursor(row_factory=class_row(Notes)) as cur:
        row = cur.execute(
            _Q["write_notes"], {"site": site, "day": day, "notes": notes, "by": by}
        ).fetchone()
    if row is None:
        raise SitePulseError("notes were not written")
    return row


def note_history(conn: Connection, site: str, day: date) -> list[Notes]:
    return _rows(conn, Notes, "note_history", {"site": site, "day": day})


def _rows(conn: Connection, model: type[M], query: str, args: dict[str, object]) -> list[M]:
    with conn.cursor(row_factory=class_row(model)) as cur:
        return cur.execute(_Q[query], args).fetchall()
