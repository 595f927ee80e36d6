"""A floor's readings over time, read from the rollups where they are complete and from the
raw rows elsewhere, equal a direct aggregation of the raw rows: across rolled and not yet
rolled readings, after a refresh that takes in a late reading, and in a database that was
never refreshed."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from psycopg import sql
from psycopg.rows import class_row

from api.floor_series import HOUR, METRICS, Bucket, split_range
from api.registry import BUCKETS
from core.db import Connection
from sites.site_file import SiteFile
from storage.rollups import refresh_rollups
from tests.api.conftest import Keys
from tests.helpers import rows

OVERLAP = timedelta(minutes=10)
# Each metric as a direct aggregation takes it: the column and the rows. A concrete probe
# (a reading with core_temp_c) measures the concrete's surface with temp_c, not the air.
DIRECT = {
    "temp_c": ("temp_c", "core_temp_c IS NULL"),
    "surface_temp_c": ("temp_c", "core_temp_c IS NOT NULL"),
    "rh_pct": ("rh_pct", "true"),
    "pm25_ugm3": ("pm25_ugm3", "true"),
    "pm10_ugm3": ("pm10_ugm3", "true"),
    "noise_dba": ("noise_dba", "true"),
    "core_temp_c": ("core_temp_c", "true"),
}
# On 2F an air sensor every 20 s (humidity missing now and then) and a concrete probe
# every 30 s; on 3F an air sensor, which must not show on 2F. Values follow the time.
HISTORY = """
INSERT INTO env_readings (ts, device_id, site_id, received_at, floor, temp_c, rh_pct,
                          pm10_ugm3, noise_dba, core_temp_c)
SELECT t, s.device, %(site)s, coalesce(%(received_at)s, t + interval '1 s'), s.floor,
       s.temp + 6 * sin(e / 5000.0) + (e * 7919 %% 1000) / 300.0,
       CASE WHEN s.probe OR e %% 11 = 0 THEN NULL ELSE 40 + e * 31 %% 37 END,
       CASE WHEN s.probe THEN NULL ELSE 20 + e * 13 %% 90 END,
       CASE WHEN s.probe THEN NULL ELSE 50 + e * 17 %% 40 END,
       CASE WHEN s.probe THEN 35 + 5 * cos(e / 7000.0) + e %% 13 / 10.0 END
FROM (VALUES ('env-2f-01', 2, false, 20, 12.0), ('env-2f-probe', 2, true, 30, 25.0),
             ('env-3f-01', 3, false, 20, 112.0)) AS s (device, floor, probe, every_s, temp)
CROSS JOIN LATERAL generate_series(%(start)s::timestamptz, %(end)s::timestamptz - interval
                                   '1 microsecond', make_interval(secs => s.every_s)) AS t
CROSS JOIN LATERAL (SELECT extract(epoch FROM t)::bigint AS e) AS epoch
"""


def insert_history(
    conn: Connection, site: str, start: datetime, end: datetime, received_at: datetime | None = None
) -> None:
    params = {"site": site, "start": start, "end": end, "received_at": received_at}
    conn.execute(HISTORY, params)


def answer(
    client: TestClient,
    keys: Keys,
    site: str,
    metric: str,
    bucket: str,
    span: tuple[datetime, datetime],
) -> list[Bucket]:
    query = {
        "metric": metric,
        "bucket": bucket,
        "from": span[0].isoformat(),
        "to": span[1].isoformat(),
    }
    response = client.get(
        f"/api/v1/sites/{site}/floors/2/readings", params=query, headers=keys["viewer"]
    )
    assert response.status_code == 200, response.text
    return [Bucket.model_validate(b) for b in response.json()]


def direct(
    conn: Connection, site: str, metric: str, bucket: str, span: tuple[datetime, datetime]
) -> list[Bucket]:
    column, taken = DIRECT[metric]
    query = sql.SQL(
        "SELECT time_bucket(%(width)s, ts) AS ts, avg({v}) AS avg, min({v}) AS min,"
        " max({v}) AS max, count({v}) AS count FROM env_readings"
        " WHERE site_id = %(site)s AND floor = 2 AND ts >= %(from)s AND ts < %(to)s AND {taken}"
        " GROUP BY 1 HAVING count({v}) > 0 ORDER BY 1"
    ).format(v=sql.Identifier(column), taken=sql.SQL(taken))
    params = {
        "width": timedelta(seconds=BUCKETS[bucket]),
        "site": site,
        "from": span[0],
        "to": span[1],
    }
    with conn.cursor(row_factory=class_row(Bucket)) as cur:
        return cur.execute(query, params).fetchall()


def assert_equal(found: list[Bucket], expected: list[Bucket], what: str) -> None:
    assert [(b.ts, b.min, b.max, b.count) for b in found] == [
        (b.ts, b.min, b.max, b.count) for b in expected
    ], what
    assert [b.avg for b in found] == pytest.approx([b.avg for b in expected], rel=1e-9), what


def assert_every_series_equals_a_direct_aggregation(
    client: TestClient, keys: Keys, conn: Connection, site: str, span: tuple[datetime, datetime]
) -> None:
    assert set(METRICS) == set(DIRECT)
    for metric in METRICS:
        for bucket in BUCKETS:
            found = answer(client, keys, site, metric, bucket, span)
            assert_equal(found, direct(conn, site, metric, bucket, span), f"{metric}, {bucket}")
    # something to compare: air readings in every hour of the range, and a probe's
    assert len(direct(conn, site, "temp_c", "1h", span)) >= 28
    assert direct(conn, site, "surface_temp_c", "1h", span)


def rolled_upto(conn: Connection) -> datetime | None:
    query = "SELECT received_upto FROM rollup_watermarks WHERE source = 'env_readings'"
    found: datetime | None = rows(conn, query)[0][0]
    return found


@pytest.mark.usefixtures("loaded_site")
def test_a_range_across_rolled_and_not_yet_rolled_readings_equals_a_direct_aggregation(
    client: TestClient, keys: Keys, conn: Connection, site_id: str
) -> None:
    now = datetime.now(UTC)
    history_from = now - timedelta(hours=27, minutes=17, seconds=13)
    insert_history(conn, site_id, history_from, now)
    refresh_rollups(conn, OVERLAP)
    upto = rolled_upto(conn)
    assert upto is not None
    # received after the refresh: from the start of its minute (so also a reading in that
    # minute that its rollup lacks) into the next hour
    unrolled_from = upto.replace(second=0, microsecond=0) + timedelta(milliseconds=500)
    insert_history(conn, site_id, unrolled_from, upto + timedelta(hours=2), received_at=upto)
    span = (
        history_from + timedelta(minutes=7, seconds=3.25),
        upto + timedelta(hours=1, minutes=13),
    )
    spans = split_range(*span, HOUR, upto)
    assert span[0] < spans.rolled_from < spans.hours_from < spans.hours_to
    assert spans.rolled_to < span[1]
    assert_every_series_equals_a_direct_aggregation(client, keys, conn, site_id, span)

    # a late reading for a rolled hour, then a refresh: the hour and the new minutes rolled
    late = history_from + timedelta(hours=3, seconds=10)
    conn.execute(
        "INSERT INTO env_readings (ts, device_id, site_id, received_at, floor, temp_c, rh_pct)"
        " VALUES (%s, 'env-2f-02', %s, now(), 2, -30.5, 99.5)",
        (late, site_id),
    )
    refresh_rollups(conn, OVERLAP)
    assert_every_series_equals_a_direct_aggregation(client, keys, conn, site_id, span)

    # the rolled part is read from the rollups: without its raw rows, the same answers
    before = {b: answer(client, keys, site_id, "temp_c", b, span) for b in BUCKETS}
    spans = split_range(*span, timedelta(minutes=1), rolled_upto(conn))
    conn.execute(
        "DELETE FROM env_readings WHERE ts >= %s AND ts < %s", (spans.rolled_from, spans.rolled_to)
    )
    for bucket, series in before.items():
        assert_equal(answer(client, keys, site_id, "temp_c", bucket, span), series, bucket)


def test_a_database_never_refreshed_answers_from_the_raw_rows(
    client: TestClient, keys: Keys, conn: Connection, site_id: str, loaded_site: SiteFile
) -> None:
    now = datetime.now(UTC)
    insert_history(conn, site_id, now - timedelta(hours=27), now + timedelta(hours=2))
    assert rolled_upto(conn) is None
    span = (
        now - timedelta(hours=26, minutes=50, seconds=3.25),
        now + timedelta(hours=1, minutes=13),
    )
    assert_every_series_equals_a_direct_aggregation(client, keys, conn, site_id, span)


@pytest.mark.usefixtures("loaded_site")
def test_the_metrics_offered_are_the_floor_rollups_and_others_are_refused(
    client: TestClient, keys: Keys, site_id: str
) -> None:
    path = f"/api/v1/sites/{site_id}/floors/2/readings"
    for metric in ("surface_temp_c", "core_temp_c", "temp_c"):
        response = client.get(path, params={"metric": metric}, headers=keys["viewer"])
        assert response.status_code == 200, metric
        assert response.json() == []
    refused = client.get(path, params={"metric": "wind_mps"}, headers=keys["viewer"])
    assert refused.status_code == 422
    assert "surface_temp_c" in refused.text
