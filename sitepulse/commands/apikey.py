"""`sitepulse apikey`: the API's keys."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from core.errors import SitePulseError
from sitepulse.commands.group import Commands, handles

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    keys = commands.add_parser("apikey", help="API keys").add_subparsers(metavar="ACTION")
    create = keys.add_parser("create", help="create a key; it is shown once")
    create.add_argument("--role", choices=["viewer", "manager", "admin"], required=True)
    create.add_argument("--name", required=True, help="who or what uses it")
    handles(create, _create)
    revoke = keys.add_parser("revoke", help="revoke a key by its id")
    revoke.add_argument("id", type=int)
    handles(revoke, _revoke)
    handles(keys.add_parser("list", help="the keys (never the keys themselves)"), _list)


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
