"""`sitepulse dashboards`: the Grafana dashboards built, published, and given their
database login."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sitepulse.commands.group import REPO, Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    boards = command_group(commands, "dashboards", "Grafana dashboards")
    build = action(boards, "build", "write dashboards JSON and provisioning files", _build)
    build.add_argument("--out", type=Path, default=REPO / "dashboards")
    publish = action(
        boards, "publish", "push folder, datasource, dashboards and playlist to a Grafana", _publish
    )
    publish.add_argument("--url", required=True, help="e.g. http://grafana:3000")
    publish.add_argument("--token", required=True, help="a service account token (Editor)")
    publish.add_argument(
        "--db-host", default="timescaledb:5432", help="the database as Grafana reaches it"
    )
    publish.add_argument("--db-name", default="sitepulse")
    action(
        boards,
        "db-login",
        "let Grafana's read-only role log in with SITEPULSE_GRAFANA_DB_PASSWORD",
        _db_login,
    )


def _build(args: argparse.Namespace, settings: Settings) -> int:
    from dashboards.build import write_all

    for path in write_all(args.out):
        print(f"wrote {path}")
    return 0


def _publish(args: argparse.Namespace, settings: Settings) -> int:
    from dashboards.publish import DatabaseAccess, publish

    password = settings.grafana_db_password.get_secret_value()
    access = DatabaseAccess(args.db_host, args.db_name, password)
    for line in publish(args.url, args.token, access):
        print(line)
    return 0


def _db_login(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from dashboards.grafana_role import allow_grafana_login

    with connect(settings) as conn:
        allow_grafana_login(conn, settings.grafana_db_password.get_secret_value())
    print("sitepulse_grafana may log in")
    return 0
