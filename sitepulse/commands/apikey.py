"""`sitepulse apikey`: the API's keys."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from core.errors import SitePulseError
from sitepulse.commands.group import Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    keys = command_group(commands, "apikey", "API keys")
    create = action(keys, "create", "create a key; it is shown once", _create)
    create.add_argument("--role", choices=["viewer", "manager", "admin"], required=True)
    create.add_argument("--name", required=True, help="who or what uses it")
    revoke = action(keys, "revoke", "revoke a key by its id", _revoke)
    revoke.add_argument("id", type=int)
    action(keys, "list", "the keys (never the keys themselves)", _list)


def _create(args: argparse.Namespace, settings: Settings) -> int:
    from api.keys import create_key
    from core.db import connect

    with connect(settings) as conn:
        key, secret = create_key(conn, args.name, args.role)
    print(f"key #{key.id} ({key.role}) for {key.name}; shown once, keep it safe:\n{secret}")
    return 0


def _revoke(args: argparse.Namespace, settings: Settings) -> int:
    from api.keys import revoke_key
    from core.db import connect

    with connect(settings) as conn:
        if not revoke_key(conn, args.id):
            raise SitePulseError(f"no active key #{args.id}")
    print(f"key #{args.id} revoked")
    return 0


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from api.keys import list_keys
    from core.db import connect

    with connect(settings) as conn:
        for key in list_keys(conn):
            print(key)
    return 0
