"""`sitepulse mqtt credentials` from the registry: devices and the ingest account, and the
simulator's account (which may publish anywhere under site/#) only when asked."""

from __future__ import annotations

from pathlib import Path

from core.settings import Settings
from sites.broker_auth import SIMULATOR_USER
from sites.site_file import SiteFile
from tests.helpers import sitepulse


def _users(directory: Path) -> tuple[set[str], str]:
    passwd = (directory / "passwd").read_text(encoding="utf-8")
    acl = (directory / "acl").read_text(encoding="utf-8")
    return {line.split(":", 1)[0] for line in passwd.splitlines()}, acl


def test_the_simulator_account_is_provisioned_only_with_the_option(
    settings: Settings, loaded_site: SiteFile, tmp_path: Path
) -> None:
    devices = {device.id for device in loaded_site.devices}
    production = tmp_path / "production"
    done = sitepulse(settings, "mqtt", "credentials", "--dir", str(production))
    assert f"for {len(devices)} devices" in done.stdout
    users, acl = _users(production)
    assert users == {"sitepulse-ingest", *devices}
    assert SIMULATOR_USER not in acl
    assert "topic write site/#" not in acl

    development = tmp_path / "development"
    done = sitepulse(settings, "mqtt", "credentials", "--dir", str(development), "--with-simulator")
    assert f"and {SIMULATOR_USER}" in done.stdout
    users, acl = _users(development)
    assert users == {"sitepulse-ingest", SIMULATOR_USER, *devices}
    assert f"user {SIMULATOR_USER}\ntopic write site/#\n" in acl
