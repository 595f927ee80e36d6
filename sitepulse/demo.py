"""`sitepulse demo`: the local services, the schema, the demo site, ingest; then a live
floor-by-floor view from the database until Ctrl-C, and everything it started stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

from core.broker_auth import DeviceAccount, reload_broker, render_files, write_files
from core.db import Connection, connect
from core.migrate import migrate
from core.settings import Settings
from core.site_file import load_site_file
from core.site_store import apply_site
from core.sql import load_queries

_Q = load_queries("sitepulse", "demo.sql")
_REPO = Path(__file__).resolve().parent.parent


def run_demo(settings: Settings, site_file: Path) -> int:
    services = _REPO / "deploy/debian/services.sh"
    if services.exists() and os.geteuid() == 0:
        subprocess.run([str(services), "start"], check=True)
    site = load_site_file(site_file)
    with connect(settings) as conn:
        migrate(conn)
        print(f"site {site.site.id}: {apply_site(conn, site).summary()}")
        _write_credentials(conn, settings)
    # A demo's broker session should not outlive the demo by days, queueing all the while.
    env = {**os.environ, "SITEPULSE_INGEST_SESSION_EXPIRY_S": "3600"}
    ingest = subprocess.Popen([sys.executable, "-m", "sitepulse", "ingest"], env=env)
    print(
        "\nSitePulse demo running.\n"
        f"  MQTT:      {settings.mqtt.host}:{settings.mqtt.port}, topics site/{site.site.id}/...\n"
        "  ingest:    running (sitepulse ingest)\n"
        "  not built: simulator, rules, API, Grafana dashboards (see README, 'Not yet').\n"
        "  Publish as a device to see it below, e.g.\n"
        f"    mosquitto_pub -p {settings.mqtt.port} -u sitepulse-sim -P $(sitepulse mqtt "
        f"credentials --show sitepulse-sim) -t site/{site.site.id}/env/env-28f-01/telemetry "
        '-m \'{"temp_c": 21.5, "rh_pct": 60}\'\n'
        "Ctrl-C stops the demo.\n"
    )
    try:
        with connect(settings) as conn:
            while ingest.poll() is None:
                _print_floors(conn, site.site.id)
                time.sleep(2)
    except KeyboardInterrupt:
        pass
    finally:
        ingest.terminate()
        ingest.wait(timeout=30)
    return 0


def _write_credentials(conn: Connection, settings: Settings) -> None:
    rows = conn.execute("SELECT id, site_id, kind FROM devices").fetchall()
    endpoint = settings.mqtt
    passwd, acl = render_files(
        secret=settings.device_secret.get_secret_value(),
        ingest_user=endpoint.username or "sitepulse-ingest",
        ingest_password=endpoint.password.get_secret_value() if endpoint.password else "",
        devices=[DeviceAccount(*row) for row in rows],
    )
    write_files(settings.mqtt_dir, passwd, acl)
    reload_broker(settings.mqtt_dir)


def _print_floors(conn: Connection, site_id: str) -> None:
    rows = conn.execute(_Q["floor_status"], {"site": site_id}).fetchall()
    lines = [f"{'floor':>6} {'workers':>7} {'temp °C':>8} {'RH %':>6} {'devices':>8}  status"]
    for name, workers, temp_c, rh_pct, online, offline in rows:
        status = "offline" if offline and not online else ("ok" if online else "-")
        temp = f"{temp_c:8.1f}" if temp_c is not None else f"{'-':>8}"
        rh = f"{rh_pct:6.0f}" if rh_pct is not None else f"{'-':>6}"
        lines.append(
            f"{name:>6} {workers:>7} {temp} {rh} {online:>4}/{online + offline:<3}  {status}"
        )
    print(
        "\033[2J\033[H" + time.strftime("%H:%M:%S ") + site_id + "\n" + "\n".join(lines), flush=True
    )
