"""What a rule sees in a reading: observations, each saying about one subject whether the
rule's condition holds (breach), whether its clear condition holds, and the value. Pure:
(rule, window of a device's readings, site context, other devices' latest) -> observations."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from rules.context import DeviceState, Sample, SiteContext
from rules.cranes import along_jib, clearance
from rules.model import Op, Rule, Threshold

_OPS: dict[Op, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}


@dataclass(frozen=True, slots=True)
class Observation:
    subject: str
    ts: datetime
    breach: bool
    clear: bool
    value: float | None = None
    threshold: float | None = None
    device: str | None = None
    floor: int | None = None
    zone: str | None = None
    detail: str = ""
    task: str | None = None


def threshold_at(value: Threshold, ts: datetime, tz: ZoneInfo) -> float:
    """A fixed threshold, or the band covering `ts` on the site's clock."""
    if isinstance(value, int | float):
        return float(value)
    local = ts.astimezone(tz).time()
    for band in value:
        if band.covers(local):
            return band.value
    return math.inf  # no band covers this time of day: nothing to judge against


def observe(
    rule: Rule,
    window: Sequence[Sample],
    ctx: SiteContext,
    latest: Mapping[str, Sample],
) -> list[Observation]:
    """`window` is one device's recent readings, oldest first; the last is the new one.
    `latest` holds the newest reading of every other device of the site."""
    sample = window[-1]
    scope = rule.scope
    if (
        (scope.kinds and sample.kind not in scope.kinds)
        or (scope.devices and sample.device_id not in scope.devices)
        or (scope.floors and sample.floor not in scope.floors)
        or (scope.zones and sample.zone not in scope.zones)
    ):
        return []
    if scope.task_types:
        tasks = ctx.tasks_at(list(scope.task_types), sample.ts, sample.floor, sample.zone)
        if not tasks:
            return []  # no such task under way here: the spec does not apply
    if rule.when is not None:
        found = _threshold(rule, sample, ctx)
    else:
        assert rule.predicate is not None
        found = _PREDICATES[rule.predicate.name](rule, window, ctx, latest)
    if not scope.task_types:
        return found
    # one series per task and device: each task keeps its own excursions
    return [replace(o, subject=f"{t.id}/{o.subject}", task=t.id) for t in tasks for o in found]


def observe_presence(
    rule: Rule, states: Sequence[DeviceState], ctx: SiteContext, now: datetime
) -> list[Observation]:
    """Device offline: one observation per device; the devices behind a dead gateway are
    not observed at all, so that the gateway's one alert stands for them."""
    scope = rule.scope
    by_id = {s.device_id: s for s in states}
    dead_gateways = {s.device_id for s in states if s.kind == "gateway" and s.online is False}
    children: dict[str, int] = {}
    for device, gateway in ctx.gateway_of.items():
        if device in by_id:
            children[gateway] = children.get(gateway, 0) + 1
    found = []
    for state in states:
        if state.online is None or ctx.gateway_of.get(state.device_id) in dead_gateways:
            continue
        if (
            (scope.kinds and state.kind not in scope.kinds)
            or (scope.devices and state.device_id not in scope.devices)
            or (scope.floors and state.floor not in scope.floors)
        ):
            continue
        detail = state.reason or ("offline" if state.online is False else "online")
        value = None
        if state.kind == "gateway":
            value = float(children.get(state.device_id, 0))
            if not state.online:
                detail += f"; the {int(value)} devices behind it are not heard either"
        found.append(
            Observation(
                subject=state.device_id,
                ts=now,
                breach=state.online is False,
                clear=state.online is True,
                value=value,
                device=state.device_id,
                floor=state.floor,
                zone=state.zone,
                detail=detail,
            )
        )
    return found


def _threshold(rule: Rule, sample: Sample, ctx: SiteContext) -> list[Observation]:
    assert rule.when is not None
    raw = sample.values.get(rule.when.metric)
    if raw is None:
        return []
    value = float(raw)
    limit = threshold_at(rule.when.value, sample.ts, ctx.tz)
    breach = _OPS[rule.when.op](value, limit)
    clear = not breach
    if rule.clear is not None and rule.clear.op is not None and rule.clear.value is not None:
        clear = _OPS[rule.clear.op](value, threshold_at(rule.clear.value, sample.ts, ctx.tz))
    return [_about_device(sample, breach, clear, value, limit)]


def _about_device(
    sample: Sample,
    breach: bool,
    clear: bool,
    value: float | None,
    threshold: float | None = None,
    detail: str = "",
) -> Observation:
    return Observation(
        subject=sample.device_id,
        ts=sample.ts,
        breach=breach,
        clear=clear,
        value=value,
        threshold=threshold,
        device=sample.device_id,
        floor=sample.floor,
        zone=sample.zone,
        detail=detail,
    )


Predicate = Callable[[Rule, Sequence[Sample], SiteContext, Mapping[str, Sample]], list[Observation]]


def _in_hazard_zone(
    rule: Rule, window: Sequence[Sample], ctx: SiteContext, latest: Mapping[str, Sample]
) -> list[Observation]:
    sample = window[-1]
    inside = sample.zone is not None and sample.zone in ctx.hazard_zones
    return [_about_device(sample, inside, not inside, 1.0 if inside else 0.0)]


def _sos(
    rule: Rule, window: Sequence[Sample], ctx: SiteContext, latest: Mapping[str, Sample]
) -> list[Observation]:
    sample = window[-1]
    pressed = sample.values.get("sos")
    if pressed is None:
        return []
    return [_about_device(sample, bool(pressed), not pressed, 1.0 if pressed else 0.0)]


def _no_movement(
    rule: Rule, window: Sequence[Sample], ctx: SiteContext, latest: Mapping[str, Sample]
) -> list[Observation]:
    assert rule.predicate is not None
    last = window[-1]
    x, y = last.values.get("x_m"), last.values.get("y_m")
    if x is None or y is None:
        return []
    tolerance = rule.predicate.number("tolerance_m")
    still_since = last.ts
    for sample in reversed(window):
        sx, sy = sample.values.get("x_m"), sample.values.get("y_m")
        if sx is None or sy is None:
            continue
        if math.hypot(sx - x, sy - y) > tolerance:
            break
        still_since = sample.ts
    still_min = (last.ts - still_since) / timedelta(minutes=1)
    limit = rule.predicate.number("minutes")
    if not _within_hours(str(rule.predicate.param("work_hours")), last.ts, ctx.tz):
        return []  # outside work hours a still tag is a tag on a shelf
    breach = still_min >= limit
    return [_about_device(last, breach, not breach, round(still_min, 1), limit)]


def _within_hours(spec: str, ts: datetime, tz: ZoneInfo) -> bool:
    start, end = (time.fromisoformat(t.strip()) for t in spec.split("-"))
    local = ts.astimezone(tz).time()
    return start <= local < end if start <= end else (local >= start or local < end)


def _crane_collision(
    rule: Rule, window: Sequence[Sample], ctx: SiteContext, latest: Mapping[str, Sample]
) -> list[Observation]:
    assert rule.predicate is not None
    sample = window[-1]
    crane = ctx.cranes.get(sample.device_id)
    slew = sample.values.get("slew_deg")
    if crane is None or slew is None:
        return []
    limit = rule.predicate.number("min_distance_m")
    clear_at = limit + rule.predicate.number("clear_margin_m")
    fresh = timedelta(seconds=rule.predicate.number("fresh_s"))
    found = []
    for other_id, other in sorted(ctx.cranes.items()):
        peer = latest.get(other_id)
        if other_id == crane.id or peer is None or abs(peer.ts - sample.ts) > fresh:
            continue
        peer_slew = peer.values.get("slew_deg")
        if peer_slew is None:
            continue
        distance, between = clearance(crane, float(slew), other, float(peer_slew))
        if math.isinf(distance):
            continue
        found.append(
            Observation(
                subject="~".join(sorted((crane.id, other_id))),
                ts=sample.ts,
                breach=distance < limit,
                clear=distance >= clear_at,
                value=round(distance, 2),
                threshold=limit,
                device=crane.id,
                detail=between,
            )
        )
    return found


def _load_over_people(
    rule: Rule, window: Sequence[Sample], ctx: SiteContext, latest: Mapping[str, Sample]
) -> list[Observation]:
    assert rule.predicate is not None
    sample = window[-1]
    crane = ctx.cranes.get(sample.device_id)
    values = sample.values
    load, radius, slew = values.get("load_t"), values.get("radius_m"), values.get("slew_deg")
    if crane is None or load is None or radius is None or slew is None:
        return []
    hook = along_jib(crane, float(slew), float(radius))
    hook_height = values.get("height_m")
    reach = rule.predicate.number("radius_m")
    fresh = timedelta(seconds=rule.predicate.number("fresh_s"))
    under: list[str] = []
    if load >= rule.predicate.number("min_load_t"):
        for tag, seen in sorted(latest.items()):
            if seen.kind != "tag" or abs(seen.ts - sample.ts) > fresh:
                continue
            tx, ty = seen.values.get("x_m"), seen.values.get("y_m")
            if tx is None or ty is None or math.hypot(tx - hook[0], ty - hook[1]) > reach:
                continue
            height = seen.values.get("z_m")
            if height is None and seen.floor is not None:
                height = ctx.floor_elevations.get(seen.floor)
            if hook_height is not None and height is not None and height >= hook_height:
                continue  # the worker is above the hook, not under it
            worker = ctx.worker_of(tag)
            under.append(f"{worker.name} ({worker.trade})")
    detail = f"{load:.1f} t over {len(under)} worker(s): {', '.join(under[:5])}" if under else ""
    if len(under) > 5:
        detail += f" and {len(under) - 5} more"
    return [_about_device(sample, bool(under), not under, float(len(under)), 1.0, detail)]


def _flatline(
    rule: Rule, window: Sequence[Sample], ctx: SiteContext, latest: Mapping[str, Sample]
) -> list[Observation]:
    assert rule.predicate is not None
    last = window[-1]
    metric = str(rule.predicate.param("metric"))
    if last.values.get(metric) is None:
        return []
    span = timedelta(minutes=rule.predicate.number("minutes"))
    if window[0].ts > last.ts - span:
        return []  # not enough history yet to call it flat
    values = [float(s.values[metric]) for s in window if s.values.get(metric) is not None]
    recent = [
        float(s.values[metric])
        for s in window
        if s.ts >= last.ts - span and s.values.get(metric) is not None
    ]
    if len(recent) < rule.predicate.number("min_readings") or not values:
        return []
    flat = max(recent) - min(recent) <= rule.predicate.number("tolerance")
    hours = span / timedelta(hours=1)
    return [_about_device(last, flat, not flat, recent[-1], None, f"{hours:g} h")]


def _core_surface(
    rule: Rule, window: Sequence[Sample], ctx: SiteContext, latest: Mapping[str, Sample]
) -> list[Observation]:
    """Mass concrete: the core may be at most so much warmer than the surface."""
    assert rule.predicate is not None
    sample = window[-1]
    core, surface = sample.values.get("core_temp_c"), sample.values.get("temp_c")
    if core is None or surface is None:
        return []
    delta = round(float(core) - float(surface), 2)
    limit = rule.predicate.number("max_delta_c")
    breach = delta > limit
    clear = delta <= rule.predicate.number("clear_delta_c")
    detail = f"core {core:.1f} °C, surface {surface:.1f} °C"
    return [_about_device(sample, breach, clear, delta, limit, detail)]


_PREDICATES: dict[str, Predicate] = {
    "core_surface": _core_surface,
    "in_hazard_zone": _in_hazard_zone,
    "sos": _sos,
    "no_movement": _no_movement,
    "crane_collision": _crane_collision,
    "load_over_people": _load_over_people,
    "flatline": _flatline,
}


def history_needed(rule: Rule) -> timedelta:
    """How much of a device's history the rule's predicate looks back over."""
    if rule.predicate is not None and rule.predicate.name in ("no_movement", "flatline"):
        return timedelta(minutes=rule.predicate.number("minutes")) + timedelta(minutes=1)
    return timedelta(0)
