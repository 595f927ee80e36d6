"""Write the demo tower's schedule in the three formats SitePulse imports, from one task
list, so that they describe the same tasks: `python deploy/schedules/make_samples.py`.

A takt plan on the site's clock (Asia/Shanghai): one floor every 5 days from 1F on
2026-07-01 (formwork, rebar, pour, 7 days of curing), core drilling (noisy, in the core
zone) on every third floor, a steel-stair lift on every fifth, the three tower cranes
erected before 1F and climbing every 6 floors. Progress as of 2026-11-23 08:00: what was
due is done, what is under way has its actual start.

Each format carries the floor, type and crew its own way, as such files do:
- CSV: explicit `floors`, `type`, `zones`, `crew`, `trade`, `grade` columns;
- MSPDI: floor summary tasks ("12F") as outline parents, the type from the (Chinese and
  English) name, custom fields Trade, Crew, Zone, Grade;
- XER (UTF-8): WBS nodes L1..L30 ("Level 12"), activity codes Type, Trade, Zone and user
  fields Crew and Grade.

The slabs' concrete gets weaker going up, as a tower's usually does: C40 to 10F, C35 to
20F, C30 above (pour tasks only)."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
START = datetime(2026, 7, 1, 7, 0)
STATUS_DATE = datetime(2026, 11, 23, 8, 0)
FLOORS = range(1, 31)
# The MSPDI file's project (Microsoft Project writes a GUID per project file).
MSPDI_GUID = "5D1E0A7C-3B8F-4C2A-9E61-D3A4F0B2C817"


@dataclass
class Row:
    id: int
    name: str
    type: str
    floor: int
    start: datetime
    finish: datetime
    crew: int
    trade: str
    zone: str = ""
    preds: list[int] = field(default_factory=list)
    group: str = ""  # the WBS/outline group: "L12" or "TC"

    @property
    def grade(self) -> str:
        if self.type != "pour":
            return ""
        return "C40" if self.floor <= 10 else "C35" if self.floor <= 20 else "C30"

    @property
    def actual(self) -> tuple[datetime | None, datetime | None]:
        if self.finish <= STATUS_DATE:
            return self.start + timedelta(hours=self.id % 3), self.finish + timedelta(
                hours=self.id % 2
            )
        if self.start <= STATUS_DATE:
            return self.start, None
        return None, None

    @property
    def status(self) -> str:
        actual_start, actual_finish = self.actual
        return "done" if actual_finish else "in_progress" if actual_start else "planned"


# Each floor's cycle: (id suffix, name, type, start and duration in hours from the floor's
# first day, planned crew, trade, which floors: every n-th).
CYCLE = [
    (1, "支模 Formwork", "formwork", 0, 35, 10, "formwork", 1),
    (2, "绑扎钢筋 Rebar", "rebar", 24, 35, 12, "rebar", 1),
    (3, "浇筑混凝土 Pour slab", "pour", 73, 12, 8, "concrete", 1),
    (4, "混凝土养护 Curing", "curing", 85, 168, 1, "concrete", 1),
    (5, "核心筒钻孔 Core drilling", "noisy", 96, 10, 3, "plumbing", 3),
    (6, "吊装钢楼梯 Lift steel stair", "lift", 97, 8, 4, "welding", 5),
]
CRANES = ("TC-1", "TC-2", "TC-3")


def tasks() -> list[Row]:
    hours = timedelta(hours=1)
    rows = [
        Row(
            9000 + i,
            f"安装塔吊 Erect {crane} at 1F",
            "erection",
            1,
            START - timedelta(days=10 - 3 * i),
            START - timedelta(days=10 - 3 * i) + 10 * hours,
            8,
            "crane-signal",
            group="TC",
        )
        for i, crane in enumerate(CRANES)
    ]
    for floor in FLOORS:
        day0 = START + timedelta(days=5 * (floor - 1))
        base = floor * 100
        for n, name, kind, begin, length, crew, trade, every in CYCLE:
            if floor % every:
                continue
            if n == 1:
                preds = [base - 100 + 3] if floor > 1 else [9000, 9001, 9002]
            else:
                preds = [base + min(n - 1, 3)]
            zone = f"f{floor}-core" if kind == "noisy" else ""
            rows.append(
                Row(
                    base + n,
                    name,
                    kind,
                    floor,
                    day0 + begin * hours,
                    day0 + (begin + length) * hours,
                    crew,
                    trade,
                    zone,
                    preds,
                    f"L{floor}",
                )
            )
        for i, crane in enumerate(CRANES):
            if floor % 6 == 2 * i and floor > 2:
                name = f"{crane} 爬升至{floor}F climbing to {floor}F"
                rows.append(
                    Row(
                        9100 + floor * 3 + i,
                        name,
                        "climbing",
                        floor,
                        day0 + 97 * hours,
                        day0 + 105 * hours,
                        6,
                        "crane-signal",
                        preds=[base + 3],
                        group="TC",
                    )
                )
    return rows


def _t(value: datetime | None, sep: str = " ") -> str:
    return value.isoformat(sep=sep, timespec="minutes") if value else ""


def write_csv(rows: list[Row], path: Path) -> None:
    records = [_csv_record(r) for r in rows]
    with path.open("w", encoding="utf-8", newline="") as out:
        writer = csv.DictWriter(out, fieldnames=list(records[0]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(records)


def _csv_record(r: Row) -> dict[str, object]:
    """One task as a CSV row, the columns in the order written."""
    actual_start, actual_finish = r.actual
    return {
        "id": r.id,
        "wbs": f"DT.{r.group}",
        "name": r.name,
        "type": r.type,
        "floors": r.floor,
        "zones": r.zone,
        "planned_start": _t(r.start),
        "planned_finish": _t(r.finish),
        "actual_start": _t(actual_start),
        "actual_finish": _t(actual_finish),
        "status": r.status,
        "crew": r.crew,
        "trade": r.trade,
        "predecessors": ";".join(map(str, r.preds)),
        "grade": r.grade,
    }


def write_mspdi(rows: list[Row], path: Path) -> None:
    fields = {
        "188743731": "Trade",
        "188743734": "Zone",
        "188743767": "Crew",
        "188743737": "Grade",
    }
    out = [
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>',
        '<Project xmlns="http://schemas.microsoft.com/project">',
        "  <Name>Demo Tower 示范塔楼</Name>",
        f"  <GUID>{MSPDI_GUID}</GUID>",
        "  <ExtendedAttributes>",
    ]
    names = {
        "188743731": "Text1",
        "188743734": "Text2",
        "188743767": "Number1",
        "188743737": "Text3",
    }
    for fid, alias in fields.items():
        out.append(
            f"    <ExtendedAttribute><FieldID>{fid}</FieldID><FieldName>{names[fid]}"
            f"</FieldName><Alias>{alias}</Alias></ExtendedAttribute>"
        )
    out += [
        "  </ExtendedAttributes>",
        "  <Tasks>",
        "    <Task><UID>0</UID><ID>0</ID><Name>示范塔楼 Demo Tower</Name><OutlineLevel>0"
        "</OutlineLevel><Summary>1</Summary></Task>",
    ]
    groups: dict[str, list[Row]] = {}
    for r in rows:
        groups.setdefault(r.group, []).append(r)
    for g, (group, members) in enumerate(groups.items(), start=1):
        title = "塔吊 Tower cranes" if group == "TC" else f"{group.removeprefix('L')}F"
        out.append(
            f"    <Task><UID>{100000 + g}</UID><Name>{title}</Name><WBS>{g}</WBS>"
            "<OutlineLevel>1</OutlineLevel><Summary>1</Summary></Task>"
        )
        for n, r in enumerate(members, start=1):
            actual_start, actual_finish = r.actual
            parts = [
                f"<UID>{r.id}</UID>",
                f"<Name>{escape(r.name)}</Name>",
                f"<WBS>{g}.{n}</WBS>",
                "<OutlineLevel>2</OutlineLevel>",
                "<Summary>0</Summary>",
                f"<Start>{_t(r.start, 'T')}:00</Start>",
                f"<Finish>{_t(r.finish, 'T')}:00</Finish>",
            ]
            if actual_start:
                parts.append(f"<ActualStart>{_t(actual_start, 'T')}:00</ActualStart>")
            if actual_finish:
                parts.append(f"<ActualFinish>{_t(actual_finish, 'T')}:00</ActualFinish>")
            percent = {"done": 100, "in_progress": 50, "planned": 0}[r.status]
            parts.append(f"<PercentComplete>{percent}</PercentComplete>")
            for pred in r.preds:
                parts.append(
                    f"<PredecessorLink><PredecessorUID>{pred}</PredecessorUID>"
                    "<Type>1</Type></PredecessorLink>"
                )
            values = {
                "188743731": r.trade,
                "188743734": r.zone,
                "188743767": str(r.crew),
                "188743737": r.grade,
            }
            for fid, value in values.items():
                if value:
                    parts.append(
                        f"<ExtendedAttribute><FieldID>{fid}</FieldID>"
                        f"<Value>{value}</Value></ExtendedAttribute>"
                    )
            out.append(f"    <Task>{''.join(parts)}</Task>")
    out += ["  </Tasks>", "</Project>", ""]
    path.write_text("\n".join(out), encoding="utf-8")


def write_xer(rows: list[Row], path: Path) -> None:
    lines = [
        "ERMHDR\t8.2\t2026-11-23\tProject\tadmin\tadmin\tdbxDatabaseNoName\tProject Management\tUSD"
    ]

    def table(name: str, fields: list[str], records: list[list[object]]) -> None:
        lines.append(f"%T\t{name}")
        lines.append("%F\t" + "\t".join(fields))
        lines.extend("%R\t" + "\t".join(str(v) for v in rec) for rec in records)

    table("PROJECT", ["proj_id", "proj_short_name"], [[1, "DT"]])
    groups = list(dict.fromkeys(r.group for r in rows))
    wbs_id = {g: 200 + i for i, g in enumerate(groups)}
    table(
        "PROJWBS",
        ["wbs_id", "proj_id", "proj_node_flag", "wbs_short_name", "wbs_name", "parent_wbs_id"],
        [[100, 1, "Y", "DT", "Demo Tower", ""]]
        + [
            [wbs_id[g], 1, "N", g, "Tower cranes" if g == "TC" else f"Level {g[1:]}", 100]
            for g in groups
        ],
    )
    types = {"Type": 1, "Trade": 2, "Zone": 3}
    table(
        "ACTVTYPE",
        ["actv_code_type_id", "actv_code_type", "proj_id"],
        [[i, name, 1] for name, i in types.items()],
    )
    values: dict[tuple[int, str], int] = {}
    for r in rows:
        for kind, value in (("Type", r.type.upper()), ("Trade", r.trade), ("Zone", r.zone)):
            if value:
                values.setdefault((types[kind], value), 500 + len(values))
    table(
        "ACTVCODE",
        ["actv_code_id", "actv_code_type_id", "short_name", "actv_code_name"],
        [[cid, tid, value, value] for (tid, value), cid in values.items()],
    )
    status = {"done": "TK_Complete", "in_progress": "TK_Active", "planned": "TK_NotStart"}
    records = []
    for r in rows:
        actual_start, actual_finish = r.actual
        records.append(
            [
                10000 + r.id,
                1,
                wbs_id[r.group],
                "TT_Task",
                status[r.status],
                r.id,
                r.name,
                _t(r.start),
                _t(r.finish),
                _t(actual_start),
                _t(actual_finish),
            ]
        )
    table(
        "TASK",
        [
            "task_id",
            "proj_id",
            "wbs_id",
            "task_type",
            "status_code",
            "task_code",
            "task_name",
            "target_start_date",
            "target_end_date",
            "act_start_date",
            "act_end_date",
        ],
        records,
    )
    table(
        "TASKPRED",
        ["task_pred_id", "task_id", "pred_task_id", "pred_type"],
        [
            [n, 10000 + r.id, 10000 + p, "PR_FS"]
            for n, (r, p) in enumerate(((r, p) for r in rows for p in r.preds), start=1)
        ],
    )
    table(
        "TASKACTV",
        ["task_id", "actv_code_type_id", "actv_code_id", "proj_id"],
        [
            [10000 + r.id, types[k], values[(types[k], v)], 1]
            for r in rows
            for k, v in (("Type", r.type.upper()), ("Trade", r.trade), ("Zone", r.zone))
            if v
        ],
    )
    table(
        "UDFTYPE",
        ["udf_type_id", "table_name", "udf_type_name", "udf_type_label"],
        [[1, "TASK", "user_field_1", "Crew"], [2, "TASK", "user_field_2", "Grade"]],
    )
    table(
        "UDFVALUE",
        ["udf_type_id", "fk_id", "proj_id", "udf_number", "udf_text"],
        [[1, 10000 + r.id, 1, r.crew, ""] for r in rows]
        + [[2, 10000 + r.id, 1, "", r.grade] for r in rows if r.grade],
    )
    lines.append("%E")
    path.write_bytes(("\r\n".join(lines) + "\r\n").encode("utf-8"))


def main() -> None:
    rows = tasks()
    write_csv(rows, HERE / "demo-tower.csv")
    write_mspdi(rows, HERE / "demo-tower.xml")
    write_xer(rows, HERE / "demo-tower.xer")
    print(f"wrote {len(rows)} tasks to demo-tower.csv, .xml and .xer in {HERE}")


if __name__ == "__main__":
    main()
