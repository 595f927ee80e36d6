"""Soak: the simulated demo tower with every fault switched on, through the broker to a
`sitepulse ingest` and a `sitepulse rules` started for it, for a set time; then what the
simulator published against what was stored and dead-lettered (lost must be 0), each
service's memory over the run, and alert latency: from the reading's ts, and from its
receipt by ingest (the faults hold some readings back for seconds, on purpose), to the
alert raised.

    .venv/bin/python -m bench.soak [--minutes 5] [--faults all=0.06] [--local-hour 10]

Faults at twice the demo's rate: the demo runs with dropout=0.03 (per device and hour);
here every fault is on at 0.06 (per telemetry message; dropouts per device and hour).
The simulator runs on the real clock, so that the rules judge its readings live, and the
site is moved to a time zone where it is mid-morning now, so that the cranes lift and the
workers move. Lost = readings the simulator published to be stored that are not, plus
messages it published to be refused that have no dead letter.
Needs the services of deploy/debian/services.sh (it starts them); uses its own database
and site id, and clears the retained statuses it published.
"""

from __future__ import annotations

import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from bench.figures import Option, bench_options, percentile
from bench.scratch import create_scratch, drop_scratch
from core.db import Connection, connect, database_errors
from core.errors import DatabaseUnavailable
from core.kinds import READING_KINDS
from core.settings import Settings
from core.topics import status_topic
from simulators.faults import FaultRates
from simulators.mqtt_out import Publisher
from simulators.runner import SimulationRun, run_simulation
from sites.site_file import SiteFile, load_site_file
from sites.store import apply_site
from tests.ingest_accounting import dead_lettered_messages, sha256
from tests.ingest_process import rss_mb

REPO = Path(__file__).resolve().parent.parent
DB = "sitepulse_soak"
# Alerts of rules that time decides, not a reading: no reading ts to measure from.
TIMED_RULES = ("device.offline",)


def soak_site(site_id: str, local_hour: int) -> SiteFile:
    """The demo tower under its own id, in a time zone where it is `local_hour` now."""
    demo = load_site_file(REPO / "deploy/sites/demo-tower.yaml")
    offset = (local_hour - datetime.now(UTC).hour + 12) % 24 - 12  # -12..11 hours
    zone = "Etc/UTC" if offset == 0 else f"Etc/GMT{-offset:+d}"  # POSIX signs are inverted
    info = demo.site.model_copy(update={"id": site_id, "timezone": zone})
    return demo.model_copy(update={"site": info})


class Services:
    """`sitepulse ingest` and `sitepulse rules` for the soak's site, logging to files."""

    def __init__(self, settings: Settings, site_id: str, run_id: str, logs: Path) -> None:
        env = {
            **os.environ,
            "SITEPULSE_DATABASE_URL": settings.database_url.get_secret_value(),
            "SITEPULSE_MQTT_URL": settings.mqtt_url.get_secret_value(),
            "SITEPULSE_INGEST_CLIENT_ID": run_id,
            "SITEPULSE_INGEST_GROUP": run_id,
            "SITEPULSE_INGEST_SESSION_EXPIRY_S": "300",
            "SITEPULSE_INGEST_SITE_FILTER": site_id,
            "SITEPULSE_RULES_SITE_FILTER": site_id,
            "SITEPULSE_LOG_LEVEL": "INFO",
        }
        self.logs = {name: logs / f"{name}.log" for name in ("ingest", "rules")}
        self.procs = {
            name: subprocess.Popen(
                [sys.executable, "-m", "sitepulse", name],
                env=env,
                stdout=log.open("wb"),
                stderr=subprocess.STDOUT,
                cwd=REPO,
            )
            for name, log in self.logs.items()
        }
        for name, ready in (("ingest", "connected to"), ("rules", "listening for commits")):
            deadline = time.monotonic() + 60
            while ready not in self.logs[name].read_text(errors="replace"):
                if self.procs[name].poll() is not None or time.monotonic() > deadline:
                    msg = f"{name} did not start; see {self.logs[name]}"
                    raise RuntimeError(msg)
                time.sleep(0.1)

    def rss_mb(self) -> dict[str, float]:
        return {name: rss_mb(p.pid) if p.poll() is None else 0.0 for name, p in self.procs.items()}

    def dead(self) -> list[str]:
        return [name for name, proc in self.procs.items() if proc.poll() is not None]

    def stop(self) -> dict[str, int | None]:
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.terminate()
        return {name: proc.wait(60) for name, proc in self.procs.items()}


def stored(conn: Connection, site_id: str) -> tuple[set[tuple[str, int]], int]:
    """(device, ts in ms) of the site's stored readings, and the number of rows."""
    keys: set[tuple[str, int]] = set()
    rows = 0
    for kind in READING_KINDS:
        found = conn.execute(
            f"SELECT device_id, (extract(epoch FROM ts) * 1000)::bigint FROM {kind}_readings"
            " WHERE site_id = %s",
            (site_id,),
        ).fetchall()
        rows += len(found)
        keys.update((str(device), int(ts)) for device, ts in found)
    return keys, rows


Latency = tuple[float, float]  # ms from the reading's ts, ms from its receipt by ingest


def alert_counts(conn: Connection, site_id: str) -> list[tuple[str, int, int, int]]:
    """Per rule: alerts opened, raised again, and distinct subjects."""
    rows = conn.execute(
        "SELECT a.rule_id, count(*) FILTER (WHERE e.kind = 'opened'),"
        " count(*) FILTER (WHERE e.kind = 'reopened'), count(DISTINCT a.subject)"
        " FROM alert_events AS e JOIN alerts AS a ON a.id = e.alert_id"
        " WHERE a.site_id = %s AND e.kind IN ('opened', 'reopened')"
        " GROUP BY a.rule_id ORDER BY a.rule_id",
        (site_id,),
    ).fetchall()
    return [
        (str(rule), int(opened), int(again), int(subjects))
        for rule, opened, again, subjects in rows
    ]


def alert_latencies(conn: Connection, site_id: str) -> list[tuple[str, Latency | None]]:
    """Each time an alert was raised (or raised again): its rule, and how long before
    that the reading that raised it was measured and was received, that reading being
    its device's last received (None for rules that time decides, or no device)."""
    raised = conn.execute(
        "SELECT a.rule_id, a.device_id, d.kind, e.at FROM alert_events AS e"
        " JOIN alerts AS a ON a.id = e.alert_id LEFT JOIN devices AS d ON d.id = a.device_id"
        " WHERE a.site_id = %s AND e.kind IN ('opened', 'reopened')",
        (site_id,),
    ).fetchall()
    out: list[tuple[str, Latency | None]] = []
    for rule, device, kind, at in raised:
        latency = None
        if rule not in TIMED_RULES and kind in READING_KINDS:
            row = conn.execute(
                f"SELECT ts, received_at FROM {kind}_readings WHERE device_id = %s"
                " AND received_at <= %s ORDER BY received_at DESC LIMIT 1",
                (device, at),
            ).fetchone()
            if row is not None:
                latency = (
                    (at - row[0]).total_seconds() * 1000,
                    (at - row[1]).total_seconds() * 1000,
                )
        out.append((str(rule), latency))
    return out


def main() -> int:
    args = bench_options(
        __doc__,
        minutes=5.0,
        faults=Option(FaultRates.parse("all=0.06"), None, FaultRates.parse),
        seed=1,
        local_hour=Option(10, "the site's hour at the start"),
        sample_s=Option(10.0, "memory sampling period"),
    )

    run_id = f"soak-{os.getpid()}"
    site_id = run_id
    settings, conn = create_scratch(
        DB, ingest_group=run_id, ingest_client_id=run_id, ingest_site_filter=site_id
    )
    site = soak_site(site_id, args.local_hour)
    apply_site(conn, site)
    logs = Path(tempfile.mkdtemp(prefix="sitepulse-soak-"))
    services = Services(settings, site_id, run_id, logs)
    memory: list[tuple[float, dict[str, float]]] = []
    stop = threading.Event()
    begun = time.monotonic()

    def sample() -> None:
        me = os.getpid()
        while not stop.wait(args.sample_s):
            memory.append(
                (time.monotonic() - begun, {**services.rss_mb(), "simulator": rss_mb(me)})
            )

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    duration = timedelta(minutes=args.minutes)
    print(
        f"soak: {site.site.id} (the demo tower, {len(site.devices)} devices, {site.site.timezone},"
        f" {args.local_hour}:00 on site) for {args.minutes:g} min on the real clock; faults:"
        f" {args.faults}"
    )
    try:
        run = SimulationRun(site, args.seed, datetime.now(UTC), duration, 1.0, args.faults)
        report = run_simulation(settings, run, lambda: bool(services.dead()))
        published_s = time.monotonic() - begun
        expected_dead = {(topic, sha256(payload)) for topic, payload in report.dead}
        settle = time.monotonic() + 120  # the last batches, the rules' last pass
        while time.monotonic() < settle and not services.dead():
            conn = _alive(conn, settings)
            keys, _ = stored(conn, site_id)
            letters = dead_lettered_messages(conn, site_id)
            if report.readings <= keys and expected_dead <= letters:
                time.sleep(5)
                break
            time.sleep(1)
        conn = _alive(conn, settings)
        keys, rows = stored(conn, site_id)
        letters = dead_lettered_messages(conn, site_id)
        latencies = alert_latencies(conn, site_id)
        counts = alert_counts(conn, site_id)
    finally:
        stop.set()
        sampler.join(5)
        exits = services.stop()
        _clear_statuses(settings, site)
        drop_scratch(settings, conn)

    lost_readings = report.readings - keys
    lost_letters = expected_dead - letters
    print(
        f"machine: {os.cpu_count()} cores; broker, database, ingest, rules and the simulator"
        " share it"
    )
    injected = ", ".join(f"{k}={v}" for k, v in sorted(report.injected.items()))
    print(
        f"published in {published_s:.0f} s: {report.messages:,} telemetry messages;"
        f" faults injected: {injected}"
    )
    print(f"  readings in (to be stored): {len(report.readings):,}")
    print(f"  messages to be refused: {len(expected_dead):,}")
    print(
        f"stored: {len(keys & report.readings):,} readings ({rows:,} rows;"
        f" {len(keys - report.readings)} not published to be stored)"
    )
    print(
        f"dead-lettered: {len(letters & expected_dead):,} messages"
        f" ({len(letters - expected_dead)} not published to be refused)"
    )
    print(f"lost: {len(lost_readings)} readings, {len(lost_letters)} refused messages")
    print(f"services' exit codes: {exits}; logs in {logs}")
    names = ["ingest", "rules", "simulator"]
    print("memory (RSS, MB):  " + "  ".join(f"{name:>9}" for name in names))
    for t, sample_mb in memory:
        print(f"  t={t:5.0f} s        " + "  ".join(f"{sample_mb[n]:9.1f}" for n in names))
    timed = [ms for _, ms in latencies if ms is not None]
    print(f"alerts raised or raised again: {len(latencies)}")
    for rule, opened, again, subjects in counts:
        print(f"  {rule}: {opened} opened, {again} raised again, {subjects} subjects")
    for i, since in enumerate(("reading ts", "received by ingest")):
        values = [ms[i] for ms in timed]
        if values:
            print(
                f"alert latency, {since} -> raised ({len(values)} alerts): p50"
                f" {statistics.median(values):.0f} ms, p99 {percentile(values, 0.99):.0f} ms,"
                f" max {max(values):.0f} ms"
            )
    return 0 if not lost_readings and not lost_letters and not any(exits.values()) else 1


def _alive(conn: Connection, settings: Settings) -> Connection:
    """The soak's own connection, made again if the database was restarted meanwhile."""
    try:
        with database_errors():
            conn.execute("SELECT 1")
    except DatabaseUnavailable:
        conn.close()
        conn = connect(settings)
    return conn


def _clear_statuses(settings: Settings, site: SiteFile) -> None:
    """Retained statuses outlive the run on a shared broker: clear the site's."""
    publisher = Publisher(settings)
    for device in site.devices:
        publisher.publish(status_topic(site.site.id, device.kind, device.id), b"", retain=True)
    publisher.close()


if __name__ == "__main__":
    sys.exit(main())
