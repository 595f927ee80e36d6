"""Primavera P6 XER exports: tab-separated tables (`%T` name, `%F` fields, `%R` rows, `%E`
end) after an `ERMHDR` line. Read: TASK (activity ID `task_code` is the task's id; planned
dates are `target_start_date`/`target_end_date`, site-local), PROJWBS (the WBS path and
its names are the parents the mapping reads), TASKPRED, activity codes (ACTVTYPE,
ACTVCODE, TASKACTV) and user fields (UDFTYPE, UDFVALUE) as fields named after their type.
UTF-8, or the single-byte code page the exporting machine used (see code_pages).

A file may hold several projects (PROJECT): each is its own schedule, keyed by its Project
ID (`proj_short_name`) and named after its root WBS node. Predecessors in another project
are not kept. The crew a task's resource assignments plan (TASKRSRC to RT_Labor
resources): their units per hour summed (`target_qty_per_hr`, 1 is one person full time)
and rounded."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from core.errors import ScheduleInvalid
from schedules.code_pages import detect
from schedules.model import SourceFile, SourceTask, TaskStatus, check_unique

_STATUS: dict[str, TaskStatus] = {
    "TK_NotStart": "planned",
    "TK_Active": "in_progress",
    "TK_Complete": "done",
}
# WBS summary activities and level-of-effort spans are not work on a floor.
_SKIPPED_TYPES = {"TT_WBS", "TT_LOE"}


@dataclass(frozen=True)
class Row:
    line: int
    values: dict[str, str]


def decode_xer(data: bytes) -> tuple[str, str]:
    """The text, and the code page it was read with."""
    code_page = detect(data)
    return data.decode("utf-8-sig" if code_page == "utf-8" else code_page, "replace"), code_page


def read_tables(text: str, source: str) -> dict[str, list[Row]]:
    lines = text.splitlines()
    if not lines or not lines[0].startswith("ERMHDR"):
        raise ScheduleInvalid(f"{source}:1: not an XER file (it must begin with ERMHDR)")
    tables: dict[str, list[Row]] = {}
    table: str | None = None
    fields: list[str] | None = None
    for number, line in enumerate(lines[1:], start=2):
        mark, _, rest = line.partition("\t")
        if mark == "%T":
            table, fields = rest.strip(), None
            tables.setdefault(table, [])
        elif mark == "%F":
            if table is None:
                raise ScheduleInvalid(f"{source}:{number}: %F before any %T table")
            fields = rest.split("\t")
        elif mark == "%R":
            if table is None or fields is None:
                raise ScheduleInvalid(f"{source}:{number}: %R before the table's %F fields")
            values = rest.split("\t")
            if len(values) > len(fields):
                raise ScheduleInvalid(
                    f"{source}:{number}: {table} row has {len(values)} values for "
                    f"{len(fields)} fields"
                )
            tables[table].append(Row(number, dict(zip(fields, values, strict=False))))
        elif mark == "%E":
            break
        elif line.strip():
            raise ScheduleInvalid(
                f"{source}:{number}: expected %T, %F, %R or %E, found {line[:20]!r}"
            )
    return tables


def parse_xer(
    data: bytes, source: str, progress: Callable[[int], None] | None = None
) -> SourceFile:
    text, code_page = decode_xer(data)
    tables = read_tables(text, source)
    if "TASK" not in tables:
        raise ScheduleInvalid(f"{source}: no TASK table: not a project export")
    wbs = {r.values.get("wbs_id", ""): r.values for r in tables.get("PROJWBS", [])}
    projects = _projects(tables)
    codes = _task_fields(tables)
    crews = _crews(tables)
    rows = [r for r in tables["TASK"] if r.values.get("task_type") not in _SKIPPED_TYPES]
    by_id = {r.values.get("task_id", ""): r.values for r in rows}
    preds: dict[str, list[str]] = {}
    for pred in tables.get("TASKPRED", []):
        task, before = (
            by_id.get(pred.values.get("task_id", "")),
            by_id.get(pred.values.get("pred_task_id", "")),
        )
        # a predecessor in another project, or not in the file, is not ours to keep
        if task and before and task.get("proj_id") == before.get("proj_id"):
            preds.setdefault(task["task_id"], []).append(before.get("task_code", ""))
    tasks = []
    for row in rows:
        project = projects.get(row.values.get("proj_id", ""), ("", ""))[0]
        tasks.append(_task(row, source, wbs, codes, preds, crews, project))
        if progress and len(tasks) % 1000 == 0:
            progress(len(tasks))
    check_unique(tasks, source)
    names = dict(projects.values()) or {"": ""}
    return SourceFile(tasks, names, code_page)


def _projects(tables: dict[str, list[Row]]) -> dict[str, tuple[str, str]]:
    """proj_id -> (key, name): the Project ID, and the name of the project's root WBS node."""
    roots = {
        r.values.get("proj_id", ""): r.values.get("wbs_name", "")
        for r in tables.get("PROJWBS", [])
        if r.values.get("proj_node_flag") == "Y"
    }
    projects = {}
    for row in tables.get("PROJECT", []):
        proj_id = row.values.get("proj_id", "")
        key = row.values.get("proj_short_name") or proj_id
        projects[proj_id] = (key, roots.get(proj_id, ""))
    return projects


def _crews(tables: dict[str, list[Row]]) -> dict[str, int]:
    """task_id -> people its labour assignments plan (units per hour summed)."""
    types = {r.values.get("rsrc_id"): r.values.get("rsrc_type") for r in tables.get("RSRC", [])}
    per_hour: dict[str, float] = {}
    for row in tables.get("TASKRSRC", []):
        v = row.values
        kind = v.get("rsrc_type") or types.get(v.get("rsrc_id"))
        if kind != "RT_Labor":
            continue
        try:
            units = float(v.get("target_qty_per_hr") or v.get("remain_qty_per_hr") or 1)
        except ValueError:
            units = 1.0  # P6 writes numbers; a hand-edited file still gets its person
        task = v.get("task_id", "")
        per_hour[task] = per_hour.get(task, 0.0) + units
    return {task: round(total) for task, total in per_hour.items() if round(total) > 0}


def _task(
    row: Row,
    source: str,
    wbs: dict[str, dict[str, str]],
    codes: dict[str, dict[str, str]],
    preds: dict[str, list[str]],
    crews: dict[str, int],
    project: str,
) -> SourceTask:
    v, where = row.values, f"{source}:{row.line}"
    for name in ("task_id", "task_code", "task_name", "target_start_date", "target_end_date"):
        if not v.get(name):
            raise ScheduleInvalid(f"{where}: TASK {name} is empty")
    path, parents = _wbs_path(v.get("wbs_id", ""), wbs)
    return SourceTask(
        id=v["task_code"],
        name=v["task_name"],
        where=where,
        wbs=".".join(path) or None,
        parents=parents,
        planned_start=_time(v, "target_start_date", where),
        planned_finish=_time(v, "target_end_date", where),
        actual_start=_time(v, "act_start_date", where) if v.get("act_start_date") else None,
        actual_finish=_time(v, "act_end_date", where) if v.get("act_end_date") else None,
        status=_STATUS.get(v.get("status_code", "")),
        fields=codes.get(v["task_id"], {}),
        predecessors=preds.get(v["task_id"], []),
        crew_assigned=crews.get(v["task_id"]),
        project=project,
    )


def _wbs_path(wbs_id: str, wbs: dict[str, dict[str, str]]) -> tuple[list[str], list[str]]:
    """The WBS codes from the top down, and the nodes' names nearest first."""
    path: list[str] = []
    parents: list[str] = []
    seen: set[str] = set()
    while wbs_id in wbs and wbs_id not in seen:
        seen.add(wbs_id)
        node = wbs[wbs_id]
        path.insert(0, node.get("wbs_short_name", ""))
        parents += [t for t in (node.get("wbs_short_name"), node.get("wbs_name")) if t]
        wbs_id = node.get("parent_wbs_id", "")
    return path, parents


def _task_fields(tables: dict[str, list[Row]]) -> dict[str, dict[str, str]]:
    """task_id -> {activity code type or user field label: value}."""
    fields: dict[str, dict[str, str]] = {}
    types = {
        r.values.get("actv_code_type_id"): r.values.get("actv_code_type", "")
        for r in tables.get("ACTVTYPE", [])
    }
    values = {
        r.values.get("actv_code_id"): r.values.get("short_name", "")
        for r in tables.get("ACTVCODE", [])
    }
    for r in tables.get("TASKACTV", []):
        kind = types.get(r.values.get("actv_code_type_id"))
        value = values.get(r.values.get("actv_code_id"))
        if kind and value:
            fields.setdefault(r.values.get("task_id", ""), {})[kind] = value
    labels = {
        r.values.get("udf_type_id"): r.values.get("udf_type_label", "")
        for r in tables.get("UDFTYPE", [])
        if r.values.get("table_name") == "TASK"
    }
    for r in tables.get("UDFVALUE", []):
        label = labels.get(r.values.get("udf_type_id"))
        value = r.values.get("udf_text") or r.values.get("udf_number") or r.values.get("udf_date")
        if label and value:
            fields.setdefault(r.values.get("fk_id", ""), {})[label] = value
    return fields


def _time(values: dict[str, str], name: str, where: str) -> datetime:
    try:
        return datetime.strptime(values[name].strip(), "%Y-%m-%d %H:%M")
    except ValueError:
        raise ScheduleInvalid(
            f"{where}: TASK {name} {values[name]!r} is not a P6 time (2021-11-30 08:00)"
        ) from None
