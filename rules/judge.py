"""The decision: a rule's state for one subject, stepped by each observation in time order.
Pure; the engine keeps the states and writes what they decide."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Literal

from rules.model import Rule
from rules.observation import Observation

Action = Literal["raise", "repeat", "clear"]


@dataclass(frozen=True, slots=True)
class Series:
    """Where one (rule, subject) stands: whether an alert is open, since when the
    condition (or the clear condition) has held, and the newest observation seen."""

    open: bool = False
    breach_since: datetime | None = None
    clear_since: datetime | None = None
    last_ts: datetime | None = None


def step(rule: Rule, series: Series, obs: Observation) -> tuple[Series, Action | None]:
    """Raise once the condition has held for `for`; while open, a breach is a repeat;
    resolve once the clear condition has held for `clear.for`. Between the two (the
    hysteresis band) neither clock runs. An observation older than the newest seen is
    ignored: the series moves forward only."""
    if series.last_ts is not None and obs.ts < series.last_ts:
        return series, None
    if obs.breach:
        since = series.breach_since or obs.ts
        moved = replace(series, breach_since=since, clear_since=None, last_ts=obs.ts)
        if series.open:
            return moved, "repeat"
        if obs.ts - since >= rule.for_:
            return replace(moved, open=True), "raise"
        return moved, None
    if obs.clear:
        since = series.clear_since or obs.ts
        moved = replace(series, breach_since=None, clear_since=since, last_ts=obs.ts)
        clear_for = rule.clear.for_ if rule.clear is not None else timedelta(0)
        if series.open and rule.auto_resolve and obs.ts - since >= clear_for:
            return replace(moved, open=False, clear_since=None), "clear"
        return moved, None
    return replace(series, breach_since=None, clear_since=None, last_ts=obs.ts), None


def closed_by_person(series: Series) -> Series:
    """A person resolved the alert: the condition's clock starts again, so a condition
    still holding raises a new alert only after `for` once more."""
    return replace(series, open=False, breach_since=None, clear_since=None)
