"""Labour hours: how long each worker was on site on a day, from their tag."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter
from psycopg.rows import class_row
from pydantic import BaseModel

from api.deps import ConnDep, Viewer
from api.floors import site_or_404
from api.params import Day
from core.sql import load_queries
from labor.hours import TaskHours, task_hours

router = APIRouter(prefix="/api/v1/sites/{site}", tags=["labour"])
_Q = load_queries("api", "labor.sql")


class WorkerHours(BaseModel):
    worker: str
    name: str
    trade: str
    hours: float
    first_seen: datetime
    last_seen: datetime


class LaborDay(BaseModel):
    site: str
    date: date
    workers: list[WorkerHours]
    hours_by_trade: dict[str, float]


@router.get("/labor")
def labor(site: str, day: Day, conn: ConnDep, _key: Viewer) -> LaborDay:
    """`day` is a date on the site's clock (its time zone), e.g. 2026-11-23."""
    start = datetime.combine(day, time(), tzinfo=ZoneInfo(site_or_404(conn, site).timezone))
    params = {"site": site, "from": start, "to": start + timedelta(days=1)}
    with conn.cursor(row_factory=class_row(WorkerHours)) as cur:
        workers = cur.execute(_Q["labor"], params).fetchall()
    by_trade: dict[str, float] = {}
    for worker in workers:
        by_trade[worker.trade] = round(by_trade.get(worker.trade, 0.0) + worker.hours, 2)
    return LaborDay(site=site, date=day, workers=workers, hours_by_trade=by_trade)


@router.get("/labor/tasks")
def labor_by_task(site: str, day: Day, conn: ConnDep, _key: Viewer) -> list[TaskHours]:
    """Hours per worker, floor and task for a site-local day (gap rule: labor/hours.sql)."""
    site_or_404(conn, site)
    return task_hours(conn, site, day)
