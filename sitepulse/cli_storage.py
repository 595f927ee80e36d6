"""`sitepulse rollups`, `retention` and `dashboards`: the storage jobs run once, and the
Grafana dashboards built, published, and given their database login."""

from __future__ import annotations

import argparse
from datetime import timedelta
from pathlib import Path
from typing import Any

from core.settings import Settings


def add_commands(commands: Any) -> None:
    rollups = commands.add_parser("rollups", help="reading rollups").add_subparsers(
        metavar="ACTION"
    )
    rollups.add_parser(
        "refresh", help="re-roll the minutes and hours touched since the last refresh"
    ).set_defaults(handler=_rollups_refresh)
    retention = commands.add_parser("retention", help="raw-data retention").add_subparsers(
        metavar="ACTION"
    )
    retention.add_parser(
        "apply", help="drop chunks past SITEPULSE_RETENTION_DAYS; compression where licensed"
    ).set_defaults(handler=_retention_apply)

    boards = commands.add_parser("dashboards", help="Grafana dashboards").add_subparsers(
        metavar="ACTION"
    )
    build = boards.add_parser("build", help="write dashboards JSON and provisioning files")
    build.add_argument(
        "--out", type=Path, default=Path(__file__).resolve().parent.parent / "dashboards"
    )
    build.set_defaults(handler=_dashboards_build)
    publish = boards.add_parser(
        "publish", help="push folder, datasource, dashboards and playlist to a Grafana"
    )
    publish.add_argument("--url", required=True, help="e.g. http://grafana:3000")
    publish.add_argument("--token", required=True, help="a service account token (Editor)")
    publish.add_argument("--db-host", default="timescaledb:5432",
                         help="the database as Grafana reaches it")  # fmt: skip
    publish.add_argument("--db-name", default="sitepulse")
    publish.set_defaults(handler=_dashboards_publish)
    boards.add_parser(
        "db-login", help="let Grafana's read-only role log in with SITEPULSE_GRAFANA_DB_PASSWORD"
    ).set_defaults(handler=_dashboards_db_login)


def _rollups_refresh(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from storage.jobs import ROLLUPS_LOCK, advisory_lock
    from storage.rollups import refresh_rollups

    with connect(settings) as conn, advisory_lock(conn, ROLLUPS_LOCK, wait=True):
        done = refresh_rollups(conn, timedelta(seconds=settings.rollup_overlap_s))
    for source in done:
        print(f"{source.kind}: {source.minutes} minute(s), {source.hours} hour(s) re-rolled "
              f"in {source.elapsed_s:.2f} s")  # fmt: skip
    return 0


def _retention_apply(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from storage.jobs import RETENTION_LOCK, advisory_lock
    from storage.retention import apply_retention

    with connect(settings) as conn, advisory_lock(conn, RETENTION_LOCK, wait=True):
        report = apply_retention(conn, settings)
    for table, chunks in report.dropped.items():
        print(f"{table}: {chunks} chunk(s) dropped")
    print(report.compression)
    return 0


def _dashboards_build(args: argparse.Namespace, settings: Settings) -> int:
    from dashboards.build import write_all

    for path in write_all(args.out):
        print(f"wrote {path}")
    return 0


def _dashboards_publish(args: argparse.Namespace, settings: Settings) -> int:
    from dashboards.publish import DatabaseAccess, publish

    password = settings.grafana_db_password.get_secret_value()
    access = DatabaseAccess(args.db_host, args.db_name, password)
    for line in publish(args.url, args.token, access):
        print(line)
    return 0


def _dashboards_db_login(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from dashboards.grafana_role import allow_grafana_login

    with connect(settings) as conn:
        allow_grafana_login(conn, settings.grafana_db_password.get_secret_value())
    print("sitepulse_grafana may log in")
    return 0
