-- Rollups (migration 0008). `source` is a readings table, `kind` its kind and the series
-- the measurements core/measurements.py declares rolled up: filled in by storage/rollups.py.

-- name: watermark
-- A source's watermark and what its last refresh counted of its overlap (0008, 0012), and
-- the time this refresh begins.
SELECT received_upto, overlap_from, overlap_minutes, overlap_rows, clock_timestamp() AS clock
FROM rollup_watermarks WHERE source = %(source)s;

-- name: set_watermark
UPDATE rollup_watermarks
SET received_upto = %(upto)s, overlap_from = %(overlap_from)s,
    overlap_minutes = %(overlap_minutes)s, overlap_rows = %(overlap_rows)s,
    refreshed_at = now()
WHERE source = %(source)s;

-- name: received_settings
-- For the transaction that counts the rows received: by the received_at BRIN index of
-- each chunk (migrations 0008, 0011), never a scan of every chunk. Where rows were loaded
-- out of received_at order the planner rates the index as useless, yet the block ranges
-- whose newest row is older than the watermark, all but a few, are still skipped. No JIT:
-- a month of chunks costs the plan past jit_above_cost, and compiling it took 58 of the
-- 100 ms the count took (30 days of a 50-floor tower, 2026-12-02).
SELECT set_config('enable_seqscan', 'off', true), set_config('jit', 'off', true);

-- name: received_minutes
-- Per minute (of ts), the rows received since the last refresh less the overlap
-- (`since`), counted three ways: received after the last refresh (`seen_upto`); in its
-- overlap, counted again; in this refresh's overlap (from `overlap_from`), for the next.
SELECT time_bucket('1 minute', ts) AS minute,
       count(*) FILTER (WHERE received_at > %(seen_upto)s) AS fresh,
       count(*) FILTER (WHERE received_at <= %(seen_upto)s) AS recounted,
       count(*) FILTER (WHERE received_at > %(overlap_from)s) AS overlap
FROM {source}
WHERE received_at > %(since)s AND received_at <= %(upto)s
GROUP BY 1
ORDER BY 1;

-- name: reroll_settings
-- For the transaction that re-rolls a range: its sorts in memory (6 hours of a 50-floor
-- tower's environment sensors sort ~30 MB), and no JIT: each statement runs once, and
-- compiling it costs more than it saves.
SELECT set_config('work_mem', '64MB', true), set_config('jit', 'off', true);

-- name: commit_lazily
-- A refresh's transactions do not wait for their commit to reach the disk (a wait of
-- ~15 ms each, most of a quiet minute's refresh). A crash loses at most the last of them,
-- in the order they committed, and the watermark commits last: a refresh whose watermark
-- was lost is redone whole by the next, and re-rolling is idempotent.
SELECT set_config('synchronous_commit', 'off', true);

-- name: write
-- A range's rows (`rows`: series_rows or workers) into a rollup table (`columns`: its
-- own), in primary key order (`key`), which costs the index least; where buckets were
-- rolled before, a row overwrites the one stored (`overwrite`). (Leaving out first the
-- rows equal to those stored, by a probe of the index each, made the per-minute refresh
-- twice as slow as the lock ON CONFLICT DO UPDATE takes on each: measured, 2026-12-02.)
INSERT INTO {target} ({columns})
SELECT {columns} FROM ({rows}) AS rolled
ORDER BY {key}
{overwrite};

-- name: series_rows
-- A kind's series per `width` (1 minute or 1 hour) at one level, from the raw rows of
-- [lo, hi); `minutes` keeps the rows of the touched minutes only (for the 1-minute
-- rollups; an hour takes every row of its own). The rows are aggregated once per bucket
-- and `group` (the level's key columns but the metric: `aggregates`, a series_aggregates
-- for each series), then each series becomes a row (`series`: a series_row each; `keys`:
-- the level's key columns as r.column, m.metric and the kind, each named as its column).
SELECT r.bucket, {keys}, m.min, m.max, m.sum / m.count AS avg, m.sum, m.count, m.last,
       m.last_ts
FROM (
    SELECT time_bucket({width}, ts) AS bucket, {group}, {aggregates}
    FROM {source}
    WHERE ts >= %(lo)s AND ts < %(hi)s {only} {minutes}
    GROUP BY {group}, 1
) AS r
CROSS JOIN LATERAL (VALUES {series}) AS m (metric, min, max, sum, count, last, last_ts)
WHERE m.count > 0

-- name: series_aggregates
-- One series' aggregates, over the rows it is taken from (`taken`: its value not null and,
-- per floor, the probes' readings or the others' where the floor names them apart).
-- sum / count is avg(): PostgreSQL's avg of float8 is the same sum over the same count.
min({value}) FILTER (WHERE {taken}) AS {name}_min,
max({value}) FILTER (WHERE {taken}) AS {name}_max,
sum({value}) FILTER (WHERE {taken}) AS {name}_sum,
count(*) FILTER (WHERE {taken}) AS {name}_count,
last({value}, ts) FILTER (WHERE {taken}) AS {name}_last,
max(ts) FILTER (WHERE {taken}) AS {name}_last_ts

-- name: series_row
({metric}, r.{name}_min, r.{name}_max, r.{name}_sum, r.{name}_count, r.{name}_last,
 r.{name}_last_ts)

-- name: workers
-- `workers`: distinct tags heard on the floor in the minute, one observation a minute; an
-- hour holds the minutes' min, max, mean, sum, count (of minutes) and last.
SELECT time_bucket({width}, minute) AS bucket, site_id, floor, 'workers' AS metric,
       'tag' AS kind, min(n) AS min, max(n) AS max, avg(n) AS avg, sum(n) AS sum,
       count(*) AS count, last(n, last_ts) AS last, max(last_ts) AS last_ts
FROM (
    SELECT time_bucket('1 minute', ts) AS minute, site_id, floor,
           count(DISTINCT device_id)::float8 AS n, max(ts) AS last_ts
    FROM tag_readings
    WHERE ts >= %(lo)s AND ts < %(hi)s AND floor IS NOT NULL {minutes}
    GROUP BY 1, 2, 3
) AS heard
GROUP BY 2, 3, 1

-- name: touched_only
AND time_bucket('1 minute', ts) = ANY(%(minutes)s)

-- name: overwrite
-- (Left out where the range was never rolled: a source's first refresh, storage/rollups.py.)
-- A bucket rolled again takes the new row in place of the old (`key`: the level's
-- primary key), unless they are the same: most of the minutes a refresh's overlap rolls
-- again are. It holds every group it held: readings are never updated nor deleted
-- (retention drops whole chunks, past any reading still accepted).
ON CONFLICT ({key}) DO UPDATE
SET site_id = excluded.site_id, kind = excluded.kind, min = excluded.min,
    max = excluded.max, avg = excluded.avg, sum = excluded.sum, count = excluded.count,
    last = excluded.last, last_ts = excluded.last_ts
WHERE {target} IS DISTINCT FROM excluded
