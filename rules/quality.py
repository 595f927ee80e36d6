"""A task's quality record: for each spec that applies to it, the share of the time it was
judged that the readings were in spec; its excursions; its alerts. The evidence a
technical lead hands over at acceptance."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from core.db import Connection
from core.sql import load_queries
from rules.context import Sample, SiteContext, TaskSpan
from rules.model import Rule
from rules.observe import observe
from rules.store import read_samples

_Q = load_queries("rules", "quality.sql")
# A reading stands for the time until the next one from its device, at most this long:
# a silent sensor is not evidence.
MAX_GAP = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class SpecTime:
    rule: str
    name: str
    source: str
    judged_s: float
    in_spec_s: float
    readings: int

    @property
    def in_spec_share(self) -> float | None:
        return self.in_spec_s / self.judged_s if self.judged_s else None


@dataclass(frozen=True)
class QualityRecord:
    task: str
    type: str | None
    start: datetime
    end: datetime
    specs: list[SpecTime]
    excursions: list[dict[str, Any]] = field(default_factory=list)
    alerts: list[dict[str, Any]] = field(default_factory=list)


def rules_for(task_type: str | None, rules: Mapping[str, Rule]) -> list[Rule]:
    if task_type is None:
        return []
    return [
        r
        for r in rules.values()
        if r.enabled and (task_type in r.scope.task_types or task_type in r.evidence_for)
    ]


def time_in_spec(
    rule: Rule, samples: Sequence[Sample], ctx: SiteContext, end: datetime
) -> SpecTime:
    """Time-weighted: each reading the rule judges counts until its device's next reading
    (at most MAX_GAP, and not past `end`); in spec unless the rule's condition holds."""
    by_device: dict[str, list[Sample]] = {}
    for sample in sorted(samples, key=lambda s: s.ts):
        by_device.setdefault(sample.device_id, []).append(sample)
    judged = in_spec = 0.0
    readings = 0
    for series in by_device.values():
        for i, sample in enumerate(series):
            found = observe(rule, series[max(0, i - 200) : i + 1], ctx, {})
            if not found:
                continue
            following = series[i + 1].ts if i + 1 < len(series) else end
            weight = max(0.0, min(following - sample.ts, MAX_GAP, end - sample.ts).total_seconds())
            readings += 1
            judged += weight
            if not any(o.breach for o in found):
                in_spec += weight
    return SpecTime(rule.id, rule.name, rule.source, judged, in_spec, readings)


def quality_record(
    conn: Connection, ctx: SiteContext, task_id: str, rules: Mapping[str, Rule], now: datetime
) -> QualityRecord | None:
    row = conn.execute(_Q["task"], {"site": ctx.site_id, "task": task_id}).fetchone()
    if row is None:
        return None
    task, _name, kind, floors, zones, start, end = row[:7]
    until = min(end, now) if end is not None else now
    span = TaskSpan(task, kind or "", frozenset(floors), frozenset(zones), start, end)
    # the task alone, so that quality rules see it; site-wide evidence needs no task
    task_ctx = replace(ctx, tasks=(span,))
    applicable = rules_for(kind, rules)
    specs: list[SpecTime] = []
    if applicable and until > start:
        samples = [
            s
            for s in read_samples(conn, ctx.site_id, start, until, _kinds(applicable))
            if s.floor is None or span.covers(s.floor, s.zone)
        ]
        specs = [time_in_spec(r, samples, task_ctx, until) for r in applicable]
    params = {"site": ctx.site_id, "task": task_id}
    names = ("rule", "device", "metric", "started_at", "ended_at", "worst_value", "alert")
    excursions = [dict(zip(names, r, strict=True)) for r in conn.execute(_Q["excursions"], params)]
    for e in excursions:
        finished = e["ended_at"] or until
        e["duration_s"] = max(0.0, (finished - e["started_at"]).total_seconds())
    alert_names = (
        "id",
        "rule",
        "state",
        "severity",
        "title",
        "message",
        "raised_at",
        "resolved_at",
    )
    alerts = [dict(zip(alert_names, r, strict=True)) for r in conn.execute(_Q["alerts"], params)]
    return QualityRecord(task, kind, start, until, specs, excursions, alerts)


def _kinds(rules: Iterable[Rule]) -> set[str]:
    return {r.judges for r in rules}


def task_name(conn: Connection, site: str, task: str) -> tuple[str, str | None]:
    row = conn.execute(_Q["name"], {"site": site, "task": task}).fetchone()
    return (str(row[0]), row[1]) if row else (task, None)
