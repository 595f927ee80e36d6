-- A floor's environment over time (api/floor_series.py).

-- name: rolled_upto
-- How far the environment rollups reach: the readings received up to then (NULL: never
-- refreshed, so none).
SELECT received_upto FROM rollup_watermarks WHERE source = 'env_readings';

-- name: floor_series
-- One metric on one floor per time bucket. The range [from, to) is read in five parts, in
-- order: raw rows, 1-minute rollups, hourly rollups, 1-minute rollups, raw rows (bounds
-- from api/floor_series.py; an empty part costs one index probe). A raw row counts as a
-- rollup of one. `value` is the metric's column and `only` the rows it is taken from,
-- as storage/rollups.py takes them (a concrete probe's temp_c is `surface_temp_c`, not
-- the air's `temp_c`): filled in by api/floor_series.py.
SELECT time_bucket(%(bucket)s, ts) AS ts, sum(sum) / sum(count) AS avg, min(min) AS min,
       max(max) AS max, sum(count)::bigint AS count
FROM (
    SELECT r.ts, r.{value} AS sum, r.{value} AS min, r.{value} AS max, 1 AS count
    FROM env_readings AS r
    WHERE r.site_id = %(site)s AND r.floor = %(floor)s
      AND r.ts >= %(from)s AND r.ts < %(rolled_from)s AND {only}
    UNION ALL
    SELECT bucket, sum, min, max, count FROM floor_rollup_1m
    WHERE site_id = %(site)s AND floor = %(floor)s AND metric = %(metric)s
      AND bucket >= %(rolled_from)s AND bucket < %(hours_from)s
    UNION ALL
    SELECT bucket, sum, min, max, count FROM floor_rollup_1h
    WHERE site_id = %(site)s AND floor = %(floor)s AND metric = %(metric)s
      AND bucket >= %(hours_from)s AND bucket < %(hours_to)s
    UNION ALL
    SELECT bucket, sum, min, max, count FROM floor_rollup_1m
    WHERE site_id = %(site)s AND floor = %(floor)s AND metric = %(metric)s
      AND bucket >= %(hours_to)s AND bucket < %(rolled_to)s
    UNION ALL
    SELECT r.ts, r.{value}, r.{value}, r.{value}, 1
    FROM env_readings AS r
    WHERE r.site_id = %(site)s AND r.floor = %(floor)s
      AND r.ts >= %(rolled_to)s AND r.ts < %(to)s AND {only}
) AS parts
GROUP BY 1 ORDER BY 1;
