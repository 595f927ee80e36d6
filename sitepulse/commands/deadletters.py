"""`sitepulse deadletters`: the messages ingest refused, listed and replayed."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING

from sitepulse.commands.group import Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    dead = command_group(commands, "deadletters", "refused messages")
    listing = action(dead, "list", "list dead letters, newest first", _list)
    listing.add_argument("--site")
    listing.add_argument("--all", action="store_true", help="include replayed letters")
    listing.add_argument("--limit", type=int, default=50)
    replay = action(dead, "replay", "store the dead letters that now pass", _replay)
    replay.add_argument("--site")


def _list(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from ingest.dead_letters import list_dead_letters

    with connect(settings) as conn:
        letters = list_dead_letters(
            conn, site=args.site, include_replayed=args.all, limit=args.limit
        )
    for letter in letters:
        mark = f" replayed {letter.replayed_at:%Y-%m-%d %H:%M:%S}" if letter.replayed_at else ""
        repeats = f" x{letter.repeats}" if letter.repeats > 1 else ""
        item = f" {letter.item}" if letter.item else ""
        cut = ", kept truncated" if letter.truncated else ""
        print(
            f"#{letter.id} {letter.received_at:%Y-%m-%d %H:%M:%S%z} "
            f"{letter.topic}{item}{repeats}{mark} ({letter.size_bytes} bytes{cut})\n"
            f"    {letter.reason}"
        )
    print(f"{len(letters)} dead letter(s)")
    return 0


def _replay(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from ingest.dead_letters import replay_dead_letters
    from ingest.decode import DecodeLimits

    with connect(settings) as conn:
        result = replay_dead_letters(
            conn, site=args.site, limits=DecodeLimits.from_settings(settings)
        )
    print(
        f"replayed {result.replayed} dead letter(s), {result.readings} reading(s) stored; "
        f"{result.still_failing} still failing"
    )
    for failure in result.failures:
        ids = ", ".join(f"#{i}" for i in failure.ids)
        print(f"  not replayed ({ids}): {failure.reason}")
    return 1 if result.failures else 0
