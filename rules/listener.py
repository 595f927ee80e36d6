"""Judging on commit: woken by ingest's NOTIFY (LISTEN sitepulse_readings), read just the
range each commit brought and judge it, within milliseconds. After a lost connection,
everything within the horizon is judged once: nothing is missed."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterable
from datetime import UTC, datetime, timedelta

from core.db import Connection, connect, database_errors
from core.errors import DatabaseUnavailable
from core.settings import Settings
from core.wire import FUTURE_LIMIT
from rules.sites import Sites
from rules.store import read_samples

log = logging.getLogger(__name__)
READINGS_CHANNEL = "sitepulse_readings"
RECONNECT_S = 2.0
# How far a committed range is widened: readings committed in one batch may straddle it.
_SLACK = timedelta(seconds=1)
Spans = dict[str, tuple[datetime, datetime]]


class Listener:
    def __init__(self, settings: Settings, sites: Sites) -> None:
        self.settings = settings
        self.listening = threading.Event()
        self._sites = sites

    def run(self, stopping: threading.Event) -> None:
        catch_up = True
        while not stopping.is_set():
            try:
                with database_errors(), connect(self.settings) as conn:
                    conn.execute(f"LISTEN {READINGS_CHANNEL}")
                    self.listening.set()
                    log.info("listening for commits on %s", READINGS_CHANNEL)
                    while not stopping.is_set():
                        spans = self._wait(conn, catch_up)
                        catch_up = False
                        if spans:
                            self.judge(conn, spans)
            except DatabaseUnavailable as exc:
                log.warning("%s; listening again in %.0f s", exc, RECONNECT_S)
                self.listening.clear()
                catch_up = True
                stopping.wait(RECONNECT_S)

    def judge(self, conn: Connection, spans: Spans) -> None:
        started = time.perf_counter()
        counters = self._sites.counters
        with self._sites.lock:
            for site, (lo, hi) in spans.items():
                engine = self._sites.engines.get(site)
                if engine is None:
                    continue
                samples = read_samples(conn, site, lo, hi)
                transitions = engine.feed(samples, datetime.now(UTC))
                counters.readings_judged += len(samples)
                self._sites.write(conn, engine, transitions)
        counters.passes += 1
        counters.pass_seconds += time.perf_counter() - started

    def _wait(self, conn: Connection, catch_up: bool) -> Spans:
        now = datetime.now(UTC)
        horizon = now - timedelta(seconds=self.settings.rules_horizon_s)
        everything = (horizon, now + FUTURE_LIMIT)
        sites = list(self._sites.engines)  # the reloader may add or drop one meanwhile
        if catch_up:
            return dict.fromkeys(sites, everything)
        spans: Spans = {}
        # the first NOTIFY wakes us; those already queued behind it (a batch each) join it
        first = list(conn.notifies(timeout=0.5, stop_after=1))
        if first:
            for note in [*first, *conn.notifies(timeout=0.001)]:
                merge(spans, note.payload, everything, sites)
        return {
            site: (max(lo - _SLACK, horizon), hi + _SLACK)
            for site, (lo, hi) in spans.items()
            if hi >= horizon
        }


def merge(
    spans: Spans, payload: str, everything: tuple[datetime, datetime], sites: Iterable[str]
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
