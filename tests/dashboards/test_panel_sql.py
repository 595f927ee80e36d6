"""Every panel's SQL, with Grafana's macros and variables expanded, runs as Grafana's
read-only role against a
migrated database with readings, rollups, device state and alerts, for a wall's six hours
and for a month, and returns the columns its panel expects."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from core.db import Connection
from dashboards.catalog import PanelQuery, panel_queries
from dashboards.macros import QueryContext, expand
from sites.site_file import SiteFile
from storage.rollups import refresh_rollups
from tests.history import insert_alerts, insert_device_state, insert_history, insert_tasks

QUERIES = list(panel_queries())
RANGES = {
    "6 hours": (timedelta(hours=6), timedelta(minutes=1)),
    "30 days": (timedelta(days=30), timedelta(hours=1)),
}


@pytest.fixture
def site_with_history(conn: Connection, site_id: str, loaded_site: SiteFile) -> datetime:
    now = datetime.now(UTC)
    insert_history(conn, site_id, now - timedelta(days=12), hours=2, seed=11)
    insert_history(conn, site_id, now - timedelta(hours=5), hours=5, seed=12)
    insert_device_state(conn, site_id)
    insert_tasks(conn, site_id, now)
    insert_alerts(conn, site_id, now)
    refresh_rollups(conn, timedelta(minutes=10))
    return now


@pytest.mark.parametrize("span", RANGES)
@pytest.mark.parametrize("panel", QUERIES, ids=[f"{q.dashboard}:{q.panel}" for q in QUERIES])
def test_every_panel_query_runs_and_returns_its_columns(
    panel: PanelQuery, span: str, conn: Connection, site_id: str, site_with_history: datetime
) -> None:
    length, interval = RANGES[span]
    now = site_with_history
    context = QueryContext(now - length, now, interval, {"site": site_id, "floor": "2"})
    sql = expand(panel.query.raw_sql, context.with_time_from(panel.time_from))
    with conn.transaction():
        conn.execute("SET LOCAL ROLE sitepulse_grafana")  # as Grafana's read-only role
        cursor = conn.execute(sql)
        assert cursor.description is not None
        columns = tuple(column.name for column in cursor.description)
        found = cursor.fetchall()
    assert columns == panel.query.columns
    assert found, "no rows: the panel would be empty with data in the database"
    if panel.query.format == "time_series":
        assert columns[0] == "time"
        times = [row[0] for row in found]
        assert all(isinstance(t, datetime) and t.tzinfo for t in times)
        assert times == sorted(times), "Grafana needs a long time series ordered by time"
        slack = max(interval, timedelta(minutes=5))  # a first bucket may start before the range
        assert min(times) >= context.with_time_from(panel.time_from).time_from - slack


def test_a_hostile_site_value_reads_nothing(
    conn: Connection, site_id: str, site_with_history: datetime
) -> None:
    """`?var-site=` comes from a URL: a value with quotes stays one string literal."""
    now = site_with_history

    def results(site: str) -> dict[str, list[tuple[object, ...]]]:
        found = {}
        for panel in QUERIES:
            context = QueryContext(
                now - timedelta(hours=6), now, timedelta(minutes=1), {"site": site, "floor": "2"}
            )
            sql = expand(panel.query.raw_sql, context.with_time_from(panel.time_from))
            with conn.transaction():
                conn.execute("SET LOCAL ROLE sitepulse_grafana")
                found[f"{panel.dashboard}:{panel.panel}"] = conn.execute(sql).fetchall()
        return found

    nothing = results("no-such-site")
    hostile = results(f"{site_id}' OR 'x' = 'x")
    differ = [name for name in nothing if hostile[name] != nothing[name]]
    assert not differ, f"these panels read data for a site that does not exist: {differ}"
