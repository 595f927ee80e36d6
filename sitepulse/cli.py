"""`sitepulse`: the command line, and the composition root that wires the parts."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from collections.abc import Callable, Sequence
from datetime import date, datetime, timedelta
from pathlib import Path

from pydantic import ValidationError

from core.errors import SitePulseError
from core.settings import Settings, get_settings
from simulators.faults import FaultRates
from sitepulse.cli_rules import add_commands as add_rules_commands
from sitepulse.cli_storage import add_commands as add_storage_commands
from sites.site_file import load_site_file

Handler = Callable[[argparse.Namespace, Settings], int]


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    handler: Handler | None = getattr(args, "handler", None)
    if handler is None:
        parser.print_help()
        return 2
    try:
        settings = get_settings()
    except ValidationError as exc:
        # A bad environment variable: name it and say what is wrong, without a traceback.
        for error in exc.errors(include_url=False):
            name = "SITEPULSE_" + "_".join(str(part) for part in error["loc"]).upper()
            print(f"sitepulse: {name}: {error['msg']}", file=sys.stderr)
        return 2
    try:
        return handler(args, settings)
    except SitePulseError as exc:
        print(f"sitepulse: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sitepulse", description=__doc__)
    commands = parser.add_subparsers(metavar="COMMAND")

    db = commands.add_parser("db", help="database schema").add_subparsers(metavar="ACTION")
    db.add_parser("migrate", help="bring the schema to the current version").set_defaults(
        handler=_db_migrate
    )
    db.add_parser(
        "check", help="exit 1 unless TimescaleDB is there and the schema is current"
    ).set_defaults(handler=_db_check)

    site = commands.add_parser("site", help="the site registry").add_subparsers(metavar="ACTION")
    load = site.add_parser("load", help="apply a site file (create or update)")
    load.add_argument("file", type=Path)
    load.set_defaults(handler=_site_load)
    check = site.add_parser("check", help="validate a site file without loading it")
    check.add_argument("file", type=Path)
    check.set_defaults(handler=_site_check)

    mqtt = commands.add_parser("mqtt", help="broker credentials").add_subparsers(metavar="ACTION")
    creds = mqtt.add_parser(
        "credentials", help="write Mosquitto's password and ACL files from the registry"
    )
    creds.add_argument("--dir", type=Path, help="default: SITEPULSE_MQTT_DIR")
    creds.add_argument("--no-registry", action="store_true", help="service users only")
    creds.add_argument("--show", metavar="DEVICE", help="print one device's password and exit")
    creds.add_argument(
        "--with-simulator",
        action="store_true",
        help="also the simulator's account (may publish anywhere under site/#): development "
        "and benchmarks only",
    )
    creds.set_defaults(handler=_mqtt_credentials)

    ingest = commands.add_parser("ingest", help="run the MQTT to TimescaleDB ingest service")
    ingest.add_argument("--client-id", help="default: SITEPULSE_INGEST_CLIENT_ID")
    ingest.set_defaults(handler=_ingest)

    add_rules_commands(commands)

    api = commands.add_parser("api", help="serve the HTTP API")
    api.add_argument("--host", default="127.0.0.1")
    api.add_argument("--port", type=int, default=8080)
    api.set_defaults(handler=_api)

    keys = commands.add_parser("apikey", help="API keys").add_subparsers(metavar="ACTION")
    key_create = keys.add_parser("create", help="create a key; it is shown once")
    key_create.add_argument("--role", choices=["viewer", "manager", "admin"], required=True)
    key_create.add_argument("--name", required=True, help="who or what uses it")
    key_create.set_defaults(handler=_apikey_create)
    key_revoke = keys.add_parser("revoke", help="revoke a key by its id")
    key_revoke.add_argument("id", type=int)
    key_revoke.set_defaults(handler=_apikey_revoke)
    keys.add_parser("list", help="the keys (never the keys themselves)").set_defaults(
        handler=_apikey_list
    )

    dead = commands.add_parser("deadletters", help="refused messages").add_subparsers(
        metavar="ACTION"
    )
    dl_list = dead.add_parser("list", help="list dead letters, newest first")
    dl_list.add_argument("--site")
    dl_list.add_argument("--all", action="store_true", help="include replayed letters")
    dl_list.add_argument("--limit", type=int, default=50)
    dl_list.set_defaults(handler=_deadletters_list)
    dl_replay = dead.add_parser("replay", help="store the dead letters that now pass")
    dl_replay.add_argument("--site")
    dl_replay.set_defaults(handler=_deadletters_replay)

    sim = commands.add_parser("simulate", help="publish a simulated site over MQTT")
    sim.add_argument("--site-file", type=Path, default=_repo_file("deploy/sites/demo-tower.yaml"))
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
    sim.add_argument("--faults", type=FaultRates.parse, default=FaultRates(dropout=0.03),
                     help="e.g. duplicate=0.01,malformed=0.005 or all=0.01; default: "
                     "dropout=0.03 (per device and hour), nothing else")  # fmt: skip
    sim.add_argument("--load", type=int, metavar="MESSAGES",
                     help="load mode: publish this many messages as fast as possible (or --rate)"
                     " for a plain load site, registered first")  # fmt: skip
    sim.add_argument("--mode", choices=["single", "gateway"], default="single")
    sim.add_argument("--rate", type=float, default=0.0, help="load mode: messages/s in all")
    sim.add_argument("--procs", type=int, default=2, help="load mode: publisher processes")
    sim.add_argument("--load-site", default="load", help="load mode: the site id to use")
    sim.set_defaults(handler=_simulate)

    _schedule_commands(commands)
    add_storage_commands(commands)

    demo = commands.add_parser("demo", help="run the whole system on this machine")
    demo.add_argument("--site-file", type=Path, default=_repo_file("deploy/sites/demo-tower.yaml"))
    demo.set_defaults(handler=_demo)
    return parser


def _repo_file(relative: str) -> Path:
    return Path(__file__).resolve().parent.parent / relative


def _db_migrate(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from core.migrate import migrate

    with connect(settings) as conn:
        applied = migrate(conn)
    for migration in applied:
        print(f"applied {migration.version:04d}_{migration.name}")
    print("schema is current" if not applied else f"{len(applied)} migration(s) applied")
    return 0


def _db_check(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from core.migrate import check_ready

    with connect(settings) as conn:
        check_ready(conn)
    print("database ready")
    return 0


def _site_check(args: argparse.Namespace, settings: Settings) -> int:
    from sites.site_file import load_site_file

    site = load_site_file(args.file)
    print(
        f"{args.file}: site {site.site.id}: {len(site.floors)} floors, {len(site.zones)} zones, "
        f"{len(site.cranes)} cranes, {len(site.devices)} devices, {len(site.workers)} workers"
    )
    return 0


def _site_load(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from core.migrate import check_ready
    from sites.site_file import load_site_file
    from sites.store import apply_site

    site = load_site_file(args.file)
    with connect(settings) as conn:
        check_ready(conn)
        changes = apply_site(conn, site)
    print(f"site {site.site.id}: {changes.summary()}")
    return 0


def _mqtt_credentials(args: argparse.Namespace, settings: Settings) -> int:
    from sites import broker_auth

    settings.refuse_published_secrets()
    if args.with_simulator and settings.env != "development":
        msg = (
            f"--with-simulator: SITEPULSE_ENV is {settings.env}; the simulator's account may "
            "publish for any device, so it is provisioned in development only"
        )
        raise SitePulseError(msg)
    secret = settings.device_secret.get_secret_value()
    if args.show:
        print(broker_auth.device_password(secret, args.show))
        return 0
    accounts: list[broker_auth.DeviceAccount] = []
    if not args.no_registry:
        from core.db import connect

        with connect(settings) as conn:
            accounts = broker_auth.registry_accounts(conn)
    directory = args.dir or settings.mqtt_dir
    reloaded = broker_auth.write_credentials_for(
        settings, accounts, directory, with_simulator=args.with_simulator
    )
    print(
        f"wrote {directory}/passwd and {directory}/acl for {len(accounts)} devices"
        + (f" and {broker_auth.SIMULATOR_USER}" if args.with_simulator else "")
        + ("; broker reloaded" if reloaded else "")
    )
    return 0


def _ingest(args: argparse.Namespace, settings: Settings) -> int:
    from core.logs import setup_logging
    from ingest.service import run_ingest

    settings.refuse_published_secrets()
    if args.client_id:
        settings = settings.model_copy(update={"ingest_client_id": args.client_id})
    setup_logging(settings.log_level, "ingest")
    return run_ingest(settings)


def _api(args: argparse.Namespace, settings: Settings) -> int:
    import uvicorn

    from api.app import create_app
    from core.logs import setup_logging

    settings.refuse_published_secrets()
    setup_logging(settings.log_level, "api")
    uvicorn.run(create_app(settings), host=args.host, port=args.port, log_config=None)
    return 0


def _apikey_create(args: argparse.Namespace, settings: Settings) -> int:
    from api.keys import create_key
    from core.db import connect

    with connect(settings) as conn:
        key, secret = create_key(conn, args.name, args.role)
    print(f"key #{key.id} ({key.role}) for {key.name}; shown once, keep it safe:\n{secret}")
    return 0


def _apikey_revoke(args: argparse.Namespace, settings: Settings) -> int:
    from api.keys import revoke_key
    from core.db import connect

    with connect(settings) as conn:
        if not revoke_key(conn, args.id):
            raise SitePulseError(f"no active key #{args.id}")
    print(f"key #{args.id} revoked")
    return 0


def _apikey_list(args: argparse.Namespace, settings: Settings) -> int:
    from api.keys import list_keys
    from core.db import connect

    with connect(settings) as conn:
        for key in list_keys(conn):
            print(key)
    return 0


def _deadletters_list(args: argparse.Namespace, settings: Settings) -> int:
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


def _deadletters_replay(args: argparse.Namespace, settings: Settings) -> int:
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
    print(f"published {args.load} {args.mode} messages ({readings} readings) in {elapsed:.1f} s:"
          f" {args.load / elapsed:,.0f} msg/s")  # fmt: skip
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from sitepulse.demo import run_demo

    return run_demo(settings, args.site_file)


# --- schedules and labour hours -----------------------------------------------------------


def _schedule_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    schedule = commands.add_parser("schedule", help="a site's schedule").add_subparsers(
        metavar="ACTION"
    )
    imp = schedule.add_parser(
        "import", help="import tasks from CSV, Microsoft Project XML or Primavera P6 XER"
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--site", help="default: the only site in the database")
    imp.add_argument("--mapping", type=Path, help="YAML: how tasks map to floors, zones, types")
    imp.set_defaults(handler=_schedule_import)

    labor = commands.add_parser("labor", help="labour hours").add_subparsers(metavar="ACTION")
    export = labor.add_parser(
        "export", help="hours per worker, trade, floor and task per day, as CSV"
    )
    export.add_argument("file", type=Path, help="the CSV to write ('-' for stdout)")
    export.add_argument("--site", help="default: the only site in the database")
    export.add_argument("--from", dest="from_", type=date.fromisoformat, required=True,
                        help="first day (site's clock), e.g. 2026-11-23")  # fmt: skip
    export.add_argument("--to", type=date.fromisoformat, help="last day; default: --from")
    export.set_defaults(handler=_labor_export)


def _schedule_import(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from core.migrate import check_ready
    from schedules.mapping import load_mapping
    from schedules.store import apply_schedule, only_site, read_schedule, site_frame

    mapping = load_mapping(args.mapping)
    with connect(settings) as conn:
        check_ready(conn)
        site = args.site or only_site(conn)
        progress = _Progress()
        schedule = read_schedule(args.file, site_frame(conn, site), mapping, progress)
        changes = apply_schedule(conn, site, schedule, progress)
        progress.done()
    for task_id, missing in schedule.unmapped.items():
        task = next(t for t in schedule.tasks if t.id == task_id)
        print(f"unmapped: {task_id} {task.name!r}: no {' and no '.join(missing)}")
    unmapped = f", {len(schedule.unmapped)} unmapped" if schedule.unmapped else ""
    print(f"site {site}: {args.file.name} ({schedule.source_format}): {changes.summary()}"
          f"{unmapped}")  # fmt: skip
    return 0


def _labor_export(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from labor.hours import check_day, task_hours, write_hours_csv
    from schedules.store import only_site

    last = args.to or args.from_
    if last < args.from_:
        raise SitePulseError(f"--to {last} is before --from {args.from_}")
    check_day(args.from_)
    check_day(last)
    with connect(settings) as conn:
        site = args.site or only_site(conn)
        rows = [
            row
            for n in range((last - args.from_).days + 1)
            for row in task_hours(conn, site, args.from_ + timedelta(days=n))
        ]
    if str(args.file) == "-":
        write_hours_csv(rows, sys.stdout)
    else:
        with args.file.open("w", encoding="utf-8", newline="") as out:
            write_hours_csv(rows, out)
        print(f"site {site}: {len(rows)} rows, {sum(r.hours for r in rows):.2f} hours "
              f"written to {args.file}")  # fmt: skip
    return 0


class _Progress:
    """Counts on stderr for files long enough to make someone wait."""

    def __init__(self, every: int = 1000) -> None:
        self.every = every
        self.shown = False

    def __call__(self, what: str, count: int) -> None:
        if count >= self.every:
            print(f"\r{what} {count} tasks", end="", file=sys.stderr, flush=True)
            self.shown = True

    def done(self) -> None:
        if self.shown:
            print(file=sys.stderr)
