"""`sitepulse demo`: the whole system on this machine."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sitepulse.commands.group import REPO, Commands, handles

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    demo = commands.add_parser("demo", help="run the whole system on this machine")
    demo.add_argument("--site-file", type=Path, default=REPO / "deploy/sites/demo-tower.yaml")
    handles(demo, _demo)


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from sitepulse.demo import run_demo

    return run_demo(settings, args.site_file)
