"""Import a schedule file into a site's tasks in one transaction, idempotently.

Each project of the file replaces its own tasks at the site (the ones a new version no
longer lists are marked removed) and no other project's. A task id is unique per site: a
task another project holds refuses the import, naming both, unless that project is ''
(the site's default schedule: a CSV without a project column, or tasks imported before
projects were kept), whose task the import takes over."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from psycopg.rows import class_row

from core.db import Connection
from core.errors import ScheduleInvalid, SitePulseError
from core.sql import load_queries
from schedules.csv_file import parse_csv
from schedules.mapping import Mapping, SiteFrame, map_schedule
from schedules.model import Schedule, SourceFile, SourceFormat
from schedules.mspdi import parse_mspdi
from schedules.xer import parse_xer

_Q = load_queries("schedules", "store.sql")
_BATCH = 500
Progress = Callable[[str, int], None]  # (what, how many so far)
_PARSERS: dict[SourceFormat, Callable[[bytes, str, Callable[[int], None] | None], SourceFile]]
_PARSERS = {"csv": parse_csv, "mspdi": parse_mspdi, "xer": parse_xer}


@dataclass(frozen=True)
class HeldTask:
    id: str
    project: str
    source_file: str
    live: bool


@dataclass(frozen=True)
class ProjectBefore:
    project: str
    tasks: int
    source_file: str


@dataclass(frozen=True)
class SiteProject:
    """One schedule of a site, as `sitepulse schedule projects` lists it."""

    project: str
    live: int
    removed: int
    source_file: str
    imported_at: datetime


@dataclass(frozen=True)
class ProjectChanges:
    project: str
    name: str
    tasks: int
    new: int  # not a live task of this project before
    changed: int
    removed: int
    before: int  # the project's live tasks before the import
    before_file: str | None

    def summary(self) -> str:
        label = f"project {self.project!r}" if self.project else "default schedule"
        label += f" ({self.name})" if self.name and self.name != self.project else ""
        if self.before:
            label += f": replaces {self.before} tasks from {self.before_file}"
        if not self.new and not self.changed and not self.removed:
            return f"{label}: {self.tasks} tasks, no changes"
        return (
            f"{label}: {self.tasks} tasks, {self.new} new, {self.changed} changed, "
            f"{self.removed} removed"
        )


@dataclass(frozen=True)
class ScheduleChanges:
    projects: list[ProjectChanges]

    @property
    def tasks(self) -> int:
        return sum(p.tasks for p in self.projects)

    @property
    def written(self) -> int:
        return sum(p.new + p.changed for p in self.projects)

    @property
    def removed(self) -> int:
        return sum(p.removed for p in self.projects)

    def summary(self) -> str:
        if not self.written and not self.removed:
            return f"{self.tasks} tasks, no changes"
        return f"{self.tasks} tasks, {self.written} written, {self.removed} removed"


def detect_format(path: Path, data: bytes) -> SourceFormat:
    suffix = path.suffix.lower()
    if suffix == ".xer" or data.startswith(b"ERMHDR"):
        return "xer"
    if suffix == ".xml" or data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"<"):
        return "mspdi"
    return "csv"


def site_projects(conn: Connection, site: str) -> list[SiteProject]:
    cursor = conn.cursor(row_factory=class_row(SiteProject))
    return cursor.execute(_Q["site_projects"], {"site": site}).fetchall()


def only_site(conn: Connection) -> str:
    sites = [str(s) for (s,) in conn.execute(_Q["sites"])]
    if len(sites) != 1:
        found = ", ".join(sites[:2]) + (", ..." if len(sites) > 2 else "") if sites else "none"
        raise SitePulseError(f"name the site with --site (sites in the database: {found})")
    return sites[0]


def site_frame(conn: Connection, site: str) -> SiteFrame:
    row = conn.execute(_Q["site"], {"site": site}).fetchone()
    if row is None:
        raise ScheduleInvalid(f"no site {site!r}: load its site file first (sitepulse site load)")
    floors = {int(level): str(name) for level, name in conn.execute(_Q["floors"], {"site": site})}
    zones = frozenset(str(z) for (z,) in conn.execute(_Q["zones"], {"site": site}))
    return SiteFrame(site, ZoneInfo(str(row[0])), floors, zones)


def read_schedule(
    path: Path,
    site: SiteFrame,
    mapping: Mapping,
    progress: Progress | None = None,
    *,
    strict: bool = False,
    id_prefix: str = "",
) -> Schedule:
    """Parse and map a file; raise ScheduleInvalid, naming the line or element, if it fails."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScheduleInvalid(f"{path}: cannot read: {exc.strerror}") from None
    fmt = detect_format(path, data)
    parsed = _PARSERS[fmt](data, str(path), (lambda n: progress("parsed", n)) if progress else None)
    return map_schedule(parsed, mapping, site, path.name, fmt, strict=strict, id_prefix=id_prefix)


def apply_schedule(
    conn: Connection, site: str, schedule: Schedule, progress: Progress | None = None
) -> ScheduleChanges:
    by_project: dict[str, list[dict[str, object]]] = {key: [] for key in schedule.projects}
    for task in schedule.tasks:
        by_project[task.project].append(
            {
                "site": site,
                **task.model_dump(),
                "floors": list(task.floors),
                "zones": list(task.zones),
                "predecessors": list(task.predecessors),
                "source_file": schedule.source_file,
                "source_format": schedule.source_format,
            }
        )
    project_of = {task.id: task.project for task in schedule.tasks}
    changes = []
    stored = 0
    with conn.transaction(), conn.cursor() as cur:
        ids = {"site": site, "ids": list(project_of)}
        held = conn.cursor(row_factory=class_row(HeldTask)).execute(_Q["held"], ids).fetchall()
        _refuse_clashes(site, schedule, held, project_of)
        live = {h.id for h in held if h.live and h.project == project_of[h.id]}
        before = {
            b.project: b
            for b in conn.cursor(row_factory=class_row(ProjectBefore)).execute(
                _Q["projects_before"], {"site": site}
            )
        }
        for project, rows in by_project.items():
            written = 0
            for start in range(0, len(rows), _BATCH):
                cur.executemany(_Q["upsert_task"], rows[start : start + _BATCH])
                written += max(cur.rowcount, 0)
                stored += len(rows[start : start + _BATCH])
                if progress:
                    progress("stored", stored)
            keep = [str(r["id"]) for r in rows]
            cur.execute(_Q["remove_missing"], {"site": site, "project": project, "keep": keep})
            new = sum(1 for task_id in keep if task_id not in live)
            was = before.get(project)
            changes.append(
                ProjectChanges(
                    project,
                    schedule.projects[project],
                    len(rows),
                    new,
                    written - new,
                    cur.rowcount,
                    was.tasks if was else 0,
                    was.source_file if was else None,
                )
            )
    return ScheduleChanges(changes)


def _refuse_clashes(
    site: str, schedule: Schedule, held: list[HeldTask], project_of: dict[str, str]
) -> None:
    clashes = [
        f"task {h.id!r} of project {project_of[h.id]!r} is already a task of project "
        f"{h.project!r} at site {site} (from {h.source_file})"
        for h in held
        if h.project not in ("", project_of[h.id])
    ]
    if clashes:
        more = f"\n... and {len(clashes) - 10} more" if len(clashes) > 10 else ""
        raise ScheduleInvalid(
            f"{schedule.source_file}: {len(clashes)} task id(s) of another project; nothing was "
            "imported (--id-prefix '{project}-' keeps the projects apart)\n"
            + "\n".join(clashes[:10])
            + more
        )
