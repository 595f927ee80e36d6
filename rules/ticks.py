"""What the clock decides, not a reading: presence (a device gone silent), tasks that
ended and alerts people closed, each second; the concreting regimes every 10 minutes."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from core.db import Connection
from core.runner import Job
from rules.alerts import open_keys
from rules.engine import SiteEngine, Transition
from rules.regimes import hot_days, winter_periods
from rules.sites import Sites
from rules.store import daily_means, device_states, save_regimes

TICK_EVERY_S = 1.0
REGIMES_EVERY_S = 600.0
REGIME_DAYS = 40


class Ticks:
    def __init__(self, sites: Sites) -> None:
        self._sites = sites

    def jobs(self) -> Sequence[Job]:
        return [
            Job("tick", TICK_EVERY_S, self.tick),
            Job("regimes", REGIMES_EVERY_S, self.judge_regimes, first_after_s=0.0),
        ]

    def tick(self, conn: Connection) -> None:
        with self._sites.lock:
            now = datetime.now(UTC)
            for site, engine in self._sites.engines.items():
                engine.sync_open(open_keys(conn, site))
                self._sites.write(conn, engine, engine.presence(device_states(conn, site), now))
                self._sites.write(conn, engine, engine.finish_tasks(now))

    def judge_regimes(self, conn: Connection) -> None:
        with self._sites.lock:
            for engine in self._sites.engines.values():
                self._sites.write(conn, engine, regime_transitions(conn, engine))


def regime_transitions(conn: Connection, engine: SiteEngine) -> list[Transition]:
    """Recompute the site's regimes over the last 40 whole days (site clock), store them,
    and judge whether today is in one."""
    tz = engine.ctx.tz
    today = datetime.now(tz).date()
    since = today - timedelta(days=REGIME_DAYS)
    start = datetime.combine(since, datetime.min.time(), tz)
    end = datetime.combine(today, datetime.min.time(), tz)
    means = daily_means(conn, engine.ctx.site_id, str(tz), start, end)
    periods = [*winter_periods(means), *hot_days(means)]
    save_regimes(conn, engine.ctx.site_id, since, periods)
    return engine.regimes(periods, today, datetime.now(UTC))
