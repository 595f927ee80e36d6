-- The batch writer (ingest/writer.py): rows are COPYed straight into the hypertables; when
-- a batch holds a reading already stored, into per-session staging tables instead, then
-- moved across skipping (device_id, ts) already stored. The staging tables hold each
-- device's newest row for device_state. All in the batch's one transaction.

-- name: create_staging
CREATE TEMP TABLE IF NOT EXISTS crane_stage (LIKE crane_readings) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS tag_stage (LIKE tag_readings) ON COMMIT DELETE ROWS;
CREATE TEMP TABLE IF NOT EXISTS env_stage (LIKE env_readings) ON COMMIT DELETE ROWS;

-- name: move_crane
INSERT INTO crane_readings SELECT * FROM crane_stage ON CONFLICT DO NOTHING;

-- name: move_tag
INSERT INTO tag_readings SELECT * FROM tag_stage ON CONFLICT DO NOTHING;

-- name: move_env
INSERT INTO env_readings SELECT * FROM env_stage ON CONFLICT DO NOTHING;

-- name: upsert_device_state
-- "Latest" is the reading with the greatest min(ts, received_at), not the last to arrive:
-- a late batch refreshes last_seen_at but never overwrites newer values, and a reading
-- stamped ahead of its arrival (a fast clock) counts from its arrival, so that it cannot
-- hold the device's values still. Each device's newest staged row is picked first, and
-- only that row is turned into JSON. `newest`: newest_staged of each kind, joined by
-- UNION ALL, its `latest` the kind's measurements as core/measurements.py declares them
-- ('key', column, ...; a key left out is absent or shows its declared default), filled in
-- once by ingest/writer.py.
INSERT INTO device_state AS d
    (device_id, site_id, kind, last_ts, latest_at, clock_ahead_s, last_seen_at, latest,
     floor, zone, online, status_changed_at, status_reason)
SELECT device_id, site_id, kind, ts, least(ts, received_at),
       greatest(extract(epoch FROM ts - received_at), 0), received_at, latest, floor, zone,
       true, received_at, 'data received'
FROM ({newest}) AS s
ON CONFLICT (device_id) DO UPDATE SET
    latest = CASE WHEN d.latest_at IS NULL OR excluded.latest_at >= d.latest_at
                  THEN d.latest || excluded.latest ELSE d.latest END,
    floor = CASE WHEN d.latest_at IS NULL OR excluded.latest_at >= d.latest_at
                 THEN excluded.floor ELSE d.floor END,
    zone = CASE WHEN d.latest_at IS NULL OR excluded.latest_at >= d.latest_at
                THEN excluded.zone ELSE d.zone END,
    last_ts = CASE WHEN d.latest_at IS NULL OR excluded.latest_at >= d.latest_at
                   THEN excluded.last_ts ELSE d.last_ts END,
    clock_ahead_s = CASE WHEN d.latest_at IS NULL OR excluded.latest_at >= d.latest_at
                         THEN excluded.clock_ahead_s ELSE d.clock_ahead_s END,
    latest_at = greatest(d.latest_at, excluded.latest_at),
    last_seen_at = greatest(d.last_seen_at, excluded.last_seen_at),
    online = true,
    status_changed_at = CASE WHEN d.online THEN d.status_changed_at ELSE excluded.status_changed_at END,
    status_reason = CASE WHEN d.online THEN d.status_reason ELSE excluded.status_reason END;

-- name: newest_staged
SELECT device_id, site_id, {kind} AS kind, ts, received_at, floor, zone,
       jsonb_strip_nulls(jsonb_build_object({latest})) AS latest
FROM (SELECT DISTINCT ON (device_id) * FROM {stage}
      ORDER BY device_id, least(ts, received_at) DESC, ts DESC) AS newest

-- name: gateway_seen
INSERT INTO device_state AS d
    (device_id, site_id, kind, last_seen_at, online, status_changed_at, status_reason)
VALUES (%(device_id)s, %(site_id)s, 'gateway', %(seen_at)s, true, %(seen_at)s, 'data received')
ON CONFLICT (device_id) DO UPDATE SET
    last_seen_at = greatest(d.last_seen_at, excluded.last_seen_at),
    online = true,
    status_changed_at = CASE WHEN d.online THEN d.status_changed_at ELSE excluded.status_changed_at END,
    status_reason = CASE WHEN d.online THEN d.status_reason ELSE excluded.status_reason END;

-- name: apply_status
-- A retained status (delivered on subscribe, of unknown age) only fills a blank state.
INSERT INTO device_state AS d (device_id, site_id, kind, online, status_changed_at, status_reason)
VALUES (%(device_id)s, %(site_id)s, %(kind)s, %(online)s, %(received_at)s, %(reason)s)
ON CONFLICT (device_id) DO UPDATE SET
    online = excluded.online,
    status_changed_at = excluded.status_changed_at,
    status_reason = excluded.status_reason
WHERE d.online IS DISTINCT FROM excluded.online AND NOT %(retained)s;

-- name: insert_dead_letter_payload
-- Once per refused message, whatever number of its items were refused.
INSERT INTO dead_letter_payloads (sha256, payload, size_bytes, truncated)
VALUES (%(sha256)s, %(payload)s, %(size_bytes)s, %(truncated)s)
ON CONFLICT (sha256) DO NOTHING;

-- name: upsert_dead_letter
INSERT INTO dead_letters AS l
    (letter_key, received_at, last_received_at, repeats, topic, site_id, payload_sha256, item,
     reason)
VALUES (dead_letter_key(%(topic)s, %(payload_sha256)s, %(item)s), %(received_at)s,
        %(received_at)s, %(repeats)s, %(topic)s, %(site_id)s, %(payload_sha256)s, %(item)s,
        %(reason)s)
ON CONFLICT (letter_key) DO UPDATE SET
    repeats = l.repeats + excluded.repeats,
    last_received_at = greatest(l.last_received_at, excluded.last_received_at);

-- name: notify_committed
SELECT pg_notify('sitepulse_readings', %(payload)s);

-- name: mark_offline
-- The no-data timeout: devices whose kind's timeout has passed since they were last heard
-- (a timeout of 0 means none for that kind).
UPDATE device_state AS d
SET online = false, status_changed_at = now(),
    status_reason = format('no data for %%s s', t.timeout_s)
FROM unnest(%(kinds)s::text[], %(timeouts)s::integer[]) AS t (kind, timeout_s)
WHERE d.kind = t.kind AND d.online IS TRUE AND t.timeout_s > 0
  AND d.last_seen_at < now() - make_interval(secs => t.timeout_s)
RETURNING d.device_id;
