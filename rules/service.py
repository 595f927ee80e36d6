"""`sitepulse rules`: woken by ingest's commits (LISTEN sitepulse_readings) to judge new
readings within milliseconds, and by APScheduler for what time alone decides: presence,
escalation, delivery, reloads. Stops cleanly on SIGTERM."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from types import FrameType
from typing import Any

import psycopg
from apscheduler.schedulers.background import BackgroundScheduler

from core.db import Connection, Pool, connect, create_pool
from core.errors import DatabaseUnavailable, SitePulseError, first_line
from core.lifecycle import run_until_signalled
from core.migrate import check_ready
from core.service_metrics import report
from core.settings import Settings
from core.wire import FUTURE_LIMIT
from rules.alerts import open_keys, retire_alerts, write_transitions
from rules.engine import SiteEngine, Transition
from rules.model import Rule
from rules.notify.config import NotifyConfig, load_notify_config
from rules.notify.deliver import deliver_due
from rules.notify.outbox import dispatch, escalate
from rules.packs import effective_rules, load_rules, pack_files, refused_overrides
from rules.regimes import hot_days, winter_periods
from rules.store import (
    change_marks,
    daily_means,
    device_states,
    load_context,
    overrides,
    read_samples,
    save_regimes,
    site_timezones,
)

log = logging.getLogger(__name__)
READINGS_CHANNEL = "sitepulse_readings"
ALERTS_CHANNEL = "sitepulse_alerts"
# How far a committed range is widened: readings committed in one batch may straddle it.
_SLACK = timedelta(seconds=1)
ExtraJobs = Callable[[BackgroundScheduler], None]


class RulesService:
    def __init__(self, settings: Settings, extra_jobs: ExtraJobs | None = None) -> None:
        self.settings = settings
        self.site_filter = None if settings.rules_site_filter == "+" else settings.rules_site_filter
        self.stopping = threading.Event()
        self.listening = threading.Event()
        self.lock = threading.Lock()  # the engines: live passes and ticks take turns
        self.engines: dict[str, SiteEngine] = {}
        self.rules: dict[str, Rule] = {}
        self.notify = NotifyConfig()
        self._pack_marks: tuple[Any, ...] = ()
        self._notify_mark: float | None = None
        self._db_marks: tuple[Any, ...] = ()
        self._extra_jobs = extra_jobs
        self.counters = {"passes_total": 0, "readings_judged_total": 0, "transitions_total": 0,
                         "delivered_total": 0, "delivery_failures_total": 0,
                         "escalations_total": 0, "pass_seconds_total": 0.0}  # fmt: skip
        self.pool: Pool | None = None
        self.scheduler: BackgroundScheduler | None = None

    def request_stop(self, signum: int = 0, _frame: FrameType | None = None) -> None:
        if not self.stopping.is_set():
            log.info("stopping (signal %s)", signum)
        self.stopping.set()

    # -- life cycle ------------------------------------------------------------------

    def run(self) -> None:
        with connect(self.settings) as conn:
            check_ready(conn)
        self.pool = create_pool(self.settings, min_size=1, max_size=4)
        try:
            with self.pool.connection() as conn:
                self._reload(conn, force=True)
            self.scheduler = self._schedule()
            self.scheduler.start()
            self._listen_loop()
        finally:
            if self.scheduler is not None:
                self.scheduler.shutdown(wait=True)
            self.pool.close()
            log.info("stopped: %s", self.counters)

    def _schedule(self) -> BackgroundScheduler:
        scheduler = BackgroundScheduler(timezone=UTC)
        every = {"coalesce": True, "max_instances": 1, "misfire_grace_time": 30}
        scheduler.add_job(self.tick, "interval", seconds=1, id="tick", **every)
        scheduler.add_job(self.send, "interval", seconds=1, id="send", **every)
        scheduler.add_job(self.escalate, "interval", seconds=5, id="escalate", **every)
        scheduler.add_job(self.report, "interval", seconds=5, id="metrics", **every)
        scheduler.add_job(self.judge_regimes, "interval", minutes=10, id="regimes",
                          next_run_time=datetime.now(UTC), **every)  # fmt: skip
        if self._extra_jobs is not None:
            self._extra_jobs(scheduler)
        return scheduler

    def _listen_loop(self) -> None:
        """Judge what each commit brought, as soon as its NOTIFY arrives. After a lost
        connection, judge everything within the horizon once (nothing is missed)."""
        catch_up = True
        while not self.stopping.is_set():
            try:
                with connect(self.settings) as conn:
                    conn.execute(f"LISTEN {READINGS_CHANNEL}")
                    self.listening.set()
                    log.info("listening for commits on %s", READINGS_CHANNEL)
                    while not self.stopping.is_set():
                        spans = self._wait(conn, catch_up)
                        catch_up = False
                        if spans:
                            self.judge(conn, spans)
            except (psycopg.OperationalError, DatabaseUnavailable) as exc:
                log.warning("database unavailable, retrying: %s", first_line(exc))
                self.listening.clear()
                catch_up = True
                self.stopping.wait(2.0)

    def _wait(self, conn: Connection, catch_up: bool) -> dict[str, tuple[datetime, datetime]]:
        now = datetime.now(UTC)
        horizon = now - timedelta(seconds=self.settings.rules_horizon_s)
        everything = (horizon, now + FUTURE_LIMIT)
        if catch_up:
            return dict.fromkeys(self.engines, everything)
        spans: dict[str, tuple[datetime, datetime]] = {}
        # the first NOTIFY wakes us; those already queued behind it (a batch each) join it
        first = list(conn.notifies(timeout=0.5, stop_after=1))
        if first:
            for note in [*first, *conn.notifies(timeout=0.001)]:
                _merge(spans, note.payload, everything, self.engines)
        return {
            site: (max(lo - _SLACK, horizon), hi + _SLACK)
            for site, (lo, hi) in spans.items()
            if hi >= horizon
        }

    # -- judging ---------------------------------------------------------------------

    def judge(self, conn: Connection, spans: dict[str, tuple[datetime, datetime]]) -> None:
        started = time.perf_counter()
        with self.lock:
            for site, (lo, hi) in spans.items():
                engine = self.engines.get(site)
                if engine is None:
                    continue
                samples = read_samples(conn, site, lo, hi)
                transitions = engine.feed(samples, datetime.now(UTC))
                self.counters["readings_judged_total"] += len(samples)
                self._write(conn, engine, transitions)
        self.counters["passes_total"] += 1
        self.counters["pass_seconds_total"] += time.perf_counter() - started

    def tick(self) -> None:
        """Each second: reload what changed, judge presence, align with people's actions."""
        assert self.pool is not None
        try:
            with self.pool.connection() as conn, self.lock:
                self._reload(conn)
                now = datetime.now(UTC)
                for site, engine in self.engines.items():
                    engine.sync_open(open_keys(conn, site))
                    self._write(conn, engine, engine.presence(device_states(conn, site), now))
                    self._write(conn, engine, engine.finish_tasks(now))
        except (psycopg.Error, SitePulseError) as exc:
            log.warning("tick skipped: %s", first_line(exc))

    def _write(self, conn: Connection, engine: SiteEngine, transitions: list[Transition]) -> None:
        if not transitions:
            return
        flap = timedelta(seconds=self.settings.rules_flap_window_s)
        written = write_transitions(conn, engine.ctx, transitions, flap)
        self.counters["transitions_total"] += len(transitions)
        events = [w for w in written if w.event]
        if events:
            log.info(
                "%s: %s", engine.ctx.site_id,
                ", ".join(f"alert {w.alert_id} {w.event}" for w in events),
            )  # fmt: skip
            if self.scheduler is not None:
                self.scheduler.modify_job("send", next_run_time=datetime.now(UTC))

    def judge_regimes(self) -> None:
        """Winter and hot-weather concreting regimes from the last 40 whole days."""
        assert self.pool is not None
        try:
            with self.pool.connection() as conn, self.lock:
                for engine in self.engines.values():
                    self._write(conn, engine, regime_transitions(conn, engine))
        except (psycopg.Error, SitePulseError) as exc:
            log.warning("regimes skipped: %s", first_line(exc))

    # -- notifications ---------------------------------------------------------------

    def send(self) -> None:
        assert self.pool is not None
        try:
            with self.pool.connection() as conn:
                dispatch(conn, self.notify)
                delivered, failed = deliver_due(
                    conn, self.notify, self.settings.notify_max_attempts
                )
            self.counters["delivered_total"] += delivered
            self.counters["delivery_failures_total"] += failed
        except (psycopg.Error, SitePulseError) as exc:
            log.warning("delivery skipped: %s", first_line(exc))

    def escalate(self) -> None:
        assert self.pool is not None
        try:
            with self.pool.connection() as conn:
                written = escalate(conn, self.notify)
            if written:
                self.counters["escalations_total"] += written
                if self.scheduler is not None:
                    self.scheduler.modify_job("send", next_run_time=datetime.now(UTC))
        except (psycopg.Error, SitePulseError) as exc:
            log.warning("escalation skipped: %s", first_line(exc))

    def report(self) -> None:
        assert self.pool is not None
        instance = f"rules-{self.settings.rules_site_filter}"
        values = {**self.counters, "sites": float(len(self.engines))}
        try:
            with self.pool.connection() as conn:
                report(conn, "rules", instance, values)
        except psycopg.Error as exc:
            log.warning("metrics skipped: %s", first_line(exc))

    # -- configuration -----------------------------------------------------------------

    def _reload(self, conn: Connection, force: bool = False) -> None:
        """Packs, overrides, registry and the notification file, when any changed. A bad
        file is reported and the last good configuration stays in force."""
        packs = pack_files(self.settings.rules_dir)
        pack_marks = tuple((str(p), p.stat().st_mtime_ns) for p in packs)
        # and every 10 minutes: tasks come under way as time passes
        db_marks = (*change_marks(conn), int(time.time() // 600))
        if force or pack_marks != self._pack_marks or db_marks != self._db_marks:
            try:
                self.rules = load_rules(packs)
            except SitePulseError as exc:
                log.error("rule packs not reloaded: %s", exc)  # noqa: TRY400
            self._pack_marks, self._db_marks = pack_marks, db_marks
            self._load_sites(conn)
        notify_mark = _mtime(self.settings.notify_file)
        if force or notify_mark != self._notify_mark:
            self._notify_mark = notify_mark
            try:
                self.notify = load_notify_config(self.settings.notify_file)
                log.info(
                    "notifications: %d channels, %d routes",
                    len(self.notify.channels), len(self.notify.routes),
                )  # fmt: skip
            except SitePulseError as exc:
                log.error("notification file not reloaded: %s", exc)  # noqa: TRY400

    def _load_sites(self, conn: Connection) -> None:
        sites = site_timezones(conn, self.site_filter)
        for site, timezone in sites.items():
            rules = self._site_rules(conn, site)
            ctx = load_context(conn, site, timezone)
            engine = self.engines.get(site)
            if engine is None:
                engine = SiteEngine(ctx, rules, open_keys(conn, site))
                now = datetime.now(UTC)
                history = max(engine.history.values(), default=timedelta(0))
                since = now - history - timedelta(minutes=2)
                # up to the furthest a device's ts may run ahead: those are history too
                engine.remember(read_samples(conn, site, since, now + FUTURE_LIMIT))
                self.engines[site] = engine
                log.info("judging site %s with %d rules", site, len(engine.rules))
            else:
                engine.ctx = ctx
                engine.set_rules(rules)
            retired = retire_alerts(conn, site, list(engine.rules))
            if retired:
                log.info("%s: resolved %d alerts of rules switched off", site, len(retired))
        for gone in set(self.engines) - set(sites):
            del self.engines[gone]

    def _site_rules(self, conn: Connection, site: str) -> dict[str, Rule]:
        patches = overrides(conn, site)
        unknown = set(patches) - set(self.rules)
        if unknown:
            log.warning("%s: overrides of unknown rules ignored: %s", site, sorted(unknown))
        for reason in refused_overrides(self.rules, patches).values():
            log.error("%s: override not applied, the rule runs as shipped: %s", site, reason)
        return effective_rules(self.rules, patches)


def regime_transitions(conn: Connection, engine: SiteEngine) -> list[Transition]:
    """Recompute the site's regimes over the last 40 whole days (site clock), store them,
    and judge whether today is in one."""
    tz = engine.ctx.tz
    today = datetime.now(tz).date()
    since = today - timedelta(days=40)
    start = datetime.combine(since, datetime.min.time(), tz)
    end = datetime.combine(today, datetime.min.time(), tz)
    means = daily_means(conn, engine.ctx.site_id, str(tz), start, end)
    periods = [*winter_periods(means), *hot_days(means)]
    save_regimes(conn, engine.ctx.site_id, since, periods)
    return engine.regimes(periods, today, datetime.now(UTC))


def _merge(
    spans: dict[str, tuple[datetime, datetime]],
    payload: str,
    everything: tuple[datetime, datetime],
    sites: dict[str, SiteEngine],
) -> None:
    """Fold one NOTIFY payload ({site: [lo_ms, hi_ms] or null}, or {}) into `spans`."""
    try:
        found = json.loads(payload) if payload else {}
    except ValueError:
        found = {}
    if not isinstance(found, dict) or not found:
        found = dict.fromkeys(sites)
    for site, span in found.items():
        if isinstance(span, list) and len(span) == 2:
            lo = datetime.fromtimestamp(span[0] / 1000, UTC)
            hi = datetime.fromtimestamp(span[1] / 1000, UTC)
        else:
            lo, hi = everything
        if site in spans:
            lo, hi = min(lo, spans[site][0]), max(hi, spans[site][1])
        spans[site] = (lo, hi)


def _mtime(path: Path | None) -> float | None:
    try:
        return path.stat().st_mtime if path else None
    except OSError:
        return None


def run_rules(settings: Settings, extra_jobs: ExtraJobs | None = None) -> int:
    return run_until_signalled(RulesService(settings, extra_jobs))
