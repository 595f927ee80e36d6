"""Rules benchmark: how soon after a reading is measured its alert exists, through the
real pipeline (MQTT -> `sitepulse ingest` -> TimescaleDB -> `sitepulse rules`), under a
background load, against the same run's ceiling: the time for the reading itself to be
committed (what the rules cannot beat).

    .venv/bin/python -m bench.rules [--cranes 20] [--seconds 30] [--background-rate 2000]

Each crane alternates, once a second, a reading over the wind limit (the rule's duration
overridden to 0 s for the bench, so each one raises or reopens the alert) and a calm one
(which resolves it). Latency = the alert event's time - the reading's ts.
Needs the services of deploy/debian/services.sh (it starts them); uses its own database.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from bench.figures import bench_options, percentile
from bench.scratch import create_scratch, drop_scratch
from core.db import connect
from core.settings import Settings
from sites.broker_auth import SIMULATOR_USER, device_password
from sites.site_file import SiteFile
from sites.store import apply_site

DB = "sitepulse_bench_rules"
SITE = "bench-rules"


def bench_site(cranes: int) -> SiteFile:
    return SiteFile.model_validate(
        {
            "site": {"id": SITE, "name": "Rules bench", "timezone": "Asia/Shanghai"},
            "floors": [{"level": 1, "name": "1F", "elevation_m": 0.0}],
            # 200 m apart: no anti-collision alerts, only wind
            "cranes": [
                {"id": f"tc-{i:03d}", "x_m": 200.0 * i, "y_m": 0.0, "jib_m": 60.0, "rated_t": 8.0}
                for i in range(cranes)
            ],
            "devices": [
                *({"id": f"tc-{i:03d}", "kind": "crane"} for i in range(cranes)),
                *({"id": f"env-{i:03d}", "kind": "env", "floor": 1} for i in range(50)),
            ],
        }
    )


def client(settings: Settings) -> mqtt.Client:
    c = mqtt.Client(callback_api_version=CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    secret = settings.device_secret.get_secret_value()
    c.username_pw_set(SIMULATOR_USER, device_password(secret, SIMULATOR_USER))
    c.max_inflight_messages_set(1000)
    c.connect(settings.mqtt.host, settings.mqtt.port)
    c.loop_start()
    return c


def background(settings: Settings, rate: float, stop: threading.Event) -> int:
    """Env readings at `rate` msg/s from 50 sensors: load for ingest and rules alike."""
    pub = client(settings)
    sent = 0
    start = time.perf_counter()
    while not stop.is_set():
        due = int((time.perf_counter() - start) * rate)
        while sent < due:
            device = f"env-{sent % 50:03d}"
            payload = json.dumps({"ts": int(time.time() * 1000) - 1 + sent % 2, "temp_c": 20.0})
            pub.publish(f"site/{SITE}/env/{device}/telemetry", payload, qos=1)
            sent += 1
        time.sleep(0.005)
    pub.disconnect()
    pub.loop_stop()
    return sent


def main() -> int:
    args = bench_options(__doc__, cranes=20, seconds=30.0, background_rate=2000.0)

    run_id = f"bench-rules-{os.getpid()}"
    settings, conn = create_scratch(DB)
    apply_site(conn, bench_site(args.cranes))
    conn.execute(
        "INSERT INTO rule_overrides (site_id, rule_id, patch, updated_by)"
        " VALUES (%s, %s, %s, 'bench')",
        (SITE, "crane.wind.stop_lifting", json.dumps({"for": "0s", "clear": {"for": "0s"}})),
    )
    env = {
        **os.environ,
        "SITEPULSE_DATABASE_URL": settings.database_url.get_secret_value(),
        "SITEPULSE_MQTT_URL": settings.mqtt_url.get_secret_value(),
        "SITEPULSE_INGEST_GROUP": run_id,
        "SITEPULSE_INGEST_CLIENT_ID": run_id,
        "SITEPULSE_INGEST_SESSION_EXPIRY_S": "30",
        "SITEPULSE_INGEST_SITE_FILTER": SITE,
        "SITEPULSE_LOG_LEVEL": "WARNING",
    }
    procs = [
        subprocess.Popen([sys.executable, "-m", "sitepulse", service], env=env)
        for service in ("ingest", "rules")
    ]
    listener = connect(settings)
    listener.execute("LISTEN sitepulse_readings")
    committed: dict[float, float] = {}  # wind value -> when the reading was visible
    stop = threading.Event()

    def watch() -> None:
        last = datetime.now(UTC)
        while not stop.is_set():
            if not list(listener.notifies(timeout=0.2, stop_after=1)):
                continue
            seen = time.time()
            rows = listener.execute(
                "SELECT wind_mps, received_at FROM crane_readings WHERE received_at > %s"
                " AND wind_mps > 12",
                (last,),
            ).fetchall()
            for wind, received in rows:
                committed.setdefault(wind, seen)
                last = max(last, received)

    try:
        time.sleep(3)  # both services up and subscribed
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
        loader = threading.Thread(
            target=lambda: print(
                f"  background: {background(settings, args.background_rate, stop):,} env messages"
            ),
            daemon=True,
        )
        loader.start()
        pub = client(settings)
        published: dict[float, float] = {}  # wind value -> its ts (s)
        start = time.perf_counter()
        n = 0
        while time.perf_counter() - start < args.seconds:
            for i in range(args.cranes):
                n += 1
                wind = round(13.0 + n / 10_000, 4)  # each breach its own value
                ts = time.time()
                published[wind] = ts
                topic = f"site/{SITE}/crane/tc-{i:03d}/telemetry"
                pub.publish(topic, json.dumps({"ts": int(ts * 1000), "wind_mps": wind}), qos=1)
                pub.publish(topic, json.dumps({"ts": int(ts * 1000) + 500, "wind_mps": 5.0}), qos=1)
            time.sleep(max(0.0, 1.0 - (time.perf_counter() - start) % 1.0))
        time.sleep(3)
        stop.set()
        loader.join(5)
        raised = conn.execute(
            "SELECT e.value, extract(epoch FROM e.at) FROM alert_events AS e"
            " WHERE e.kind IN ('opened', 'reopened')"
        ).fetchall()
        alert_ms = [(float(at) - published[v]) * 1000 for v, at in raised if v in published]
        commit_ms = [(committed[v] - published[v]) * 1000 for v in published if v in committed]
        print(
            f"machine: {os.cpu_count()} cores; broker, database, ingest, rules and"
            " publishers share it"
        )
        print(
            f"{args.cranes} cranes, a breach and a calm reading each per second,"
            f" {args.seconds:g} s, background {args.background_rate:,.0f} env msg/s"
        )
        print(
            f"breaches published: {len(published):,}; alerts raised or reopened: {len(alert_ms):,}"
        )
        for name, values in (
            ("reading ts -> committed (ceiling)", commit_ms),
            ("reading ts -> alert written", alert_ms),
        ):
            if values:
                p50, p99 = statistics.median(values), percentile(values, 0.99)
                print(f"  {name}: p50 {p50:.0f} ms, p99 {p99:.0f} ms, max {max(values):.0f} ms")
        missing = len(published) - len(alert_ms)
        print(f"  breaches without an alert event: {missing}")
        return 0 if missing == 0 else 1
    finally:
        stop.set()
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(30)
        listener.close()
        drop_scratch(settings, conn)


if __name__ == "__main__":
    sys.exit(main())
