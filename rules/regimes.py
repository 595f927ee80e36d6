"""Concreting regimes from daily mean air temperatures on the site's clock (GB 50666-2011
§10.1.1-10.1.2, JGJ/T 104-2011): winter concreting starts on the fifth of five days
running with a daily mean below 5 °C and ends on the fifth of five days running above
5 °C; hot-weather concreting holds on a day whose mean is 30 °C or more. Pure."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, timedelta

WINTER_BELOW_C = 5.0
WINTER_DAYS = 5
HOT_FROM_C = 30.0


@dataclass(frozen=True, slots=True)
class Period:
    regime: str  # "winter" or "hot"
    start: date
    end: date | None  # the first day out of it; None: still in it


def winter_periods(daily_mean_c: Mapping[date, float]) -> list[Period]:
    """A day with no data breaks a run (the rule counts days running, measured)."""
    periods: list[Period] = []
    inside = False
    run = 0
    start: date | None = None
    previous: date | None = None
    for day in sorted(daily_mean_c):
        if previous is not None and day - previous != timedelta(days=1):
            run = 0
        previous = day
        mean = daily_mean_c[day]
        counts = mean > WINTER_BELOW_C if inside else mean < WINTER_BELOW_C
        run = run + 1 if counts else 0
        if run == WINTER_DAYS:
            run = 0
            if inside:
                assert start is not None
                periods.append(Period("winter", start, day))
            else:
                start = day
            inside = not inside
    if inside and start is not None:
        periods.append(Period("winter", start, None))
    return periods


def hot_days(daily_mean_c: Mapping[date, float]) -> list[Period]:
    """Consecutive hot days as one period."""
    periods: list[Period] = []
    for day in sorted(daily_mean_c):
        if daily_mean_c[day] < HOT_FROM_C:
            continue
        last = periods[-1] if periods else None
        if last is not None and last.end == day:
            periods[-1] = Period("hot", last.start, day + timedelta(days=1))
        else:
            periods.append(Period("hot", day, day + timedelta(days=1)))
    return periods


def regime_on(periods: list[Period], day: date) -> Period | None:
    for period in periods:
        if period.start <= day and (period.end is None or day < period.end):
            return period
    return None
