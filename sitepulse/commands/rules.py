"""`sitepulse rules`: the rules service, and the rule packs and notification file it
reads, checked and listed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitepulse.commands.group import Commands, handles

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    rules = commands.add_parser(
        "rules", help="run the rules service (judge readings, raise alerts, notify)"
    )
    rules.add_argument(
        "--no-storage-jobs",
        action="store_true",
        help="do not host the rollup and retention jobs (another process does)",
    )
    handles(rules, _rules)
    actions = rules.add_subparsers(metavar="ACTION")
    check = actions.add_parser("check", help="validate rule pack files")
    check.add_argument("files", type=Path, nargs="+")
    handles(check, _rules_check)
    shown = actions.add_parser("list", help="the rules in force (with a site's overrides)")
    shown.add_argument("--site")
    handles(shown, _rules_list)
    notify = actions.add_parser("check-notify", help="validate a notification file")
    notify.add_argument("file", type=Path)
    handles(notify, _notify_check)


def _rules(args: argparse.Namespace, settings: Settings) -> int:
    from core.logs import setup_logging
    from rules.service import run_rules
    from storage.service import StorageService

    settings.refuse_published_secrets()
    setup_logging(settings.log_level, "rules")
    if args.no_storage_jobs:
        return run_rules(settings)
    # rollups and retention run here too, under advisory locks: any number of rules
    # processes may host them, one runs each job at a time
    return run_rules(settings, StorageService(settings))


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
