"""`sitepulse simulate`: a simulated site published over MQTT, or a load of messages as
fast as the broker takes them."""

from __future__ import annotations

import argparse
import signal
import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from core.errors import SitePulseError
from sitepulse.commands.group import REPO, Commands, action

if TYPE_CHECKING:
    from core.settings import Settings
    from simulators.faults import FaultRates


def register(commands: Commands) -> None:
    sim = action(commands, "simulate", "publish a simulated site over MQTT", _simulate)
    sim.add_argument("--site-file", type=Path, default=REPO / "deploy/sites/demo-tower.yaml")
    sim.add_argument("--seed", type=int, default=1)
    sim.add_argument("--speed", type=float, default=60.0, help="simulated seconds per second")
    sim.add_argument(
        "--duration", type=_duration, help="e.g. 90s, 10m, 8h, 2d; default: until stopped"
    )
    sim.add_argument(
        "--start",
        type=datetime.fromisoformat,
        help="simulated start (ISO 8601 with offset); default: so that a run with --duration "
        "ends now, else 06:30 today on site",
    )
    sim.add_argument(
        "--faults",
        type=parse,
        default="dropout=0.03",
        help="e.g. duplicate=0.01,malformed=0.005 or all=0.01; default: "
        "dropout=0.03 (per device and hour), nothing else",
    )
    sim.add_argument(
        "--load",
        type=int,
        metavar="MESSAGES",
        help="load mode: publish this many messages as fast as possible (or --rate)"
        " for a plain load site, registered first",
    )
    sim.add_argument("--mode", choices=["single", "gateway"], default="single")
    sim.add_argument("--rate", type=float, default=0.0, help="load mode: messages/s in all")
    sim.add_argument("--procs", type=int, default=2, help="load mode: publisher processes")
    sim.add_argument("--load-site", default="load", help="load mode: the site id to use")


def parse(text: str) -> FaultRates:
    """`FaultRates.parse`, its module imported only when a simulation is asked for. The
    name is argparse's in a refusal: `argument --faults: invalid parse value: 'x'`."""
    from simulators.faults import FaultRates

    return FaultRates.parse(text)


def _duration(text: str) -> timedelta:
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400}
    try:
        return timedelta(seconds=float(text[:-1]) * units[text[-1]])
    except (KeyError, ValueError, IndexError):
        msg = f"duration {text!r} is not a number followed by s, m, h or d (e.g. 10m)"
        raise argparse.ArgumentTypeError(msg) from None


def _simulate(args: argparse.Namespace, settings: Settings) -> int:
    from core.logs import setup_logging
    from simulators.runner import SimulationRun, default_start, run_simulation
    from sites.site_file import load_site_file

    setup_logging(settings.log_level, "simulate")
    if args.load is not None:
        return _load(args, settings)
    site = load_site_file(args.site_file)
    start = args.start or default_start(site, args.duration, args.speed)
    if start.tzinfo is None:
        raise SitePulseError(f"--start {args.start} needs a UTC offset (e.g. +08:00)")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    print(
        f"simulating {site.site.id} from {start.isoformat()} at {args.speed:g}x (seed {args.seed})"
    )
    run = SimulationRun(site, args.seed, start, args.duration, args.speed, args.faults)
    report = run_simulation(settings, run, stop.is_set)
    print(f"published {report.messages} telemetry messages")
    if report.injected:
        print(
            "faults injected: " + ", ".join(f"{k}={v}" for k, v in sorted(report.injected.items()))
        )
    return 0


def _load(args: argparse.Namespace, settings: Settings) -> int:
    import time

    from core.db import connect
    from simulators.load import TAGS_PER_GATEWAY, load_site, run_publishers
    from sites.store import apply_site

    with connect(settings) as conn:
        apply_site(conn, load_site(args.load_site))
    begun = time.perf_counter()
    run_publishers(settings, args.load_site, args.mode, args.load, args.procs, args.rate)
    elapsed = time.perf_counter() - begun
    readings = args.load * (TAGS_PER_GATEWAY if args.mode == "gateway" else 1)
    print(
        f"published {args.load} {args.mode} messages ({readings} readings) in {elapsed:.1f} s:"
        f" {args.load / elapsed:,.0f} msg/s"
    )
    return 0
