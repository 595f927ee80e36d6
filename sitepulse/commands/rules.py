"""`sitepulse rules`: the rules service, and the rule packs and notification file it
reads, checked and listed."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sitepulse.commands.group import Commands, action

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    rules = action(
        commands, "rules", "run the rules service (judge readings, raise alerts, notify)", _rules
    )
    rules.add_argument(
        "--no-storage-jobs",
        action="store_true",
        help="do not host the rollup and retention jobs (another process does)",
    )
    actions = rules.add_subparsers(metavar="ACTION")
    check = action(actions, "check", "validate rule pack files", _rules_check)
    check.add_argument("files", type=Path, nargs="+")
    shown = action(actions, "list", "the rules in force (with a site's overrides)", _rules_list)
    shown.add_argument("--site")
    notify = action(actions, "check-notify", "validate a notification file", _notify_check)
    notify.add_argument("file", type=Path)


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
