"""`sitepulse site`: the site registry, from site files."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sitepulse.commands.group import Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    site = command_group(commands, "site", "the site registry")
    load = action(site, "load", "apply a site file (create or update)", _load)
    load.add_argument("file", type=Path)
    check = action(site, "check", "validate a site file without loading it", _check)
    check.add_argument("file", type=Path)


def _check(args: argparse.Namespace, settings: Settings) -> int:
    from sites.site_file import load_site_file

    site = load_site_file(args.file)
    print(
        f"{args.file}: site {site.site.id}: {len(site.floors)} floors, {len(site.zones)} zones, "
        f"{len(site.cranes)} cranes, {len(site.devices)} devices, {len(site.workers)} workers"
    )
    return 0


def _load(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from core.migrate import check_ready
    from sites.site_file import load_site_file
    from sites.store import apply_site

    site = load_site_file(args.file)
    with connect(settings) as conn:
        check_ready(conn)
        changes = apply_site(conn, site)
    print(f"site {site.site.id}: {changes.summary()}")
    return 0
