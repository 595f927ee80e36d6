"""The rule predicates, each declared once in PREDICATES: the kind of device it judges,
its parameters with their defaults, its observe function, and its mode, the class of its
entry: judged on each reading (OnReading, with how far back it looks), on every device's
presence each second (OnPresence), or on the site's concreting regimes (OnRegime). The
rule model accepts these names and parameters; the engine judges each in its mode. Pure."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Generic, TypeVar
from zoneinfo import ZoneInfo

from concrete.model import TaskConcrete
from core.kinds import DeviceKind
from rules.concrete_alerts import frost_before_strength, stripping_late
from rules.context import DeviceState, Sample, SiteContext
from rules.cranes import along_jib, clearance
from rules.observation import Observation, about_device
from rules.regimes import Period, regime_on

Params = Mapping[str, float | str]  # a predicate's parameters by name
Window = Sequence[Sample]  # one device's recent readings, oldest first; the last is the new one
Latest = Mapping[str, Sample]  # the newest reading of every other device of the site
Found = list[Observation]
ReadingObserver = Callable[[Params, Window, SiteContext, Latest], Found]
PresenceObserver = Callable[[Params, Sequence[DeviceState], SiteContext, datetime], Found]
RegimeObserver = Callable[[Params, Sequence[Period], SiteContext, date, datetime], Found]
ConcreteObserver = Callable[[Params, Sequence[TaskConcrete], SiteContext, datetime], Found]
ObserverT = TypeVar("ObserverT")


def _no_history(p: Params) -> timedelta:
    return timedelta(0)


def _minutes_back(p: Params) -> timedelta:
    """The last `minutes` of readings and a minute more, so that the window reaches past them."""
    return timedelta(minutes=float(p["minutes"])) + timedelta(minutes=1)


@dataclass(frozen=True)
class _Declared(Generic[ObserverT]):
    judges: DeviceKind
    observe: ObserverT
    params: Params = field(default_factory=dict)


@dataclass(frozen=True)
class OnReading(_Declared[ReadingObserver]):
    """Judged on each reading of a device of its kind, over the device's recent readings
    (`history` of them, a function of the parameters) and the others' newest."""

    history: Callable[[Params], timedelta] = _no_history


@dataclass(frozen=True)
class OnPresence(_Declared[PresenceObserver]):
    """Judged each second on every device's presence (online, offline or not yet known)."""


@dataclass(frozen=True)
class OnRegime(_Declared[RegimeObserver]):
    """Judged on the site's concreting regimes, recomputed from the daily means."""


@dataclass(frozen=True)
class OnConcrete(_Declared[ConcreteObserver]):
    """Judged every few minutes on the concrete of the site's pours (rules/concrete_alerts.py)."""


Declared = OnReading | OnPresence | OnRegime | OnConcrete


def _in_hazard_zone(p: Params, window: Window, ctx: SiteContext, latest: Latest) -> Found:
    sample = window[-1]
    inside = sample.zone is not None and sample.zone in ctx.hazard_zones
    return [about_device(sample, inside, not inside, 1.0 if inside else 0.0)]


def _sos(p: Params, window: Window, ctx: SiteContext, latest: Latest) -> Found:
    sample = window[-1]
    pressed = sample.values.get("sos")
    if pressed is None:
        return []
    return [about_device(sample, bool(pressed), not pressed, 1.0 if pressed else 0.0)]


def _no_movement(p: Params, window: Window, ctx: SiteContext, latest: Latest) -> Found:
    last = window[-1]
    x, y = last.values.get("x_m"), last.values.get("y_m")
    if x is None or y is None or not _within_hours(str(p["work_hours"]), last.ts, ctx.tz):
        return []  # outside work hours a still tag is a tag on a shelf
    tolerance = float(p["tolerance_m"])
    still_since = last.ts
    for sample in reversed(window):
        sx, sy = sample.values.get("x_m"), sample.values.get("y_m")
        if sx is None or sy is None:
            continue
        if math.hypot(sx - x, sy - y) > tolerance:
            break
        still_since = sample.ts
    still_min = (last.ts - still_since) / timedelta(minutes=1)
    limit = float(p["minutes"])
    breach = still_min >= limit
    return [about_device(last, breach, not breach, round(still_min, 1), limit)]


def _within_hours(spec: str, ts: datetime, tz: ZoneInfo) -> bool:
    start, end = (time.fromisoformat(t.strip()) for t in spec.split("-"))
    local = ts.astimezone(tz).time()
    return start <= local < end if start <= end else (local >= start or local < end)


def _crane_collision(p: Params, window: Window, ctx: SiteContext, latest: Latest) -> Found:
    sample = window[-1]
    crane = ctx.cranes.get(sample.device_id)
    slew = sample.values.get("slew_deg")
    if crane is None or slew is None:
        return []
    limit = float(p["min_distance_m"])
    clear_at = limit + float(p["clear_margin_m"])
    fresh = timedelta(seconds=float(p["fresh_s"]))
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


def _load_over_people(p: Params, window: Window, ctx: SiteContext, latest: Latest) -> Found:
    sample = window[-1]
    crane = ctx.cranes.get(sample.device_id)
    values = sample.values
    load, radius, slew = values.get("load_t"), values.get("radius_m"), values.get("slew_deg")
    if crane is None or load is None or radius is None or slew is None:
        return []
    hook = along_jib(crane, float(slew), float(radius))
    hook_height = values.get("height_m")
    reach = float(p["radius_m"])
    fresh = timedelta(seconds=float(p["fresh_s"]))
    under: list[str] = []
    if load >= float(p["min_load_t"]):
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
    return [about_device(sample, bool(under), not under, float(len(under)), 1.0, detail)]


def _flatline(p: Params, window: Window, ctx: SiteContext, latest: Latest) -> Found:
    last = window[-1]
    metric = str(p["metric"])
    span = timedelta(minutes=float(p["minutes"]))
    if last.values.get(metric) is None or window[0].ts > last.ts - span:
        return []  # not enough history yet to call it flat
    recent = [
        float(s.values[metric])
        for s in window
        if s.ts >= last.ts - span and s.values.get(metric) is not None
    ]
    if len(recent) < float(p["min_readings"]):
        return []
    flat = max(recent) - min(recent) <= float(p["tolerance"])
    hours = span / timedelta(hours=1)
    return [about_device(last, flat, not flat, recent[-1], None, f"{hours:g} h")]


def _core_surface(p: Params, window: Window, ctx: SiteContext, latest: Latest) -> Found:
    """Mass concrete: the core may be at most so much warmer than the surface."""
    sample = window[-1]
    core, surface = sample.values.get("core_temp_c"), sample.values.get("temp_c")
    if core is None or surface is None:
        return []
    delta = round(float(core) - float(surface), 2)
    limit = float(p["max_delta_c"])
    detail = f"core {core:.1f} °C, surface {surface:.1f} °C"
    clear = delta <= float(p["clear_delta_c"])
    return [about_device(sample, delta > limit, clear, delta, limit, detail)]


def _device_offline(
    p: Params, states: Sequence[DeviceState], ctx: SiteContext, now: datetime
) -> Found:
    """One observation per device whose presence is known; the devices behind a dead
    gateway are not observed at all, so that the gateway's one alert stands for them."""
    known = {s.device_id for s in states}
    dead_gateways = {s.device_id for s in states if s.kind == "gateway" and s.online is False}
    children = Counter(g for device, g in ctx.gateway_of.items() if device in known)
    found = []
    for state in states:
        if state.online is None or ctx.gateway_of.get(state.device_id) in dead_gateways:
            continue
        detail = state.reason or ("offline" if state.online is False else "online")
        value = None
        if state.kind == "gateway":
            value = float(children[state.device_id])
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


def _regime(
    p: Params, periods: Sequence[Period], ctx: SiteContext, today: date, now: datetime
) -> Found:
    """The site is in the concreting regime today, or not."""
    regime = str(p["regime"])
    current = regime_on([period for period in periods if period.regime == regime], today)
    detail = f"{regime} regime since {current.start.isoformat()}" if current else ""
    return [Observation(ctx.site_id, now, current is not None, current is None, detail=detail)]


PREDICATES: dict[str, Declared] = {
    "in_hazard_zone": OnReading("tag", _in_hazard_zone),
    "sos": OnReading("tag", _sos),
    "no_movement": OnReading(
        "tag",
        _no_movement,
        {"minutes": 15.0, "tolerance_m": 0.5, "work_hours": "07:00-19:00"},
        history=_minutes_back,
    ),
    "crane_collision": OnReading(
        "crane", _crane_collision, {"min_distance_m": 2.0, "clear_margin_m": 1.0, "fresh_s": 10.0}
    ),
    "load_over_people": OnReading(
        "crane", _load_over_people, {"radius_m": 5.0, "min_load_t": 0.5, "fresh_s": 30.0}
    ),
    "device_offline": OnPresence("gateway", _device_offline),
    "flatline": OnReading(
        "env",
        _flatline,
        {"metric": "temp_c", "minutes": 120.0, "tolerance": 0.01, "min_readings": 10.0},
        history=_minutes_back,
    ),
    "core_surface": OnReading("env", _core_surface, {"max_delta_c": 25.0, "clear_delta_c": 23.0}),
    "regime": OnRegime("env", _regime, {"regime": "winter"}),
    "frost_before_strength": OnConcrete("env", frost_before_strength),
    "stripping_late": OnConcrete("env", stripping_late),
}
