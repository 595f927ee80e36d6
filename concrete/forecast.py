"""Forecasts from a temperature trend: a least-squares line over the last hours of
readings, carried forward for as long as it was measured and then held. When the concrete
will reach a temperature-time factor; when the air will reach frost. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from concrete.maturity import Reading

_HOUR = timedelta(hours=1)
# the forecast looks no further ahead than this
HORIZON = timedelta(days=28)
_STEP = timedelta(minutes=10)


@dataclass(frozen=True, slots=True)
class Trend:
    """temp_c at `at` (the newest reading), changing by slope_c_per_h, measured over `span`."""

    at: datetime
    temp_c: float
    slope_c_per_h: float
    span: timedelta

    def temp_at(self, ts: datetime) -> float:
        ahead = min(max(ts - self.at, timedelta(0)), self.span)
        return self.temp_c + self.slope_c_per_h * (ahead / _HOUR)


def trend(readings: Sequence[Reading], window: timedelta) -> Trend | None:
    """The line through the readings of the last `window`; None without two of them."""
    if not readings:
        return None
    newest = max(r.ts for r in readings)
    recent = [r for r in readings if r.ts >= newest - window]
    if len(recent) < 2:
        return None
    xs = [(r.ts - newest) / _HOUR for r in recent]
    ys = [r.temp_c for r in recent]
    mean_x, mean_y = sum(xs) / len(xs), sum(ys) / len(ys)
    spread = sum((x - mean_x) ** 2 for x in xs)
    if spread == 0:
        return None
    slope = sum((x - mean_x) * (y - mean_y) for x, y in zip(xs, ys, strict=True)) / spread
    span = newest - min(r.ts for r in recent)
    return Trend(newest, mean_y - slope * mean_x, slope, span)


def maturity_reached_at(
    now_degc_h: float, target_degc_h: float, from_ts: datetime, line: Trend, datum_c: float
) -> datetime | None:
    """When the factor, `now_degc_h` at `from_ts`, reaches `target_degc_h` if the concrete
    follows `line`; None if not within the horizon."""
    total, ts = now_degc_h, from_ts
    if total >= target_degc_h:
        return ts
    end = from_ts + HORIZON
    while ts < end:
        rate = max((line.temp_at(ts) + line.temp_at(ts + _STEP)) / 2 - datum_c, 0.0)
        gained = rate * (_STEP / _HOUR)
        if total + gained >= target_degc_h:
            return ts + _STEP * ((target_degc_h - total) / gained)
        total += gained
        ts += _STEP
    return None


def first_at_or_below(line: Trend, limit_c: float, within: timedelta) -> datetime | None:
    """When the line reaches `limit_c` (its newest reading's time if it already has),
    looking no further than `within` past that reading."""
    if line.temp_c <= limit_c:
        return line.at
    if line.slope_c_per_h >= 0:
        return None
    ahead = _HOUR * ((limit_c - line.temp_c) / line.slope_c_per_h)
    return line.at + ahead if ahead <= min(within, line.span) else None
