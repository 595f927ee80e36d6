"""Rollups equal a direct aggregation of the raw rows, also after late data; retention
drops whole old chunks; the jobs run under an advisory lock; Grafana's role only reads."""

from __future__ import annotations

import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from psycopg import sql

from core.db import Connection, connect
from core.errors import SitePulseError
from core.settings import Settings
from dashboards.grafana_role import allow_grafana_login
from sites.site_file import SiteFile
from storage.jobs import ROLLUPS_LOCK, run_rollups
from storage.retention import apply_retention
from storage.rollups import Helpers, partial_aggregates, refresh_rollups
from storage.service import StorageService
from tests.helpers import rows, sitepulse
from tests.history import CRANE, ENV, insert_history

OVERLAP = timedelta(minutes=10)
Key = tuple[Any, ...]


def _values(found: list[tuple[Any, ...]], keys: int) -> dict[Key, Key]:
    """Rows as {key columns: (min, max, avg, count, last)}, floats rounded."""
    out: dict[Key, Key] = {}
    for row in found:
        low, high, mean, count, last = row[keys:]
        out[tuple(row[:keys])] = (
            round(low, 6),
            round(high, 6),
            round(mean, 6),
            int(count),
            round(last, 6),
        )
    return out


def direct(
    conn: Connection, width: str, by: str, name: str, metric: str, table: str, where: str = "true"
) -> dict[Key, Key]:
    """One metric's buckets by `by`, straight from the raw rows of `table` (a different
    formulation from storage/rollups.sql, which re-rolls hours from minutes)."""
    query = sql.SQL(
        "SELECT time_bucket({width}::interval, ts), {by}, {name},"
        " min({m}), max({m}), avg({m}), count({m}),"
        " (array_agg({m} ORDER BY ts DESC) FILTER (WHERE {m} IS NOT NULL))[1]"
        " FROM {table} WHERE {where} GROUP BY 1, 2 HAVING count({m}) > 0"
    ).format(
        width=sql.Literal(width),
        by=sql.Identifier(by),
        name=sql.Literal(name),
        m=sql.Identifier(metric),
        table=sql.Identifier(table),
        where=sql.SQL(where),
    )
    return _values(rows(conn, query.as_string(conn)), 3)


def direct_device(conn: Connection, width: str) -> dict[Key, Key]:
    """Per device: an environment sensor's series from the hour only (rollup_widths)."""
    expected: dict[Key, Key] = {}
    sources = [("crane_readings", CRANE), ("tag_readings", ("battery_pct",))]
    if width == "1 hour":
        sources.append(("env_readings", ENV))
    for table, metrics in sources:
        for metric in metrics:
            expected |= direct(conn, width, "device_id", metric, metric, table)
    return expected


def direct_floor(conn: Connection, width: str) -> dict[Key, Key]:
    expected: dict[Key, Key] = {}
    series = [
        ("temp_c", "temp_c", "core_temp_c IS NULL"),
        ("surface_temp_c", "temp_c", "core_temp_c IS NOT NULL"),
    ]
    series += [(metric, metric, "true") for metric in ENV if metric != "temp_c"]
    for name, metric, air_or_probe in series:
        expected |= direct(conn, width, "floor", name, metric, "env_readings", air_or_probe)
    # workers: distinct tags a minute; an hour is the minutes' min, max, mean and last
    expected |= _values(
        rows(
            conn,
            "SELECT time_bucket(%s::interval, minute), floor, 'workers', min(n), max(n), avg(n),"
            " count(*), (array_agg(n ORDER BY minute DESC))[1] FROM ("
            "  SELECT time_bucket('1 minute', ts) AS minute, floor,"
            "         count(DISTINCT device_id)::float8 AS n"
            "  FROM tag_readings GROUP BY 1, 2) AS m GROUP BY 1, 2",
            width,
        ),
        3,
    )
    return expected


def stored(conn: Connection, table: str, key: str) -> dict[Key, Key]:
    query = sql.SQL("SELECT bucket, {key}, metric, min, max, avg, count, last FROM {table}")
    found = query.format(key=sql.Identifier(key), table=sql.Identifier(table))
    return _values(rows(conn, found.as_string(conn)), 3)


def assert_rollups_match_raw(conn: Connection) -> None:
    for width, suffix in (("1 minute", "1m"), ("1 hour", "1h")):
        device = stored(conn, f"device_rollup_{suffix}", "device_id")
        assert device == direct_device(conn, width), f"device_rollup_{suffix}"
        floor = stored(conn, f"floor_rollup_{suffix}", "floor")
        assert floor == direct_floor(conn, width), f"floor_rollup_{suffix}"


def test_rollups_equal_a_direct_aggregation_also_after_late_data(
    conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    now = datetime.now(UTC)
    start = (now - timedelta(hours=4)).replace(minute=0, second=0, microsecond=0)
    insert_history(conn, site_id, start, hours=2.5, seed=1)
    first = refresh_rollups(conn, OVERLAP)
    assert {s.kind: s.minutes for s in first} == {"crane": 150, "tag": 150, "env": 150}
    assert_rollups_match_raw(conn)
    assert rows(conn, "SELECT count(*) FROM floor_rollup_1h WHERE metric = 'workers'")[0][0] > 0

    # nothing new: nothing re-rolled (the history was received hours ago)
    assert all(s.minutes == 0 for s in refresh_rollups(conn, OVERLAP))

    # late readings for the first hour, received now; one for an hour that had none
    late = start + timedelta(minutes=17, seconds=3)
    insert_history(conn, site_id, late, hours=0.05, seed=2, received_at=datetime.now(UTC))
    conn.execute(
        "INSERT INTO env_readings (ts, device_id, site_id, received_at, floor, temp_c, noise_dba)"
        " VALUES (%s, 'env-2f-01', %s, now(), 2, -4.5, 99.0)",
        (start - timedelta(hours=5, seconds=-12), site_id),
    )
    second = {s.kind: s for s in refresh_rollups(conn, OVERLAP)}
    assert second["env"].minutes == 4  # 3 minutes of the late history + the lone reading
    assert second["env"].hours == 2
    assert_rollups_match_raw(conn)
    # nothing received since: the overlap's minutes hold the rows counted there, none rolled
    assert all(s.minutes == 0 for s in refresh_rollups(conn, OVERLAP))

    # committed after the last refresh but received before it (ingest retried a commit):
    # the overlap finds it
    upto = rows(conn, "SELECT received_upto FROM rollup_watermarks WHERE source = 'env_readings'")
    conn.execute(
        "INSERT INTO env_readings (ts, device_id, site_id, received_at, floor, rh_pct)"
        " VALUES (%s, 'env-2f-01', %s, %s, 2, 12.5)",
        (start + timedelta(minutes=95, seconds=40), site_id, upto[0][0] - timedelta(minutes=3)),
    )
    assert {s.kind: s.minutes for s in refresh_rollups(conn, OVERLAP)}["env"] == 1
    assert_rollups_match_raw(conn)


def test_a_first_refresh_that_died_before_its_watermark_is_redone_in_place(
    conn: Connection, site_id: str, loaded_site: SiteFile, caplog: pytest.LogCaptureFixture
) -> None:
    """A first refresh inserts without the overwrite; where one that died had rolled some
    ranges already, those are rolled again in place, the others inserted."""
    start = (datetime.now(UTC) - timedelta(hours=9)).replace(minute=0, second=0, microsecond=0)
    insert_history(conn, site_id, start, hours=1.5, seed=7)
    refresh_rollups(conn, OVERLAP)
    rolled = rows(conn, "SELECT count(*) FROM device_rollup_1m")[0][0]
    # died before its watermark moved; meanwhile more history came, for those hours too
    # (a later minute of them) and for hours never rolled
    conn.execute(
        "UPDATE rollup_watermarks SET received_upto = NULL, overlap_from = NULL,"
        " overlap_minutes = '{}', overlap_rows = '{}'"
    )
    insert_history(
        conn, site_id, start + timedelta(hours=1, minutes=40, seconds=2), hours=7, seed=8
    )
    with caplog.at_level(logging.INFO, logger="storage.rollups"):
        again = {s.kind: s for s in refresh_rollups(conn, OVERLAP)}
    assert again["env"].hours == 9
    # the first 6 hours held two rolled before; the last 3 went in without the overwrite
    assert sum("rolled before (a first refresh died)" in m for m in caplog.messages) == 3
    assert rows(conn, "SELECT count(*) FROM device_rollup_1m")[0][0] > rolled
    assert_rollups_match_raw(conn)


def test_a_backfill_rolls_its_ranges_on_several_connections_and_a_failure_moves_nothing(
    conn: Connection, settings: Settings, site_id: str, loaded_site: SiteFile
) -> None:
    """Ranges rolled at once on the caller's connection and a helper's give the rollups
    one connection gives; where a range fails on one, the refresh fails, the watermark
    stays, and the next refresh rolls everything."""
    start = (datetime.now(UTC) - timedelta(hours=16)).replace(minute=0, second=0, microsecond=0)
    insert_history(conn, site_id, start, hours=14, seed=9)  # three ranges of <= 6 hours
    opened: list[Connection] = []

    def helper(role: str | None = None) -> Connection:
        opened.append(connect(settings))
        if role is not None:  # Grafana's role writes nothing: its every range fails
            opened[-1].execute(sql.SQL("SET ROLE {}").format(sql.Identifier(role)))
        return opened[-1]

    with pytest.raises(psycopg.errors.InsufficientPrivilege):
        refresh_rollups(conn, OVERLAP, Helpers(1, lambda: helper("sitepulse_grafana")))
    assert len(opened) == 1
    assert opened[0].closed
    watermarks = "SELECT count(*) FROM rollup_watermarks WHERE received_upto IS NOT NULL"
    assert rows(conn, watermarks)[0][0] == 0  # the crane's failed: nothing moved

    done = {s.kind: s for s in refresh_rollups(conn, OVERLAP, Helpers(3, helper))}
    assert done["env"].hours == 14
    assert len(opened) == 1 + 3 * 2  # per source, one helper for each range but the first
    assert all(each.closed for each in opened)
    assert rows(conn, watermarks)[0][0] == 3
    assert_rollups_match_raw(conn)


def test_the_benchmarks_ceiling_aggregates_every_series_the_rollups_take_once(
    conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    """The per-minute, per-device partial aggregates (bench/dashboards.py's ceiling) hold
    what the 1-minute rollups hold: regrouped by floor for the series a floor takes (the
    probes' apart), by device for the others."""
    start = (datetime.now(UTC) - timedelta(hours=3)).replace(minute=0, second=0, microsecond=0)
    insert_history(conn, site_id, start, hours=1.5, seed=6)
    refresh_rollups(conn, OVERLAP)
    compared: set[str] = set()
    for kind in ("crane", "tag", "env"):
        metrics, aggregates = partial_aggregates(kind)
        assert metrics, kind
        partial = sql.SQL(
            "CREATE TEMPORARY TABLE partial_{kind} AS SELECT time_bucket('1 minute', ts)"
            " AS minute, device_id, site_id, floor, {aggregates} FROM {source} GROUP BY 1, 2, 3, 4"
        ).format(
            kind=sql.SQL(kind), aggregates=aggregates, source=sql.Identifier(f"{kind}_readings")
        )
        conn.execute(partial)
        level, key = ("floor", "floor") if kind == "env" else ("device", "device_id")
        for n, metric in enumerate(metrics):
            regrouped = sql.SQL(
                "SELECT minute, {key}, {metric}, min(s{n}_min), max(s{n}_max),"
                " sum(s{n}_sum) / sum(s{n}_count), sum(s{n}_count), last(s{n}_last, s{n}_last_ts)"
                " FROM partial_{kind} GROUP BY 1, 2 HAVING sum(s{n}_count) > 0"
            ).format(
                key=sql.Identifier(key),
                metric=sql.Literal(metric),
                n=sql.SQL(str(n)),
                kind=sql.SQL(kind),
            )
            expected = {
                k: v for k, v in stored(conn, f"{level}_rollup_1m", key).items() if k[2] == metric
            }
            assert _values(rows(conn, regrouped.as_string(conn)), 3) == expected, metric
            if expected:
                compared.add(metric)
    # every series the history holds was compared: the floors' air and surface apart
    assert {"temp_c", "surface_temp_c", "core_temp_c", "load_t", "battery_pct"} <= compared


def test_retention_drops_only_whole_chunks_past_each_kinds_horizon(
    conn: Connection, settings: Settings, site_id: str, loaded_site: SiteFile
) -> None:
    now = datetime.now(UTC)
    for age_days in (400, 200, 1):
        ts = now - timedelta(days=age_days)
        conn.execute(
            "INSERT INTO env_readings (ts, device_id, site_id, received_at, floor, temp_c)"
            " VALUES (%s, 'env-2f-01', %s, %s, 2, 10)",
            (ts, site_id, ts),
        )
        conn.execute(
            "INSERT INTO crane_readings (ts, device_id, site_id, received_at, wind_mps)"
            " VALUES (%s, 'tc-1', %s, %s, 5)",
            (ts, site_id, ts),
        )
    custom = settings.model_copy(update={"retention_days": {"crane": 30, "tag": 0, "env": 365}})
    report = apply_retention(conn, custom)
    assert report.dropped["env_readings"] == 1
    assert report.dropped["crane_readings"] == 2
    assert "tag_readings" not in report.dropped  # 0 keeps everything
    assert "'apache' license; skipped" in report.compression
    ages = rows(conn, "SELECT round(extract(epoch FROM now() - ts) / 86400) FROM env_readings")
    assert sorted(int(a) for (a,) in ages) == [1, 200]
    assert rows(conn, "SELECT count(*) FROM crane_readings")[0][0] == 1


def test_the_jobs_are_registered_and_run_only_where_the_lock_is_free(
    conn: Connection, settings: Settings, site_id: str, loaded_site: SiteFile
) -> None:
    jobs = {job.name: job.every_s for job in StorageService(settings).jobs()}
    assert jobs == {"rollups": 60, "retention": 3600, "lifts": settings.lifts_interval_s}

    insert_history(conn, site_id, datetime.now(UTC) - timedelta(hours=1), hours=0.1, seed=3)
    with psycopg.connect(settings.database_url.get_secret_value(), autocommit=True) as other:
        other.execute("SELECT pg_advisory_lock(%s)", (ROLLUPS_LOCK,))
        assert run_rollups(conn, settings) is False  # another process is refreshing
        assert rows(conn, "SELECT count(*) FROM device_rollup_1m")[0][0] == 0
        other.execute("SELECT pg_advisory_unlock(%s)", (ROLLUPS_LOCK,))
    assert run_rollups(conn, settings) is True
    assert rows(conn, "SELECT count(*) FROM device_rollup_1m")[0][0] > 0


def as_grafana(conn: Connection, statement: str) -> None:
    with conn.transaction():
        conn.execute("SET LOCAL ROLE sitepulse_grafana")
        conn.execute(statement)


def test_grafanas_role_reads_readings_and_rollups_and_writes_nothing(
    conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    insert_history(conn, site_id, datetime.now(UTC) - timedelta(hours=1), hours=0.1, seed=4)
    refresh_rollups(conn, OVERLAP)
    with conn.transaction():
        conn.execute("SET LOCAL ROLE sitepulse_grafana")
        for table in (
            "env_readings",
            "floor_rollup_1h",
            "device_rollup_1m",
            "alerts",
            "floors",
            "tasks",
            "task_excursions",
            "site_regimes",
        ):
            assert rows(conn, f"SELECT count(*) FROM {table}")[0][0] >= 0
        assert rows(conn, "SELECT count(*) FROM env_readings")[0][0] > 0  # chunks readable
    for statement in (
        "DELETE FROM env_readings",
        "SELECT * FROM api_keys",
        "INSERT INTO alerts (site_id) VALUES ('x')",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            as_grafana(conn, statement)


def test_the_rollups_and_retention_commands(
    settings: Settings, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    start = (datetime.now(UTC) - timedelta(hours=2)).replace(minute=0, second=0, microsecond=0)
    insert_history(conn, site_id, start, hours=0.5, seed=5)

    def cli(*args: str) -> str:
        return sitepulse(settings, *args).stdout

    assert re.search(r"env: 30 minute\(s\), 1 hour\(s\) re-rolled", cli("rollups", "refresh"))
    assert_rollups_match_raw(conn)
    out = cli("retention", "apply")
    assert "env_readings: 0 chunk(s) dropped" in out
    assert "compression not available" in out


def test_the_deployment_lets_grafanas_role_log_in_and_read(
    conn: Connection, settings: Settings, site_id: str, loaded_site: SiteFile
) -> None:
    with pytest.raises(SitePulseError, match="at least 12 characters"):
        allow_grafana_login(conn, "short")
    password = "grafana-test-password"
    allow_grafana_login(conn, password)
    try:
        url = settings.database_url.get_secret_value()
        parts = urlsplit(url)
        as_grafana_url = urlunsplit(
            parts._replace(netloc=f"sitepulse_grafana:{password}@{parts.hostname}:{parts.port}")
        )
        with psycopg.connect(as_grafana_url) as grafana:
            assert rows(grafana, "SELECT count(*) FROM floors")[0][0] == len(loaded_site.floors)
    finally:  # the role is the server's, shared with other databases: back to no login
        conn.execute("ALTER ROLE sitepulse_grafana NOLOGIN PASSWORD NULL")
