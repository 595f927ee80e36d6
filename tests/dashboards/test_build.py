"""The dashboards as built: committed JSON equals the build, every panel has SQL with the
variables it needs, the playlist names real dashboards; Grafana's macros expanded as the
PostgreSQL data source does."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from dashboards.build import build_files
from dashboards.catalog import WALL, dashboards, panel_queries
from dashboards.macros import QueryContext, expand, interval_text, parse_interval
from dashboards.sql_query import PANEL_SQL

REPO = Path(__file__).resolve().parent.parent.parent
T0 = datetime(2026, 11, 23, 8, 0, tzinfo=UTC)
CONTEXT = QueryContext(T0 - timedelta(hours=6), T0, timedelta(minutes=1), {"site": "tower-a"})


def test_committed_files_equal_the_build_output() -> None:
    built = build_files()
    committed = {
        str(path.relative_to(REPO / "dashboards")): path.read_text(encoding="utf-8")
        for folder in ("json", "provisioning", "playlists")
        for path in (REPO / "dashboards" / folder).rglob("*")
        if path.is_file()
    }
    assert sorted(committed) == sorted(built), "run `sitepulse dashboards build`"
    for relative, text in built.items():
        assert committed[relative] == text, f"{relative} is stale: run `sitepulse dashboards build`"


def test_each_dashboard_has_the_variables_its_queries_use_and_panel_ids_are_unique() -> None:
    for board in dashboards():
        names = {v.name for v in board.templating.list_val or []}
        assert "site" in names, board.uid
        queries = list(panel_queries([board]))
        assert queries, f"{board.uid} has no SQL panel"
        for query in queries:
            if "$floor" in query.query.raw_sql:
                assert "floor" in names, f"{board.uid}/{query.panel} uses $floor"
            assert "@" not in query.query.raw_sql
        ids = [panel.id_val for panel in board.panels or []]
        assert len(ids) == len(set(ids)), board.uid


def test_the_playlist_names_dashboards_that_exist_and_the_json_is_grafanas_shape() -> None:
    files = build_files()
    uids = {board.uid for board in dashboards()}
    playlist = json.loads(files["playlists/sitepulse-wall.json"])
    assert [item["value"] for item in playlist["items"]] == list(WALL)
    assert set(WALL) <= uids
    wall = json.loads(files["json/sitepulse-wall.json"])
    assert wall["uid"] == "sitepulse-wall"
    assert wall["refresh"] == "30s"
    types = {panel["type"] for panel in wall["panels"]}
    assert {"state-timeline", "table", "stat", "bargauge", "timeseries", "row"} <= types
    target = next(p for p in wall["panels"] if p["type"] == "state-timeline")["targets"][0]
    assert target["datasource"] == {"type": "grafana-postgresql-datasource", "uid": "sitepulse-db"}
    assert target["format"] == "time_series"
    assert target["rawQuery"] is True


def test_macros_expand_as_grafanas_postgresql_data_source_does() -> None:
    sql = (
        "SELECT $__timeGroupAlias(ts, $__interval), $__timeGroup(ts, '5m') FROM t"
        " WHERE $__timeFilter(ts) AND site = '$site' AND ${site} = x"
        " AND ts > $__timeFrom() AND ts < $__timeTo() AND $__interval_ms > 0"
        " AND $__unixEpochFilter(epoch)"
    )
    assert expand(sql, CONTEXT) == (
        "SELECT time_bucket('60s', ts) AS \"time\", time_bucket('300s', ts) FROM t"
        " WHERE ts BETWEEN '2026-11-23T02:00:00Z' AND '2026-11-23T08:00:00Z'"
        " AND site = 'tower-a' AND tower-a = x"
        " AND ts > '2026-11-23T02:00:00Z' AND ts < '2026-11-23T08:00:00Z' AND 60000 > 0"
        f" AND epoch >= {int(T0.timestamp()) - 6 * 3600} AND epoch <= {int(T0.timestamp())}"
    )


def test_sqlstring_renders_a_quoted_literal_with_quotes_doubled() -> None:
    context = QueryContext(T0, T0, timedelta(minutes=1), {"site": "o'neil", "floor": "2"})
    assert expand("site = ${site:sqlstring} AND f = ${floor:sqlstring}::int", context) == (
        "site = 'o''neil' AND f = '2'::int"
    )
    with pytest.raises(ValueError, match="variable format"):
        expand("site IN (${site:csv})", context)
    with pytest.raises(ValueError, match=r"\$\{zone:sqlstring\} is neither a variable"):
        expand("zone = ${zone:sqlstring}", context)


def test_panel_and_variable_sql_quote_every_variable() -> None:
    """Variable values come from URLs: SQL names them only as ${name:sqlstring}."""
    texts = {f"{q.dashboard}:{q.panel}": q.query.raw_sql for q in panel_queries()}
    texts |= {f"panels.sql:{name}": sql for name, sql in PANEL_SQL.items()}
    bare = re.compile(r"\$(?!__)\w+|\$\{(?!\w+:sqlstring\})[^}]*\}")
    unquoted = {name: bare.findall(sql) for name, sql in texts.items() if bare.search(sql)}
    assert not unquoted, unquoted


def test_a_panel_range_replaces_the_dashboards_and_unknown_names_are_refused() -> None:
    day = CONTEXT.with_time_from("24h")
    assert day.time_from == T0 - timedelta(hours=24)
    assert day.time_to == T0
    with pytest.raises(ValueError, match=r"\$floor is neither a variable nor a macro"):
        expand("WHERE floor = $floor", CONTEXT)
    with pytest.raises(ValueError, match=r"\$__timeSomething\(\) is not a macro"):
        expand("WHERE $__timeSomething(ts)", CONTEXT)


def test_intervals_read_and_write_like_grafanas() -> None:
    assert parse_interval("'5m'") == timedelta(minutes=5)
    assert parse_interval("250ms") == timedelta(milliseconds=250)
    assert [interval_text(timedelta(seconds=s)) for s in (15, 60, 3600, 5400, 86400)] == [
        "15s",
        "1m",
        "1h",
        "90m",
        "1d",
    ]
    with pytest.raises(ValueError, match="is not a number and one of"):
        parse_interval("5 minutes")
