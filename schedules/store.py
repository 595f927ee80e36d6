"""Import a schedule file into a site's tasks in one transaction, idempotently."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from zoneinfo import ZoneInfo

from core.db import Connection
from core.errors import ScheduleInvalid, SitePulseError
from core.sql import load_queries
from schedules.csv_file import parse_csv
from schedules.mapping import Mapping, SiteFrame, map_schedule
from schedules.model import Schedule, SourceFormat, SourceTask
from schedules.mspdi import parse_mspdi
from schedules.xer import parse_xer

_Q = load_queries("schedules", "store.sql")
_BATCH = 500
Progress = Callable[[str, int], None]  # (what, how many so far)
_PARSERS: dict[SourceFormat, Callable[[bytes, str, Callable[[int], None] | None], list[SourceTask]]]
_PARSERS = {"csv": parse_csv, "mspdi": parse_mspdi, "xer": parse_xer}


@dataclass(frozen=True)
class ScheduleChanges:
    tasks: int
    written: int
    removed: int

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
    path: Path, site: SiteFrame, mapping: Mapping, progress: Progress | None = None
) -> Schedule:
    """Parse and map a file; raise ScheduleInvalid, naming the line or element, if it fails."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise ScheduleInvalid(f"{path}: cannot read: {exc.strerror}") from None
    fmt = detect_format(path, data)
    parsed = _PARSERS[fmt](data, str(path), (lambda n: progress("parsed", n)) if progress else None)
    return map_schedule(parsed, mapping, site, path.name, fmt)


def apply_schedule(
    conn: Connection, site: str, schedule: Schedule, progress: Progress | None = None
) -> ScheduleChanges:
    rows = [
        {
            "site": site,
            **task.model_dump(),
            "floors": list(task.floors),
            "zones": list(task.zones),
            "predecessors": list(task.predecessors),
            "source_file": schedule.source_file,
            "source_format": schedule.source_format,
        }
        for task in schedule.tasks
    ]
    written = 0
    with conn.transaction(), conn.cursor() as cur:
        for start in range(0, len(rows), _BATCH):
            cur.executemany(_Q["upsert_task"], rows[start : start + _BATCH])
            written += max(cur.rowcount, 0)
            if progress:
                progress("stored", min(start + _BATCH, len(rows)))
        cur.execute(_Q["remove_missing"], {"site": site, "keep": [r["id"] for r in rows]})
        removed = cur.rowcount
    return ScheduleChanges(len(rows), written, removed)
