"""What a rule sees: observations, each saying about one subject (a device, a crane pair,
the site) whether the rule's condition holds (breach), whether its clear condition holds,
and the value."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from rules.context import Sample


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


def about_device(
    sample: Sample,
    breach: bool,
    clear: bool,
    value: float | None,
    threshold: float | None = None,
    detail: str = "",
) -> Observation:
    """An observation of the device that sent `sample`, where and when it was."""
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
