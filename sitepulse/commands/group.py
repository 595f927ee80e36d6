"""What a command group is made of: the subcommands it registers into, and the handler
each of its commands runs once the settings are read."""

from __future__ import annotations

import argparse
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeAlias

if TYPE_CHECKING:
    from core.settings import Settings

Commands: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"
Handler: TypeAlias = "Callable[[argparse.Namespace, Settings], int]"
Register: TypeAlias = Callable[[Commands], None]

REPO = Path(__file__).resolve().parents[2]


def handles(parser: argparse.ArgumentParser, handler: Handler, **defaults: object) -> None:
    """`parser`'s command runs `handler`."""
    parser.set_defaults(handler=handler, **defaults)
