"""`sitepulse mqtt`: the broker's password and ACL files, from the registry."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import SitePulseError
from sitepulse.commands.group import Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    mqtt = command_group(commands, "mqtt", "broker credentials")
    creds = action(
        mqtt,
        "credentials",
        "write Mosquitto's password and ACL files from the registry",
        _credentials,
    )
    creds.add_argument("--dir", type=Path, help="default: SITEPULSE_MQTT_DIR")
    creds.add_argument("--no-registry", action="store_true", help="service users only")
    creds.add_argument("--show", metavar="DEVICE", help="print one device's password and exit")
    creds.add_argument(
        "--with-simulator",
        action="store_true",
        help="also the simulator's account (may publish anywhere under site/#): development "
        "and benchmarks only",
    )


def _credentials(args: argparse.Namespace, settings: Settings) -> int:
    from sites import broker_auth

    settings.refuse_published_secrets()
    if args.with_simulator and settings.env != "development":
        msg = (
            f"--with-simulator: SITEPULSE_ENV is {settings.env}; the simulator's account may "
            "publish for any device, so it is provisioned in development only"
        )
        raise SitePulseError(msg)
    secret = settings.device_secret.get_secret_value()
    if args.show:
        print(broker_auth.device_password(secret, args.show))
        return 0
    accounts: list[broker_auth.DeviceAccount] = []
    if not args.no_registry:
        from core.db import connect

        with connect(settings) as conn:
            accounts = broker_auth.registry_accounts(conn)
    directory = args.dir or settings.mqtt_dir
    reloaded = broker_auth.write_credentials_for(
        settings, accounts, directory, with_simulator=args.with_simulator
    )
    print(
        f"wrote {directory}/passwd and {directory}/acl for {len(accounts)} devices"
        + (f" and {broker_auth.SIMULATOR_USER}" if args.with_simulator else "")
        + ("; broker reloaded" if reloaded else "")
    )
    return 0
