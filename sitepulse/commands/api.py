"""`sitepulse api`: the HTTP API."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sitepulse.commands.group import Commands, action

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    api = action(commands, "api", "serve the HTTP API", _api)
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8080)


def _api(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app
    from core.logs import setup_logging

    settings.refuse_published_secrets()
    setup_logging(settings.log_level, "api")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None)
    return 0
