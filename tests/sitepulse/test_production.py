"""Outside development (SITEPULSE_ENV=production, as deploy/compose.yaml runs them) the
services refuse to start with a device secret anyone can read, naming the variable."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from sites.broker_auth import SIMULATOR_USER
from tests.conftest import free_port

# Nothing listens there: a service that does not refuse at once finds no database or broker.
NOWHERE = {
    "SITEPULSE_DATABASE_URL": "postgresql://sitepulse:x@127.0.0.1:1/sitepulse",
    "SITEPULSE_MQTT_URL": "mqtt://sitepulse-ingest:x@127.0.0.1:1",
}


def run(tmp_path: Path, *args: str, **env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sitepulse", *args],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
        cwd=tmp_path,
        env={"PATH": os.environ.get("PATH", "/usr/bin"), **NOWHERE, **env},
    )


@pytest.mark.parametrize("command", ["ingest", "rules", "api", "mqtt credentials --no-registry"])
@pytest.mark.parametrize("secret", [None, "sitepulse-dev-device-secret", "change-me-device-secret"])
def test_a_service_refuses_to_start_in_production_with_a_published_device_secret(
    tmp_path: Path, command: str, secret: str | None
) -> None:
    args = command.split()
    if command == "api":
        args += ["--port", str(free_port())]
    if command.startswith("mqtt"):
        args += ["--dir", str(tmp_path / "mqtt")]
    env = {"SITEPULSE_ENV": "production"}
    if secret is not None:
        env["SITEPULSE_DEVICE_SECRET"] = secret
    done = run(tmp_path, *args, **env)
    assert done.returncode == 1, done.stdout + done.stderr
    assert done.stderr.startswith("sitepulse: SITEPULSE_DEVICE_SECRET is unset or a value"), (
        done.stderr
    )
    assert "SITEPULSE_ENV is production" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (tmp_path / "mqtt").exists()


def test_production_with_its_own_secret_provisions_and_never_the_simulator(
    tmp_path: Path,
) -> None:
    env = {"SITEPULSE_ENV": "production", "SITEPULSE_DEVICE_SECRET": "a-long-random-one"}
    directory = tmp_path / "mqtt"
    creds = ("mqtt", "credentials", "--no-registry", "--dir", str(directory))
    done = run(tmp_path, *creds, **env)
    assert done.returncode == 0, done.stderr
    assert (directory / "passwd").read_text().startswith("sitepulse-ingest:")

    refused = run(tmp_path, *creds, "--with-simulator", **env)
    assert refused.returncode == 1
    assert "--with-simulator: SITEPULSE_ENV is production" in refused.stderr
    assert SIMULATOR_USER not in (directory / "passwd").read_text()


def test_development_is_the_default_and_accepts_the_development_secret(tmp_path: Path) -> None:
    directory = tmp_path / "mqtt"
    done = run(
        tmp_path,
        "mqtt",
        "credentials",
        "--no-registry",
        "--dir",
        str(directory),
        "--with-simulator",
    )
    assert done.returncode == 0, done.stderr
    assert SIMULATOR_USER in (directory / "passwd").read_text()


@pytest.mark.parametrize(
    ("variable", "value", "says"),
    [
        ("SITEPULSE_ENV", "prod", "SITEPULSE_ENV: Input should be 'development' or 'production'"),
        ("SITEPULSE_OFFLINE_TIMEOUT_S", '{"crane": "x"}', "SITEPULSE_OFFLINE_TIMEOUT_S_CRANE: "),
        ("SITEPULSE_INGEST_MAX_PAYLOAD_BYTES", "10", "SITEPULSE_INGEST_MAX_PAYLOAD_BYTES: "),
    ],
)
def test_a_bad_setting_is_named_without_a_traceback(
    tmp_path: Path, variable: str, value: str, says: str
) -> None:
    done = run(tmp_path, "ingest", **{variable: value})
    assert done.returncode == 2
    assert says in done.stderr
    assert "Traceback" not in done.stderr


def test_a_day_past_the_calendar_is_refused_naming_it(tmp_path: Path) -> None:
    done = run(tmp_path, "labor", "export", "--site", "x", "--from", "9999-12-31", "-")
    assert (done.returncode, done.stderr) == (
        1,
        "sitepulse: day 9999-12-31 is outside the calendar this can count\n",
    )
