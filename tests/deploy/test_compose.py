"""deploy/compose.yaml validates with docker compose v2 (`config` needs no engine; setup.sh
installs the binary from Debian trixie's package) and has the shape the README promises."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.helpers import REPO

SECRETS = {
    "SITEPULSE_DB_PASSWORD": "db-secret",
    "SITEPULSE_GRAFANA_DB_PASSWORD": "grafana-db-secret",
    "SITEPULSE_DEVICE_SECRET": "device-secret",
    "SITEPULSE_INGEST_MQTT_PASSWORD": "ingest-secret",
    "GRAFANA_ADMIN_PASSWORD": "admin-secret",
}


def compose_binary() -> str:
    state = Path(os.environ.get("SITEPULSE_STATE_DIR", "/var/lib/sitepulse"))
    for candidate in (shutil.which("docker-compose"), str(state / "tools/bin/docker-compose")):
        if candidate and Path(candidate).is_file():
            version = subprocess.run([candidate, "version"], capture_output=True, text=True)
            if version.returncode == 0 and re.search(r"version v?2\.", version.stdout):
                return candidate
    pytest.fail("docker-compose v2 is missing: run deploy/debian/setup.sh", pytrace=False)


def compose_config(env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [compose_binary(), "-f", str(REPO / "deploy/compose.yaml"), "config", "--format", "json"],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", **env},
        check=False,
    )


def test_compose_file_validates_and_has_the_single_machine_shape() -> None:
    done = compose_config(SECRETS)
    assert done.returncode == 0, done.stderr
    config: dict[str, Any] = json.loads(done.stdout)
    services = config["services"]
    assert set(services) == {
        "timescaledb",
        "setup",
        "mosquitto",
        "ingest-1",
        "ingest-2",
        "rules",
        "api",
        "grafana",
    }
    assert services["timescaledb"]["image"].startswith("timescale/timescaledb:")

    ingest = [services["ingest-1"], services["ingest-2"]]
    assert {s["environment"]["SITEPULSE_INGEST_GROUP"] for s in ingest} == {"sitepulse-ingest"}
    assert len({s["environment"]["SITEPULSE_INGEST_CLIENT_ID"] for s in ingest}) == 2
    assert all(s["command"] == ["ingest"] for s in ingest)
    # production: a published device secret (the development default) is refused
    ours = [services[name] for name in ("setup", "ingest-1", "ingest-2", "rules", "api")]
    assert {s["environment"]["SITEPULSE_ENV"] for s in ours} == {"production"}
    assert "--with-simulator" not in services["setup"]["command"][0]

    mosquitto = {v["target"]: v for v in services["mosquitto"]["volumes"]}
    assert "/mosquitto/data" in mosquitto  # persistence
    assert "/mosquitto/auth" in mosquitto  # password file and ACL written by setup
    assert {p["target"] for p in services["mosquitto"]["ports"]} == {1883, 8883}
    conf = (REPO / "deploy/mosquitto/mosquitto.conf").read_text()
    for line in (
        "persistence true",
        "allow_anonymous false",
        "password_file",
        "acl_file",
        "include_dir /mosquitto/config/conf.d",
    ):
        assert line in conf
    assert "listener 8883" in (REPO / "deploy/mosquitto/conf.d/tls.conf.example").read_text()

    grafana = {v["target"]: v["source"] for v in services["grafana"]["volumes"] if "source" in v}
    assert grafana["/etc/grafana/provisioning/datasources"] == str(
        REPO / "dashboards/provisioning/datasources"
    )
    assert grafana["/var/lib/grafana/dashboards/sitepulse"] == str(REPO / "dashboards/json")
    assert "dashboards db-login" in services["setup"]["command"][0]


def test_compose_refuses_to_start_without_the_secrets() -> None:
    done = compose_config({})
    assert done.returncode != 0
    assert "set it in deploy/.env" in done.stderr
