"""The simulated clock: runs `speed` times faster than the wall clock from `start`, but
never ahead of real time (ingest refuses readings stamped in the future), so a run that
starts in the past catches up and then goes on in real time."""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta


@dataclass
class SimClock:
    start: datetime
    speed: float = 1.0
    cap_at_real_time: bool = True
    _wall0: float = field(default_factory=time.monotonic)

    def now(self) -> datetime:
        sim = self.start + timedelta(seconds=(time.monotonic() - self._wall0) * self.speed)
        if self.cap_at_real_time:
            return min(sim, datetime.now(UTC))
        return sim

    def wait_until(self, sim_time: datetime) -> None:
        """Sleep until the simulated clock reaches `sim_time`."""
        while (ahead := (sim_time - self.now()).total_seconds()) > 0:
            caught_up = self.cap_at_real_time and sim_time > datetime.now(UTC)
            time.sleep(min(ahead if caught_up else ahead / self.speed, 0.5))
