"""The concrete predicates: judged on each pour's concrete (concrete/report.py) every few
minutes, one observation per pour. Frost forecast before the critical strength (the air's
trend against the strength's), and a stripping forecast later than the next task's
planned start (a schedule risk naming the days). Pure."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from concrete.model import MilestoneOut, TaskConcrete
from rules.context import SiteContext
from rules.observation import Observation

_WHEN = "%m-%d %H:%M"


def frost_before_strength(
    p: object, pours: Sequence[TaskConcrete], ctx: SiteContext, now: datetime
) -> list[Observation]:
    found = []
    for c in pours:
        safe, frost = c.frost_safe_at, c.air_frost_at
        if not c.probes:
            continue  # no probe, no evidence either way
        at_risk = (
            safe.status != "reached" and frost is not None and (safe.at is None or frost < safe.at)
        )
        detail = (
            f"air forecast at {_local(frost, ctx)} frost; {c.strength_mpa:.1f} MPa now, "
            f"critical {safe.target_mpa:.1f} MPa {_when(safe, ctx)}: cover and heat it"
            if at_risk and frost is not None
            else ""
        )
        found.append(_about(c, now, at_risk, c.strength_mpa, safe.target_mpa, detail))
    return found


def stripping_late(
    p: object, pours: Sequence[TaskConcrete], ctx: SiteContext, now: datetime
) -> list[Observation]:
    found = []
    for c in pours:
        nxt, strip = c.next_task, c.stripping_at
        if nxt is None or not c.probes:
            continue
        late = c.stripping_late_days
        at_risk = strip.status == "not_forecast" or (
            strip.status == "forecast" and late is not None and late > 0
        )
        days = f"{late:.1f} days after" if late is not None else "not within 28 days of"
        detail = (
            f"stripping strength {strip.target_mpa:.1f} MPa {_when(strip, ctx)}, {days} "
            f"{nxt.name} ({nxt.id}) is planned to start {_local(nxt.planned_start, ctx)}"
            if at_risk
            else ""
        )
        found.append(_about(c, now, at_risk, late, strip.target_mpa, detail))
    return found


def _about(
    c: TaskConcrete,
    now: datetime,
    breach: bool,
    value: float | None,
    threshold: float,
    detail: str,
) -> Observation:
    return Observation(
        subject=c.task,
        ts=now,
        breach=breach,
        clear=not breach,
        value=value,
        threshold=threshold,
        device=c.probe,
        floor=c.floors[0] if c.floors else None,
        detail=detail,
        task=c.task,
    )


def _when(m: MilestoneOut, ctx: SiteContext) -> str:
    if m.status == "reached":
        return f"reached {_local(m.at, ctx)}"
    if m.status == "forecast":
        return f"forecast {_local(m.at, ctx)}"
    return "not forecast within 28 days"


def _local(ts: datetime | None, ctx: SiteContext) -> str:
    return ts.astimezone(ctx.tz).strftime(_WHEN) if ts else "—"
