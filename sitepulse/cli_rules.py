"""`sitepulse rules` and `sitepulse alerts`: the rules service, rule packs, and what a
site manager does with alerts from a terminal."""

from __future__ import annotations

import argparse
import getpass
from pathlib import Path
from typing import Any

from core.errors import SitePulseError
from core.settings import Settings


def add_commands(commands: Any) -> None:
    rules = commands.add_parser(
        "rules", help="run the rules service (judge readings, raise alerts, notify)"
    )
    rules.add_argument(
        "--no-storage-jobs",
        action="store_true",
        help="do not host the rollup and retention jobs (another process does)",
    )
    rules.set_defaults(handler=_rules)
    rules_actions = rules.add_subparsers(metavar="ACTION")
    check = rules_actions.add_parser("check", help="validate rule pack files")
    check.add_argument("files", type=Path, nargs="+")
    check.set_defaults(handler=_rules_check)
    shown = rules_actions.add_parser("list", help="the rules in force (with a site's overrides)")
    shown.add_argument("--site")
    shown.set_defaults(handler=_rules_list)
    notify = rules_actions.add_parser("check-notify", help="validate a notification file")
    notify.add_argument("file", type=Path)
    notify.set_defaults(handler=_notify_check)

    alerts = commands.add_parser("alerts", help="alerts").add_subparsers(metavar="ACTION")
    listing = alerts.add_parser("list", help="alerts, newest first")
    listing.add_argument("--site")
    listing.add_argument("--state", choices=["active", "acknowledged", "resolved", "open"])
    listing.add_argument("--limit", type=int, default=50)
    listing.set_defaults(handler=_alerts_list)
    for action, text in (
        ("ack", "acknowledge an alert: someone is on it"),
        ("resolve", "resolve an alert"),
        ("comment", "add a note to an alert's record"),
    ):
        command = alerts.add_parser(action, help=text)
        command.add_argument("id", type=int)
        command.add_argument("--note", required=action == "comment")
        command.add_argument("--by", default=None, help="who (default: your login name)")
        command.set_defaults(handler=_alerts_act, action=action)


def _rules(args: argparse.Namespace, settings: Settings) -> int:
    from core.logs import setup_logging
    from rules.service import run_rules
    from storage.jobs import add_storage_jobs

    settings.refuse_published_secrets()
    setup_logging(settings.log_level, "rules")
    if args.no_storage_jobs:
        return run_rules(settings)
    # rollups and retention run here too, under advisory locks: any number of rules
    # processes may host them, one runs each job at a time
    return run_rules(settings, lambda scheduler: add_storage_jobs(scheduler, settings))


def _rules_check(args: argparse.Namespace, settings: Settings) -> int:
    from rules.packs import load_rules, pack_files

    files = {p.resolve(): p for p in [*pack_files(settings.rules_dir), *args.files]}
    rules = load_rules(files.values())
    for path in args.files:
        print(f"{path}: ok")
    print(f"{len(rules)} rules in force with the shipped packs")
    return 0


def _rules_list(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from rules.packs import effective_rules, load_rules, pack_files
    from rules.store import overrides

    rules = load_rules(pack_files(settings.rules_dir))
    patches: dict[str, dict[str, Any]] = {}
    if args.site:
        with connect(settings) as conn:
            patches = overrides(conn, args.site)
    for rule in effective_rules(rules, patches).values():
        mark = " (site override)" if rule.id in patches else ""
        state = "" if rule.enabled else " [off]"
        print(f"{rule.id:28} {rule.severity:8} {rule.name}{state}{mark}\n{'':28} {rule.source}")
    return 0


def _notify_check(args: argparse.Namespace, settings: Settings) -> int:
    from rules.notify.config import load_notify_config

    config = load_notify_config(args.file)
    print(f"{args.file}: ok, {len(config.channels)} channels, {len(config.routes)} routes")
    return 0


def _alerts_list(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from rules.alerts import list_alerts

    states = ["active", "acknowledged"] if args.state == "open" else args.state and [args.state]
    with connect(settings) as conn:
        alerts = list_alerts(conn, site=args.site, states=states, limit=args.limit)
    for a in alerts:
        floor = f" floor {a['floor']}" if a["floor"] is not None else ""
        print(
            f"#{a['id']} {a['state']:12} {a['severity']:8} {a['site_id']}{floor} "
            f"{a['raised_at']:%Y-%m-%d %H:%M:%S%z} {a['title']}\n    {a['message']}"
        )
    print(f"{len(alerts)} alert(s)")
    return 0


def _alerts_act(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from rules.alerts import act

    verb = {"ack": "acknowledge", "resolve": "resolve", "comment": "comment"}[args.action]
    actor = f"cli:{args.by or getpass.getuser()}"
    with connect(settings) as conn:
        alert = act(conn, args.id, verb, actor, args.note)  # type: ignore[arg-type]
    if alert is None:
        raise SitePulseError(f"no alert {args.id}")
    print(f"#{alert['id']} {alert['state']}: {alert['title']}")
    return 0
