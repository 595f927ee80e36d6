-- name: fresh_minute
-- The last minute's readings from every env sensor and tag, and a few late ones an hour
-- old: what a refresh sees each minute.
INSERT INTO env_readings (ts, device_id, site_id, received_at, floor, temp_c, rh_pct, noise_dba)
SELECT t, d.id, d.site_id, clock_timestamp(), d.floor, 15 + random(), 60, 60
FROM devices AS d,
     LATERAL (VALUES (clock_timestamp() - interval '1 s' * (1 + hashtext(d.id) %% 59)),
                     (clock_timestamp() - interval '1 hour' + interval '1 s' * (hashtext(d.id) %% 59)))
         AS late (t)
WHERE d.site_id = %(site)s AND d.kind = 'env'
ON CONFLICT DO NOTHING;

-- name: summarize_received
-- The received_at block ranges the history filled, summarized as autosummarize (migration
-- 0011) does while ingest fills them: loaded in one go, they outrun autovacuum's queue.
SELECT sum(brin_summarize_new_values(i.indexrelid))
FROM pg_index AS i
JOIN pg_class AS c ON c.oid = i.indexrelid
WHERE c.relname LIKE '%readings_received';

-- name: span
-- The hours a readings table's rows fall in: the ranges a backfill of it rolls.
SELECT time_bucket('1 hour', min(ts)), time_bucket('1 hour', max(ts)) FROM {source};

-- name: ceiling_table
-- Where the ceiling writes a readings table's partial aggregates: no index, no WAL.
CREATE TEMPORARY TABLE IF NOT EXISTS {table} AS
SELECT time_bucket('1 minute', ts) AS minute, device_id, site_id, floor, {aggregates}
FROM {source}
GROUP BY 1, 2, 3, 4
WITH NO DATA;

-- name: ceiling
-- PostgreSQL reading a range of a readings table's raw rows once and aggregating them per
-- minute and device (and floor): every series the rollups take, each once.
INSERT INTO {table}
SELECT time_bucket('1 minute', ts), device_id, site_id, floor, {aggregates}
FROM {source}
WHERE ts >= %(lo)s AND ts < %(hi)s
GROUP BY 1, 2, 3, 4;

-- name: drop_ceiling_table
DROP TABLE IF EXISTS {table};
