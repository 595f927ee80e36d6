-- Rollups of the readings at 1 minute and 1 hour, per device and per floor, in a long
-- shape (one row per bucket and metric) that Grafana queries directly:
--   SELECT bucket AS time, avg FROM floor_rollup_1h WHERE site_id = .. AND floor = ..
--          AND metric = 'temp_c' AND bucket BETWEEN ..
-- sum and count make re-rolling exact (1 h from 1 min); last_ts makes `last` re-rollable.
-- Maintained by storage/rollups.py (a scheduled job, not TimescaleDB's job scheduler: its
-- add_job is not in the Apache edition). Floor rollups hold env metrics by floor and
-- `workers`: distinct tags heard on the floor in the minute (the hour rolls those minutes).

CREATE TABLE device_rollup_1m (
    bucket    timestamptz NOT NULL,
    device_id text NOT NULL,
    metric    text NOT NULL,
    site_id   text NOT NULL,
    kind      text NOT NULL,
    min       double precision NOT NULL,
    max       double precision NOT NULL,
    avg       double precision NOT NULL,
    sum       double precision NOT NULL,
    count     bigint NOT NULL,
    last      double precision NOT NULL,
    last_ts   timestamptz NOT NULL,
    PRIMARY KEY (device_id, metric, bucket)
);
SELECT create_hypertable('device_rollup_1m', by_range('bucket', INTERVAL '7 days'),
                         create_default_indexes => false);
CREATE INDEX device_rollup_1m_site ON device_rollup_1m (site_id, kind, metric, bucket DESC);

CREATE TABLE device_rollup_1h (LIKE device_rollup_1m INCLUDING ALL);
SELECT create_hypertable('device_rollup_1h', by_range('bucket', INTERVAL '90 days'),
                         create_default_indexes => false);
CREATE INDEX device_rollup_1h_site ON device_rollup_1h (site_id, kind, metric, bucket DESC);

CREATE TABLE floor_rollup_1m (
    bucket    timestamptz NOT NULL,
    site_id   text NOT NULL,
    floor     integer NOT NULL,
    metric    text NOT NULL,
    kind      text NOT NULL,
    min       double precision NOT NULL,
    max       double precision NOT NULL,
    avg       double precision NOT NULL,
    sum       double precision NOT NULL,
    count     bigint NOT NULL,
    last      double precision NOT NULL,
    last_ts   timestamptz NOT NULL,
    PRIMARY KEY (site_id, floor, metric, bucket)
);
SELECT create_hypertable('floor_rollup_1m', by_range('bucket', INTERVAL '7 days'),
                         create_default_indexes => false);
CREATE INDEX floor_rollup_1m_metric ON floor_rollup_1m (site_id, metric, bucket DESC);

CREATE TABLE floor_rollup_1h (LIKE floor_rollup_1m INCLUDING ALL);
SELECT create_hypertable('floor_rollup_1h', by_range('bucket', INTERVAL '90 days'),
                         create_default_indexes => false);
CREATE INDEX floor_rollup_1h_metric ON floor_rollup_1h (site_id, metric, bucket DESC);

-- Which readings the rollups have seen: every row received after `received_upto` (less
-- the job's overlap) marks its buckets for re-rolling. BRIN indexes on received_at find
-- those rows for almost nothing at insert time (received_at follows the insert order).
CREATE TABLE rollup_watermarks (
    source         text PRIMARY KEY,
    received_upto  timestamptz,  -- NULL: never refreshed
    refreshed_at   timestamptz
);
INSERT INTO rollup_watermarks (source)
VALUES ('crane_readings'), ('tag_readings'), ('env_readings');
CREATE INDEX crane_readings_received ON crane_readings USING brin (received_at);
CREATE INDEX tag_readings_received ON tag_readings USING brin (received_at);
CREATE INDEX env_readings_received ON env_readings USING brin (received_at);
-- tag_readings has no ts index (0002); re-rolling a minute range needs one, and BRIN
-- costs ingest next to nothing.
CREATE INDEX tag_readings_ts_brin ON tag_readings USING brin (ts);

-- The read-only role Grafana connects as. Roles are cluster-wide: create it only once
-- (other databases on the server may have made it); NOLOGIN here, the deployment gives it
-- LOGIN and a password (deploy/compose.yaml, README "Grafana").
DO $$
BEGIN
    IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'sitepulse_grafana') THEN
        CREATE ROLE sitepulse_grafana NOLOGIN;
    END IF;
EXCEPTION WHEN duplicate_object OR unique_violation THEN
    NULL;  -- created concurrently by another database's migration
END $$;
GRANT USAGE ON SCHEMA public TO sitepulse_grafana;
GRANT SELECT ON sites, floors, zones, cranes, devices, workers, device_state,
                crane_readings, tag_readings, env_readings,
                device_rollup_1m, device_rollup_1h, floor_rollup_1m, floor_rollup_1h,
                rollup_watermarks, alerts, alert_events, tasks, task_excursions,
                site_regimes
    TO sitepulse_grafana;
