"""Maturity of concrete from its own temperature history: the Nurse-Saul temperature-time
factor of ASTM C1074, M = sum((Ta - T0) * dt), Ta the mean temperature of each interval
between two readings (a trapezoid over the readings' own timestamps), T0 the datum
temperature, an interval whose mean is below the datum adding nothing; and the equivalent
age at 20 °C, M / (20 - T0). An interval longer than the gap limit is not bridged: it adds
nothing and is reported. Pure."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

REFERENCE_C = 20.0  # the equivalent age is in hours at this temperature
_HOUR = timedelta(hours=1)


@dataclass(frozen=True, slots=True)
class Reading:
    ts: datetime
    temp_c: float


@dataclass(frozen=True, slots=True)
class Gap:
    """An interval without readings longer than the gap limit: no maturity counted in it."""

    start: datetime
    end: datetime

    @property
    def hours(self) -> float:
        return (self.end - self.start) / _HOUR


@dataclass(frozen=True, slots=True)
class Maturity:
    datum_c: float
    since: datetime
    maturity_degc_h: float
    # the temperature-time factor reached at each reading, oldest first
    history: tuple[tuple[datetime, float], ...]
    gaps: tuple[Gap, ...]

    @property
    def equivalent_age_h(self) -> float:
        return equivalent_age_h(self.maturity_degc_h, self.datum_c)

    @property
    def last(self) -> datetime | None:
        return self.history[-1][0] if self.history else None

    def reached_at(self, target_degc_h: float) -> datetime | None:
        """When the factor first reached `target_degc_h`, within the interval where it did."""
        if target_degc_h <= 0:
            return self.since
        before: tuple[datetime, float] | None = None
        for ts, value in self.history:
            if value >= target_degc_h:
                if before is None or value == before[1]:
                    return ts
                share = (target_degc_h - before[1]) / (value - before[1])
                return before[0] + (ts - before[0]) * share
            before = (ts, value)
        return None


def equivalent_age_h(maturity_degc_h: float, datum_c: float) -> float:
    return maturity_degc_h / (REFERENCE_C - datum_c)


def temperature_time_factor(
    readings: Sequence[Reading], datum_c: float, since: datetime, gap_limit: timedelta
) -> Maturity:
    """From `since` (the pour), over the readings at or after it, in time order."""
    ordered = sorted((r for r in readings if r.ts >= since), key=_ts)
    gaps: list[Gap] = []
    history: list[tuple[datetime, float]] = []
    total = 0.0
    if ordered and ordered[0].ts - since > gap_limit:
        gaps.append(Gap(since, ordered[0].ts))
    limit_s = gap_limit.total_seconds()
    previous: Reading | None = None
    for reading in ordered:
        if previous is not None:
            step_s = (reading.ts - previous.ts).total_seconds()
            if step_s > limit_s:
                gaps.append(Gap(previous.ts, reading.ts))
            else:
                above = (previous.temp_c + reading.temp_c) / 2 - datum_c
                if above > 0:
                    total += above * step_s / 3600
        history.append((reading.ts, total))
        previous = reading
    return Maturity(datum_c, since, total, tuple(history), tuple(gaps))


def _ts(reading: Reading) -> datetime:
    return reading.ts
