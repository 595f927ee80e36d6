"""The strengths that decide: when the bottom formwork may come off, and when the concrete
is safe from frost. Each is reached at a time (from the history) or forecast at one (from
the temperature trend). Pure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Literal

Member = Literal["slab", "beam", "cantilever"]  # beam: also arch and shell
Cement = Literal["portland", "slag"]  # portland: also ordinary Portland (P.O)
Curing = Literal["ordinary", "heat_storage", "negative_temperature"]
Status = Literal["reached", "forecast", "not_forecast"]

STRIPPING_SOURCE = "GB 50666-2011 §4.5.2, table 4.5.2 (bottom formwork and its supports)"
FROST_SOURCE = "JGJ/T 104-2011 (critical strength before frost)"


def stripping_pct(member: Member, span_m: float) -> float:
    """The share of the grade's strength the bottom formwork waits for, when the design
    says nothing (GB 50666-2011 §4.5.2, table 4.5.2): slabs up to 2 m 50 %, up to 8 m
    75 %, beyond 100 %; beams, arches and shells up to 8 m 75 %, beyond 100 %;
    cantilevers 100 %."""
    if member == "cantilever":
        return 100.0
    if member == "slab" and span_m <= 2:
        return 50.0
    return 75.0 if span_m <= 8 else 100.0


def critical_frost_mpa(
    grade_mpa: float, cement: Cement, curing: Curing, lowest_air_c: float
) -> float:
    """The strength concrete must reach before it may freeze (JGJ/T 104-2011): 30 % of the
    grade with Portland cement, 40 % with slag and the other blended cements; 4.0 MPa for
    comprehensive heat storage or negative-temperature curing while the lowest air
    temperature stays at -15 °C or above, 5.0 MPa below it."""
    if curing == "ordinary":
        return grade_mpa * (0.30 if cement == "portland" else 0.40)
    return 4.0 if lowest_air_c >= -15 else 5.0


@dataclass(frozen=True, slots=True)
class Milestone:
    target_mpa: float
    at: datetime | None
    status: Status
    source: str


def milestone(
    target_mpa: float, reached_at: datetime | None, forecast_at: datetime | None, source: str
) -> Milestone:
    if reached_at is not None:
        return Milestone(target_mpa, reached_at, "reached", source)
    if forecast_at is not None:
        return Milestone(target_mpa, forecast_at, "forecast", source)
    return Milestone(target_mpa, None, "not_forecast", source)
