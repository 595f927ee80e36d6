"""`sitepulse demo`: the whole system on this machine."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import TYPE_CHECKING

from sitepulse.commands.group import REPO, Commands, action

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    demo = action(commands, "demo", "run the whole system on this machine", _demo)
    demo.add_argument("--site-file", type=Path, default=REPO / "deploy/sites/demo-tower.yaml")


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from sitepulse.demo import run_demo

    return run_demo(settings, args.site_file)
