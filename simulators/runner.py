"""`sitepulse simulate`: the simulated site published over MQTT on a simulated clock."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from core.settings import Settings
from simulators.clock import SimClock
from simulators.faults import FaultInjector, FaultRates, FaultReport
from simulators.mqtt_out import Publisher
from simulators.site_sim import SiteSimulation
from sites.site_file import SiteFile

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SimulationRun:
    site: SiteFile
    seed: int
    start: datetime
    duration: timedelta | None  # None: until stopped
    speed: float = 60.0
    faults: FaultRates = FaultRates()  # noqa: RUF009 - frozen, shared safely


def default_start(site: SiteFile, duration: timedelta | None, speed: float) -> datetime:
    """A run with a duration ends about now; an open-ended one starts at 06:30 on site
    (today, or yesterday before then) and catches up with real time."""
    now = datetime.now(UTC)
    if duration is not None:
        return now - duration + duration / speed
    local = now.astimezone(ZoneInfo(site.site.timezone))
    morning = local.replace(hour=6, minute=30, second=0, microsecond=0)
    if morning > local:
        morning -= timedelta(days=1)
    return morning.astimezone(UTC)


def run_simulation(
    settings: Settings, run: SimulationRun, should_stop: Callable[[], bool] | None = None
) -> FaultReport:
    """Publish until the duration is simulated (or `should_stop()` says so)."""
    simulation = SiteSimulation(
        run.site, run.seed, run.start, dropouts_per_device_hour=run.faults.dropout
    )
    faults = FaultInjector(run.faults, run.seed)
    clock = SimClock(run.start, run.speed)
    publisher = Publisher(settings)
    until = run.start + run.duration if run.duration is not None else None
    published = 0
    try:
        while until is None or simulation.t < until:
            if should_stop is not None and should_stop():
                break
            messages = faults.apply(simulation.step(), simulation.t)
            clock.wait_until(simulation.t)
            for message in messages:
                publisher.publish(message.topic, message.payload, retain=message.retain)
            published += len(messages)
            if simulation.t.second == 0 and simulation.t.minute % 10 == 0:
                log.info("simulated %s: %d messages published", simulation.t.isoformat(), published)
        for message in faults.flush():
            publisher.publish(message.topic, message.payload, retain=message.retain)
    finally:
        publisher.close()
    if simulation.dropouts:
        faults.report.injected["dropout"] = simulation.dropouts
    if faults.report.injected:
        log.info("faults injected: %s", dict(faults.report.injected))
    return faults.report
