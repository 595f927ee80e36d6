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


def command_group(commands: Commands, name: str, about: str) -> Commands:
    """`sitepulse NAME ACTION ...`: the group's actions are added to what this returns."""
    return commands.add_parser(name, help=about).add_subparsers(metavar="ACTION")


def action(
    group: Commands, name: str, about: str, handler: Handler, **defaults: object
) -> argparse.ArgumentParser:
    """A command that runs `handler`; its own arguments are added to what this returns."""
    parser = group.add_parser(name, help=about)
    handles(parser, handler, **defaults)
    return parser
