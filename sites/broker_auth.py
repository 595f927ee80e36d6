"""Mosquitto credentials from the registry: a password file (PBKDF2-SHA512, Mosquitto's
`$7$` format) and an ACL that lets each device publish only under its own id."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import signal
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from psycopg.rows import class_row

from core.db import Connection
from core.kinds import DeviceKind
from core.settings import Settings
from core.sql import load_queries

_Q = load_queries("sites", "broker_auth.sql")
INGEST_ACL = ("read site/#",)
# The simulator and the benchmarks publish for many devices over few connections (it may
# write anywhere under site/#): provisioned only on request (`sitepulse mqtt credentials
# --with-simulator`, the demo, deploy/debian/services.sh), never on a production broker.
SIMULATOR_USER = "sitepulse-sim"
_ITERATIONS = 101  # what mosquitto_passwd uses for $7$


@dataclass(frozen=True)
class DeviceAccount:
    id: str
    site_id: str
    kind: DeviceKind


def device_password(secret: str, user: str) -> str:
    digest = hmac.new(secret.encode(), f"mqtt:{user}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest)[:24].decode()


def hash_password(password: str, salt: bytes | None = None) -> str:
    salt = salt if salt is not None else secrets.token_bytes(12)
    key = hashlib.pbkdf2_hmac("sha512", password.encode(), salt, _ITERATIONS)
    return f"$7${_ITERATIONS}${base64.b64encode(salt).decode()}${base64.b64encode(key).decode()}"


def device_acl(account: DeviceAccount) -> list[str]:
    base = f"site/{account.site_id}/{account.kind}/{account.id}"
    return [f"write {base}/telemetry", f"write {base}/status"]


def render_files(
    *,
    secret: str,
    ingest_user: str,
    ingest_password: str,
    devices: Iterable[DeviceAccount],
    with_simulator: bool = False,
) -> tuple[str, str]:
    """The password file and the ACL file, as text; the simulator's account only if asked."""
    passwd = [f"{ingest_user}:{hash_password(ingest_password)}"]
    acl = [
        "# Written by `sitepulse mqtt credentials`; edits are overwritten.",
        f"user {ingest_user}",
        *(f"topic {rule}" for rule in INGEST_ACL),
        "",
    ]
    if with_simulator:
        passwd.append(f"{SIMULATOR_USER}:{hash_password(device_password(secret, SIMULATOR_USER))}")
        acl.extend([f"user {SIMULATOR_USER}", "topic write site/#", ""])
    for account in sorted(devices, key=lambda a: a.id):
        passwd.append(f"{account.id}:{hash_password(device_password(secret, account.id))}")
        acl.append(f"user {account.id}")
        acl.extend(f"topic {rule}" for rule in device_acl(account))
        acl.append("")
    return "\n".join(passwd) + "\n", "\n".join(acl)


def write_files(directory: Path, passwd: str, acl: str) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    for name, text in (("passwd", passwd), ("acl", acl)):
        tmp = directory / f".{name}.tmp"
        tmp.write_text(text, encoding="utf-8")
        tmp.chmod(0o640 if name == "passwd" else 0o644)
        _give_to_broker(tmp)
        tmp.replace(directory / name)


def registry_accounts(conn: Connection) -> list[DeviceAccount]:
    with conn.cursor(row_factory=class_row(DeviceAccount)) as cur:
        return cur.execute(_Q["device_accounts"]).fetchall()


def write_credentials_for(
    settings: Settings,
    devices: Iterable[DeviceAccount],
    directory: Path | None = None,
    *,
    with_simulator: bool = False,
) -> bool:
    """Write both files for these devices and the service accounts of `settings` (the
    simulator's too if asked), then ask the broker to reread them; True if a broker was
    signalled."""
    endpoint = settings.mqtt
    passwd, acl = render_files(
        secret=settings.device_secret.get_secret_value(),
        ingest_user=endpoint.username or "sitepulse-ingest",
        ingest_password=endpoint.password.get_secret_value() if endpoint.password else "",
        devices=devices,
        with_simulator=with_simulator,
    )
    directory = directory or settings.mqtt_dir
    write_files(directory, passwd, acl)
    return reload_broker(directory)


def reload_broker(directory: Path) -> bool:
    """Ask a broker started by deploy/debian/services.sh to reread its files."""
    try:
        pid = int((directory / "mosquitto.pid").read_text().strip())
        os.kill(pid, signal.SIGHUP)
    except (OSError, ValueError):
        return False
    return True


def _give_to_broker(path: Path) -> None:
    import pwd

    try:
        entry = pwd.getpwnam("mosquitto")
    except KeyError:
        return
    if os.geteuid() == 0:
        os.chown(path, entry.pw_uid, entry.pw_gid)
