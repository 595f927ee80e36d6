-- Rollups (migration 0008). `source` is a readings table, `kind` its kind and `metrics`
-- the measurements core/measurements.py declares rolled up: filled in by storage/rollups.py.

-- name: received_upto
SELECT received_upto FROM rollup_watermarks WHERE source = %(source)s;

-- name: set_received_upto
UPDATE rollup_watermarks SET received_upto = %(upto)s, refreshed_at = now()
WHERE source = %(source)s;

-- name: touched_minutes
-- The minutes that hold rows received since the last refresh (less the overlap).
SELECT DISTINCT time_bucket('1 minute', ts) FROM {source}
WHERE received_at > coalesce(%(since)s::timestamptz, '-infinity') AND received_at <= %(upto)s
ORDER BY 1;

-- name: delete
-- A range of a kind's rollups at one level and width, before it is rolled again.
DELETE FROM {target} WHERE kind = %(kind)s AND bucket >= %(lo)s AND bucket < %(hi)s;

-- name: minute
-- A kind's rolled-up measurements per minute, at one level (`keys`: the level's key
-- columns, as r.column, m.metric and the kind). `metrics` is ('key', r.column), ...; per
-- floor a concrete probe's temp_c is the concrete surface, not the air, so its metric is
-- (CASE WHEN r.core_temp_c IS NULL THEN 'temp_c' ELSE 'surface_temp_c' END, r.temp_c).
INSERT INTO {target} (bucket, {columns}, min, max, avg, sum, count, last, last_ts)
SELECT time_bucket('1 minute', r.ts), {keys},
       min(m.value), max(m.value), avg(m.value), sum(m.value), count(*),
       last(m.value, r.ts), max(r.ts)
FROM {source} AS r
CROSS JOIN LATERAL (VALUES {metrics}) AS m (metric, value)
WHERE r.ts >= %(lo)s AND r.ts < %(hi)s AND m.value IS NOT NULL {only}
GROUP BY 1, 2, 3, 4;

-- name: floor_1m_workers
-- `workers`: distinct tags heard on the floor in the minute, one observation a minute.
INSERT INTO floor_rollup_1m (bucket, site_id, floor, metric, kind,
                             min, max, avg, sum, count, last, last_ts)
SELECT minute, site_id, floor, 'workers', 'tag', n, n, n, n, 1, n, last_ts
FROM (
    SELECT time_bucket('1 minute', ts) AS minute, site_id, floor,
           count(DISTINCT device_id)::float8 AS n, max(ts) AS last_ts
    FROM tag_readings
    WHERE ts >= %(lo)s AND ts < %(hi)s AND floor IS NOT NULL
    GROUP BY 1, 2, 3
) AS heard;

-- name: hour
-- The hours from the minutes, at one level (`keys`: the level's key columns).
INSERT INTO {target} (bucket, {keys}, min, max, avg, sum, count, last, last_ts)
SELECT time_bucket('1 hour', bucket), {keys},
       min(min), max(max), sum(sum) / sum(count), sum(sum), sum(count),
       last(last, last_ts), max(last_ts)
FROM {source}
WHERE kind = %(kind)s AND bucket >= %(lo)s AND bucket < %(hi)s
GROUP BY 1, 2, 3, 4, 5;
