"""`sitepulse alerts`: what a site manager does with alerts from a terminal."""

from __future__ import annotations

import argparse
import getpass
from typing import TYPE_CHECKING

from core.errors import SitePulseError
from sitepulse.commands.group import Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings
    from rules.alerts import PersonAction


def register(commands: Commands) -> None:
    alerts = command_group(commands, "alerts", "alerts")
    listing = action(alerts, "list", "alerts, newest first", _list)
    listing.add_argument("--site")
    listing.add_argument("--state", choices=["active", "acknowledged", "resolved", "open"])
    listing.add_argument("--limit", type=int, default=50)
    for verb, text in (
        ("ack", "acknowledge an alert: someone is on it"),
        ("resolve", "resolve an alert"),
        ("comment", "add a note to an alert's record"),
    ):
        command = action(alerts, verb, text, _act, action=verb)
        command.add_argument("id", type=int)
        command.add_argument("--note", required=verb == "comment")
        command.add_argument("--by", default=None, help="who (default: your login name)")


def _list(args: argparse.Namespace, settings: Settings) -> int:
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


def _act(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from rules.alerts import act

    verbs: dict[str, PersonAction] = {
        "ack": "acknowledge",
        "resolve": "resolve",
        "comment": "comment",
    }
    actor = f"cli:{args.by or getpass.getuser()}"
    with connect(settings) as conn:
        alert = act(conn, args.id, verbs[args.action], actor, args.note)
    if alert is None:
        raise SitePulseError(f"no alert {args.id}")
    print(f"#{alert['id']} {alert['state']}: {alert['title']}")
    return 0
