"""A pour task's concrete, read from its probes: maturity and strength per probe and for
the task (its coldest probe), stripping and frost reached or forecast, the air's frost
forecast and the next task that needs the forms. The reads are here; the decisions are
the pure modules'."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from psycopg.rows import class_row

from concrete.config import ConcreteSpec
from concrete.decisions import FROST_SOURCE, STRIPPING_SOURCE, Milestone, milestone
from concrete.forecast import first_at_or_below, maturity_reached_at, trend
from concrete.maturity import Maturity, Reading, temperature_time_factor
from concrete.model import (
    GapOut,
    MilestoneOut,
    NextTask,
    ProbeConcrete,
    StrengthPoint,
    TaskConcrete,
)
from concrete.strength import Curve, grade_mpa
from core.db import Connection
from core.sql import load_queries

_Q = load_queries("concrete", "report.sql")
# a pour's concrete is read over at most this long after it began
READ_AT_MOST = timedelta(days=90)
# the rules watch the pours begun within this long
WATCH_DAYS = timedelta(days=28)


@dataclass(frozen=True, slots=True)
class _Pour:
    id: str
    name: str
    floors: list[int]
    zones: list[str]
    since: datetime
    started: bool
    grade: str | None


@dataclass(frozen=True, slots=True)
class _Series:
    """One device's readings, oldest first (one row per device: a long pour's readings
    cross the driver as two arrays rather than a row each)."""

    device: str
    floor: int | None
    zone: str | None
    ts: list[datetime]
    temp_c: list[float]

    @property
    def readings(self) -> list[Reading]:
        return [Reading(ts, temp) for ts, temp in zip(self.ts, self.temp_c, strict=True)]


def site_settings(conn: Connection, site: str) -> ConcreteSpec:
    """The site's stored settings; the defaults for a site loaded before they were kept."""
    row = conn.execute(_Q["settings"], {"site": site}).fetchone()
    return ConcreteSpec.model_validate(row[0]) if row else ConcreteSpec()


def task_concrete(conn: Connection, site: str, task: str, now: datetime) -> TaskConcrete | None:
    """The concrete of a pour task begun by `now`; None for another task or one not begun."""
    with conn.cursor(row_factory=class_row(_Pour)) as cur:
        pour = cur.execute(_Q["pour"], {"site": site, "task": task}).fetchone()
    if pour is None or pour.since > now:
        return None
    settings = site_settings(conn, site)
    until = min(now, pour.since + READ_AT_MOST)
    params = {"site": site, "floors": pour.floors, "zones": pour.zones}
    with conn.cursor(row_factory=class_row(_Series)) as cur:
        probes = cur.execute(_Q["probe_readings"], {**params, "from": pour.since, "to": until})
        probe_rows = probes.fetchall()
        window = {"from": now - settings.trend_window, "to": now}
        air_rows = cur.execute(_Q["air_readings"], {**params, **window}).fetchall()
    with conn.cursor(row_factory=class_row(NextTask)) as cur:
        above = [f + 1 for f in pour.floors]
        found = {"task": pour.id, "since": pour.since, "above": above}
        next_task = cur.execute(_Q["next_task"], {**params, **found}).fetchone()
    return assemble(pour, settings, _by_device(probe_rows), _by_device(air_rows), next_task, now)


def pours_curing(conn: Connection, site: str, now: datetime, floor: int | None = None) -> list[str]:
    """The pours begun within the last 28 days (on `floor`, if given): those the rules watch."""
    params = {"site": site, "now": now, "within": WATCH_DAYS, "floor": floor}
    return [task for (task,) in conn.execute(_Q["pours_curing"], params)]


def floor_concrete(conn: Connection, site: str, floor: int, now: datetime) -> list[TaskConcrete]:
    """The concrete of each pour on a floor begun within the last 28 days (a floor's page)."""
    found = (task_concrete(conn, site, task, now) for task in pours_curing(conn, site, now, floor))
    return [c for c in found if c is not None]


def assemble(
    pour: _Pour,
    settings: ConcreteSpec,
    probes: dict[str, _Series],
    air: dict[str, _Series],
    next_task: NextTask | None,
    now: datetime,
) -> TaskConcrete:
    """Pure: the block from what was read."""
    grade = pour.grade or settings.default_grade
    curve = settings.curve(grade)
    fck = grade_mpa(grade)
    maturities = {
        device: temperature_time_factor(
            rows.readings, settings.datum_c, pour.since,
            settings.gap_limit,
        )
        for device, rows in probes.items()
    }  # fmt: skip
    coldest = min(maturities, key=lambda d: (maturities[d].maturity_degc_h, d), default=None)
    total = maturities[coldest] if coldest else None
    readings = probes[coldest].readings if coldest else []

    def decided(target_mpa: float, source: str) -> Milestone:
        if total is None:
            return milestone(target_mpa, None, None, source)
        target = curve.maturity_for(target_mpa)
        line = trend(readings, settings.trend_window)
        last = total.last
        ahead = (
            maturity_reached_at(total.maturity_degc_h, target, last, line, settings.datum_c)
            if line is not None and last is not None
            else None
        )
        return milestone(target_mpa, total.reached_at(target), ahead, source)

    stripping = decided(settings.stripping_mpa(grade), STRIPPING_SOURCE)
    frost = decided(settings.frost_mpa(grade), FROST_SOURCE)
    air_frost = _air_frost_at(air, settings)
    late = None
    if next_task is not None and stripping.status == "forecast" and stripping.at is not None:
        late = round((stripping.at - next_task.planned_start) / timedelta(days=1), 2)
    maturity = total.maturity_degc_h if total else 0.0
    strength = curve.strength_mpa(maturity)
    return TaskConcrete(
        task=pour.id,
        floors=pour.floors,
        since=pour.since,
        since_source="actual" if pour.started else "planned",
        datum_c=settings.datum_c,
        gap_limit_h=settings.gap_limit_h,
        probe=coldest,
        maturity_degc_h=round(maturity, 3),
        equivalent_age_h=round(total.equivalent_age_h if total else 0.0, 3),
        strength_mpa=round(strength, 2),
        strength_pct=round(100 * strength / fck, 1),
        grade=grade,
        grade_source="task" if pour.grade else "site default",
        calibrated=curve.calibrated,
        stripping_at=_out(stripping, fck),
        frost_safe_at=_out(frost, fck),
        air_frost_at=air_frost,
        next_task=next_task,
        stripping_late_days=late,
        probes=[_probe(device, probes[device], m, curve, fck) for device, m in maturities.items()],
        strength_history=_hourly(total, curve) if total else [],
        computed_at=now,
    )


def _air_frost_at(air: dict[str, _Series], settings: ConcreteSpec) -> datetime | None:
    """The earliest any air sensor's trend reaches frost (the coldest place decides)."""
    found = []
    for rows in air.values():
        line = trend(rows.readings, settings.trend_window)
        if line is not None:
            at = first_at_or_below(line, settings.frost.frost_air_c, settings.trend_window)
            if at is not None:
                found.append(at)
    return min(found, default=None)


def _probe(device: str, rows: _Series, m: Maturity, curve: Curve, fck: float) -> ProbeConcrete:
    strength = curve.strength_mpa(m.maturity_degc_h)
    return ProbeConcrete(
        device=device,
        floor=rows.floor,
        zone=rows.zone,
        readings=len(m.history),
        last_ts=m.last,
        last_temp_c=rows.temp_c[-1] if rows.temp_c else None,
        maturity_degc_h=round(m.maturity_degc_h, 3),
        equivalent_age_h=round(m.equivalent_age_h, 3),
        strength_mpa=round(strength, 2),
        strength_pct=round(100 * strength / fck, 1),
        gaps=[GapOut(start=g.start, end=g.end, hours=round(g.hours, 3)) for g in m.gaps],
    )


def _hourly(m: Maturity, curve: Curve) -> list[StrengthPoint]:
    """The last point of each hour since the pour."""
    last: dict[datetime, tuple[datetime, float]] = {}
    for ts, value in m.history:
        last[ts.replace(minute=0, second=0, microsecond=0)] = (ts, value)
    return [
        StrengthPoint(
            at=ts, maturity_degc_h=round(value, 3), strength_mpa=round(curve.strength_mpa(value), 2)
        )
        for ts, value in last.values()
    ]


def _out(m: Milestone, fck: float) -> MilestoneOut:
    return MilestoneOut(
        at=m.at,
        status=m.status,
        target_mpa=round(m.target_mpa, 2),
        target_pct=round(100 * m.target_mpa / fck, 1),
        source=m.source,
    )


def _by_device(rows: Sequence[_Series]) -> dict[str, _Series]:
    return {r.device: r for r in rows}
