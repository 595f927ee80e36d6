"""A pour's concrete as the API, the pages and the rules read it: maturity, strength and
the decisions, for the task (its coldest probe) and for each probe."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel

from concrete.decisions import Status


class GapOut(BaseModel):
    start: datetime
    end: datetime
    hours: float


class ProbeConcrete(BaseModel):
    device: str
    floor: int | None
    zone: str | None
    readings: int
    last_ts: datetime | None
    last_temp_c: float | None
    maturity_degc_h: float
    equivalent_age_h: float
    strength_mpa: float
    strength_pct: float
    # intervals without readings longer than the gap limit: not bridged, no maturity
    gaps: list[GapOut]


class MilestoneOut(BaseModel):
    """A strength the concrete must reach: `at` when it did (reached), or when the
    temperature trend says it will (forecast); neither within 28 days: not_forecast."""

    at: datetime | None
    status: Status
    target_mpa: float
    target_pct: float
    source: str


class StrengthPoint(BaseModel):
    at: datetime
    maturity_degc_h: float
    strength_mpa: float


class NextTask(BaseModel):
    id: str
    name: str
    type: str | None
    floors: list[int]
    planned_start: datetime


class TaskConcrete(BaseModel):
    task: str
    floors: list[int]
    # from the pour's actual start, else its planned one
    since: datetime
    since_source: Literal["actual", "planned"]
    datum_c: float
    gap_limit_h: float
    # the task's values are its coldest probe's (the least maturity)
    probe: str | None
    maturity_degc_h: float
    equivalent_age_h: float
    strength_mpa: float
    strength_pct: float
    grade: str
    grade_source: Literal["task", "site default"]
    calibrated: bool
    stripping_at: MilestoneOut
    frost_safe_at: MilestoneOut
    # when the site's air temperature trend reaches the frost temperature (within the
    # hours the trend was measured over); None: not forecast
    air_frost_at: datetime | None
    # the next task that needs the forms: on the pour's floors, or the formwork above it
    next_task: NextTask | None
    # how many days after the next task's planned start the stripping is forecast
    stripping_late_days: float | None
    probes: list[ProbeConcrete]
    # the coldest probe's strength since the pour, a point an hour (the last of each hour)
    strength_history: list[StrengthPoint]
    computed_at: datetime
