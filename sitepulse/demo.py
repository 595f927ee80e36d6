"""`sitepulse demo`: the local services, the schema, the demo site, ingest and the
simulator; then a live floor-by-floor view from the database until Ctrl-C, and
everything it started stopped."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from contextlib import suppress
from pathlib import Path

from api.keys import create_key, revoke_key
from api.site_status import floor_statuses, open_alerts
from core.db import Connection, connect
from core.errors import SitePulseError
from core.migrate import migrate
from core.settings import Settings
from core.sql import load_queries
from schedules.mapping import Mapping
from schedules.store import apply_schedule, read_schedule, site_frame
from sites.broker_auth import registry_accounts, write_credentials_for
from sites.site_file import load_site_file
from sites.store import apply_site

_Q = load_queries("sitepulse", "demo.sql")
_REPO = Path(__file__).resolve().parent.parent
_SERVICES = _REPO / "deploy/debian/services.sh"


def run_demo(settings: Settings, site_file: Path, speed: float = 60.0, port: int = 8080) -> int:
    started_services = _start_services()
    site = load_site_file(site_file)
    with connect(settings) as conn:
        migrate(conn)
        print(f"site {site.site.id}: {apply_site(conn, site).summary()}")
        schedule_file = _REPO / f"deploy/schedules/{site.site.id}.xml"
        if schedule_file.exists():
            schedule = read_schedule(schedule_file, site_frame(conn, site.site.id), Mapping())
            print(f"schedule: {apply_schedule(conn, site.site.id, schedule).summary()}")
        write_credentials_for(settings, registry_accounts(conn), with_simulator=True)
        board_key, board_secret = create_key(
            conn, "demo board (revoked when the demo ends)", "viewer"
        )
        phone_key, phone_secret = create_key(
            conn, "demo phone (revoked when the demo ends)", "manager"
        )
    # A demo's broker session should not outlive the demo by days, queueing all the while.
    env = {
        **os.environ,
        "SITEPULSE_INGEST_SESSION_EXPIRY_S": "3600",
        # Only this site, in a session of its own: other sites on the same broker (the
        # tests', say) are not the demo's.
        "SITEPULSE_INGEST_SITE_FILTER": site.site.id,
        "SITEPULSE_INGEST_CLIENT_ID": f"sitepulse-demo-{site.site.id}",
        "SITEPULSE_INGEST_GROUP": f"sitepulse-demo-{site.site.id}",
        "SITEPULSE_LOG_LEVEL": "WARNING",  # the board owns the terminal
    }
    command = [sys.executable, "-m", "sitepulse"]
    children = [
        subprocess.Popen([*command, "ingest"], env=env),
        subprocess.Popen(
            [*command, "rules"], env={**env, "SITEPULSE_RULES_SITE_FILTER": site.site.id}
        ),
        subprocess.Popen(
            [*command, "simulate", "--site-file", str(site_file), "--speed", f"{speed:g}"],
            env=env,
            stdout=subprocess.DEVNULL,
        ),
        subprocess.Popen([*command, "api", "--port", str(port)], env=env),
    ]
    api = f"http://127.0.0.1:{port}"
    print(
        "\nSitePulse demo running.\n"
        f"  MQTT:       {settings.mqtt.host}:{settings.mqtt.port}, topics site/{site.site.id}/...\n"
        f"  simulator:  {site.site.id} from 06:30 on site at {speed:g}x until it reaches now\n"
        "  ingest:     running; dead letters: sitepulse deadletters list\n"
        "  rules:      running; alerts: sitepulse alerts list --state open\n"
        "              (notifications: set SITEPULSE_NOTIFY_FILE, see deploy/notify.example.yaml)\n"
        f"  API:        {api}/docs (keys: sitepulse apikey create --role viewer --name ...)\n"
        f"  wall board: {api}/board/{site.site.id}?key={board_secret}\n"
        f"  phone:      {api}/m/{site.site.id}?key={phone_secret}\n"
        "              (a manager key: it acknowledges alerts; it becomes a session cookie)\n"
        "  not built:  Grafana dashboards\n"
        "Ctrl-C stops the demo.\n"
    )
    time.sleep(3)
    try:
        with connect(settings) as conn:
            while all(child.poll() is None for child in children):
                _print_floors(conn, site.site.id)
                time.sleep(2)
    except KeyboardInterrupt:
        pass
    finally:
        for child in children:
            if child.poll() is None:
                child.terminate()
        for child in children:
            child.wait(timeout=60)
        with suppress(SitePulseError), connect(settings) as conn:
            revoke_key(conn, board_key.id)
            revoke_key(conn, phone_key.id)
        if started_services:
            subprocess.run([str(_SERVICES), "stop"], check=False)
    return 0


def _start_services() -> bool:
    """Start the local services if they are not running; True if this call started them."""
    if not _SERVICES.exists() or os.geteuid() != 0:
        return False
    status = subprocess.run([str(_SERVICES), "status"], capture_output=True, text=True, check=False)
    if "stopped" not in status.stdout:
        return False
    subprocess.run([str(_SERVICES), "start"], check=True)
    return True


def _print_floors(conn: Connection, site_id: str) -> None:
    clock = conn.execute(_Q["site_clock"], {"site": site_id}).fetchone()
    types: dict[str, str | None] = dict(
        conn.execute(_Q["task_types"], {"site": site_id}).fetchall()
    )
    lines = [
        f"{'floor':>6} {'workers':>7} {'temp °C':>8} {'RH %':>6} {'sensors':>8}  status   tasks"
    ]
    for floor in floor_statuses(conn, site_id):
        env = floor.environment
        temp = f"{env['temp_c']:8.1f}" if "temp_c" in env else f"{'-':>8}"
        rh = f"{env['rh_pct']:6.0f}" if "rh_pct" in env else f"{'-':>6}"
        total = floor.sensors_online + floor.sensors_offline
        sensors = f"{floor.sensors_online:>4}/{total:<3}"
        n = floor.active_alerts
        alerts = f"{n} alert{'s' if n > 1 else ''}" if n else ""
        tasks = " ".join(str(types.get(t) or "?") for t in floor.active_tasks)
        row = f"{floor.name:>6} {floor.workers_present:>7} {temp} {rh} {sensors}"
        lines.append(f"{row}  {floor.status:<8} {alerts:<9} {tasks}")
    site_time = clock[0] if clock and clock[0] else "no data yet"
    newest = open_alerts(conn, site_id, limit=5)
    header = f"{site_id}   site time {site_time}   newest open alerts below the floors"
    recent = [f"  {a.severity:8} {a.message}" for a in newest] or ["  no open alerts"]
    print("\033[2J\033[H" + header + "\n" + "\n".join([*lines, "", *recent]), flush=True)
