"""`sitepulse ingest`: the MQTT to TimescaleDB ingest service."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sitepulse.commands.group import Commands, action

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    ingest = action(commands, "ingest", "run the MQTT to TimescaleDB ingest service", _ingest)
    ingest.add_argument("--client-id", help="default: SITEPULSE_INGEST_CLIENT_ID")


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from core.logs import setup_logging
    from ingest.service import run_ingest

    settings.refuse_published_secrets()
    if args.client_id:
        settings = settings.model_copy(update={"ingest_client_id": args.client_id})
    setup_logging(settings.log_level, "ingest")
    return run_ingest(settings)
