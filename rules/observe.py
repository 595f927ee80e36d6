"""What a rule sees: a reading in its scope (and, for a quality rule, under one of its
tasks) judged by its condition or by its predicate (rules/predicates.py); presence and
concreting regimes judged by theirs. Pure: (rule, what happened, site context) ->
observations."""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from datetime import date, datetime, timedelta
from typing import TypeVar
from zoneinfo import ZoneInfo

from concrete.model import TaskConcrete
from rules.context import DeviceState, Sample, SiteContext
from rules.model import Op, Rule, Threshold
from rules.observation import Observation, about_device
from rules.predicates import Declared, OnConcrete, OnPresence, OnReading, OnRegime, Params
from rules.regimes import Period

_OPS: dict[Op, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
    "==": operator.eq,
    "!=": operator.ne,
}
ModeT = TypeVar("ModeT", bound=Declared)


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
    if not scope.admits(sample.kind, sample.device_id, sample.floor) or (
        scope.zones and sample.zone not in scope.zones
    ):
        return []
    if scope.task_types:
        tasks = ctx.tasks_at(list(scope.task_types), sample.ts, sample.floor, sample.zone)
        if not tasks:
            return []  # no such task under way here: the spec does not apply
    if rule.predicate is None:
        found = _threshold(rule, sample, ctx)
    else:
        declared, arguments = _predicate(rule, OnReading)
        found = declared.observe(arguments, window, ctx, latest)
    if not scope.task_types:
        return found
    # one series per task and device: each task keeps its own excursions
    return [replace(o, subject=f"{t.id}/{o.subject}", task=t.id) for t in tasks for o in found]


def observe_presence(
    rule: Rule, states: Sequence[DeviceState], ctx: SiteContext, now: datetime
) -> list[Observation]:
    """Every device's presence, as its predicate sees it, about the devices in scope."""
    declared, arguments = _predicate(rule, OnPresence)
    inside = {s.device_id for s in states if rule.scope.admits(s.kind, s.device_id, s.floor)}
    return [o for o in declared.observe(arguments, states, ctx, now) if o.subject in inside]


def observe_regime(
    rule: Rule, periods: Sequence[Period], ctx: SiteContext, today: date, now: datetime
) -> list[Observation]:
    declared, arguments = _predicate(rule, OnRegime)
    return declared.observe(arguments, periods, ctx, today, now)


def observe_concrete(
    rule: Rule, pours: Sequence[TaskConcrete], ctx: SiteContext, now: datetime
) -> list[Observation]:
    declared, arguments = _predicate(rule, OnConcrete)
    return declared.observe(arguments, pours, ctx, now)


def history_needed(rule: Rule) -> timedelta:
    """How much of a device's history the rule looks back over."""
    if rule.predicate is None:
        return timedelta(0)  # a threshold judges the new reading alone
    declared = rule.predicate.declared
    if isinstance(declared, OnReading):
        return declared.history(rule.predicate.arguments)
    return timedelta(0)


def _predicate(rule: Rule, mode: type[ModeT]) -> tuple[ModeT, Params]:
    """The rule's predicate as declared, judged in `mode`, and the rule's arguments."""
    assert rule.predicate is not None, f"rule {rule.id} has no predicate"
    declared = rule.predicate.declared
    assert isinstance(declared, mode), f"rule {rule.id} is not judged {mode.__name__}"
    return declared, rule.predicate.arguments


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
    return [about_device(sample, breach, clear, value, limit)]
