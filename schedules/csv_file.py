"""Schedules as CSV (UTF-8, with or without a BOM), one task per row.

Columns, by header name (order free; unknown columns are kept as fields the mapping can
read, e.g. a `Floor` or `Zone` column):

    id, name, planned_start, planned_finish        required
    wbs, type, floors, zones, actual_start, actual_finish, status, crew, trade,
    predecessors, grade, project                   optional

Times are ISO 8601 (`2026-11-23 08:00` on the site's clock, or with an offset); `floors`
are levels separated by `;` (-2 for B2); `zones` and `predecessors` are ids separated by
`;`; `status` is planned, in_progress or done; `grade` is a concrete grade (C30); `project`
names the schedule the row belongs to (empty: the site's default schedule). An empty
`floors` or `type` cell is left to the mapping."""

from __future__ import annotations

import csv
import io
from collections.abc import Callable
from datetime import datetime
from typing import get_args

from core.errors import ScheduleInvalid
from schedules.model import SourceFile, SourceTask, TaskStatus, check_unique, normalise_grade

REQUIRED = ("id", "name", "planned_start", "planned_finish")
OPTIONAL = (
    "wbs",
    "type",
    "floors",
    "zones",
    "actual_start",
    "actual_finish",
    "status",
    "crew",
    "trade",
    "predecessors",
    "grade",
    "project",
)
STATUSES: tuple[str, ...] = get_args(TaskStatus)


def parse_csv(
    data: bytes, source: str, progress: Callable[[int], None] | None = None
) -> SourceFile:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise ScheduleInvalid(
            f"{source}:{line}: not UTF-8 (byte {data[exc.start]:#04x}); save the CSV as UTF-8"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header = [h.strip() for h in next(reader, [])]
    missing = [c for c in REQUIRED if c not in header]
    if missing:
        raise ScheduleInvalid(
            f"{source}:1: header lacks {', '.join(missing)} "
            f"(needs {', '.join(REQUIRED)}; may have {', '.join(OPTIONAL)})"
        )
    tasks: list[SourceTask] = []
    problems: list[str] = []
    for row in reader:
        where = f"{source}:{reader.line_num}"
        if not any(cell.strip() for cell in row):
            continue
        if len(row) > len(header):
            problems.append(f"{where}: {len(row)} cells, the header has {len(header)}")
            continue
        cells = dict(zip(header, [c.strip() for c in row], strict=False))
        try:
            tasks.append(_task(cells, where))
        except ValueError as exc:
            problems.append(f"{where}: {exc}")
        if progress and len(tasks) % 1000 == 0:
            progress(len(tasks))
    if problems:
        raise ScheduleInvalid(
            f"{source} is invalid ({len(problems)} problem(s)); nothing was imported\n"
            + "\n".join(problems)
        )
    check_unique(tasks, source)
    return SourceFile(tasks, {p: p for p in dict.fromkeys(t.project for t in tasks)} or {"": ""})


def _task(cells: dict[str, str], where: str) -> SourceTask:
    for column in REQUIRED:
        if not cells.get(column):
            msg = f"{column}: empty"
            raise ValueError(msg)
    status = cells.get("status") or None
    if status is not None and status not in STATUSES:
        msg = f"status: {status!r} is not one of {', '.join(STATUSES)}"
        raise ValueError(msg)
    floors = cells.get("floors")
    return SourceTask(
        id=cells["id"],
        name=cells["name"],
        where=where,
        wbs=cells.get("wbs") or None,
        planned_start=_time(cells, "planned_start"),
        planned_finish=_time(cells, "planned_finish"),
        actual_start=_time(cells, "actual_start") if cells.get("actual_start") else None,
        actual_finish=_time(cells, "actual_finish") if cells.get("actual_finish") else None,
        status=status,  # type: ignore[arg-type]  # checked above
        type=cells.get("type") or None,
        floors=[_int(p, "floors") for p in _parts(floors)] if floors else None,
        zones=_parts(cells.get("zones")) or None,
        crew_planned=_int(cells["crew"], "crew") if cells.get("crew") else None,
        trade=cells.get("trade") or None,
        grade=normalise_grade(cells["grade"]) if cells.get("grade") else None,
        project=cells.get("project") or "",
        predecessors=_parts(cells.get("predecessors")),
        fields={k: v for k, v in cells.items() if k not in REQUIRED + OPTIONAL and v},
    )


def _time(cells: dict[str, str], column: str) -> datetime:
    try:
        return datetime.fromisoformat(cells[column])
    except ValueError:
        msg = f"{column}: {cells[column]!r} is not a time (2026-11-23 08:00, ISO 8601)"
        raise ValueError(msg) from None


def _int(text: str, column: str) -> int:
    try:
        return int(text)
    except ValueError:
        msg = f"{column}: {text!r} is not a whole number"
        raise ValueError(msg) from None


def _parts(text: str | None) -> list[str]:
    return [p.strip() for p in (text or "").split(";") if p.strip()]
