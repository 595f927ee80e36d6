"""`sitepulse schedule`: a site's schedule, imported from CSV, Microsoft Project XML or
Primavera P6 XER."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from sitepulse.commands.group import Commands, action, command_group

if TYPE_CHECKING:
    from core.settings import Settings


def register(commands: Commands) -> None:
    schedule = command_group(commands, "schedule", "a site's schedule")
    imp = action(
        schedule,
        "import",
        "import tasks from CSV, Microsoft Project XML or Primavera P6 XER",
        _import,
    )
    imp.add_argument("file", type=Path)
    imp.add_argument("--site", help="default: the only site in the database")
    imp.add_argument("--mapping", type=Path, help="YAML: how tasks map to floors, zones, types")
    imp.add_argument(
        "--strict",
        action="store_true",
        help="refuse the file if a task names a floor the site does not have "
        "(default: import the task without it and report it)",
    )
    imp.add_argument(
        "--id-prefix",
        default="",
        help="put before each task id, {project} being the task's project: keeps apart "
        "projects whose ids clash (e.g. two Microsoft Project files)",
    )
    projects = action(schedule, "projects", "a site's schedules, one per project", _projects)
    projects.add_argument("--site", help="default: the only site in the database")


def _projects(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from core.migrate import check_ready
    from schedules.store import only_site, site_projects

    with connect(settings) as conn:
        check_ready(conn)
        site = args.site or only_site(conn)
        found = site_projects(conn, site)
    for p in found:
        name = repr(p.project) if p.project else "default schedule"
        print(
            f"{name}: {p.live} tasks ({p.removed} removed) from {p.source_file}, "
            f"imported {p.imported_at:%Y-%m-%d %H:%M %Z}"
        )
    if not found:
        print(f"site {site} has no schedule: sitepulse schedule import FILE")
    return 0


def _import(args: argparse.Namespace, settings: Settings) -> int:
    from core.db import connect
    from core.migrate import check_ready
    from schedules.mapping import load_mapping
    from schedules.store import apply_schedule, only_site, read_schedule, site_frame

    mapping = load_mapping(args.mapping)
    with connect(settings) as conn:
        check_ready(conn)
        site = args.site or only_site(conn)
        progress = _Progress()
        schedule = read_schedule(
            args.file,
            site_frame(conn, site),
            mapping,
            progress,
            strict=args.strict,
            id_prefix=args.id_prefix,
        )
        changes = apply_schedule(conn, site, schedule, progress)
        progress.done()
    names = {t.id: t.name for t in schedule.tasks}
    for project in changes.projects:
        print(project.summary())
    for task_id, levels in schedule.unknown_floors.items():
        floors = ", ".join(map(str, levels))
        print(
            f"unknown floor: {task_id} {names[task_id]!r}: site {site} has no floor {floors}; "
            "imported without it"
        )
    for task_id, missing in schedule.unmapped.items():
        print(f"unmapped: {task_id} {names[task_id]!r}: no {' and no '.join(missing)}")
    read_as = f", read as {schedule.encoding}" if schedule.encoding else ""
    unmapped = f", {len(schedule.unmapped)} unmapped" if schedule.unmapped else ""
    unknown = (
        f", {len(schedule.unknown_floors)} with unknown floors" if schedule.unknown_floors else ""
    )
    print(
        f"site {site}: {args.file.name} ({schedule.source_format}{read_as}): "
        f"{changes.summary()}{unmapped}{unknown}"
    )
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
