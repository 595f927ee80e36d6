-- Every panel's SQL, as Grafana's PostgreSQL data source runs it (TimescaleDB on): macros
-- ($__timeFilter, $__timeGroupAlias, $__timeFrom(), $__timeTo(), $__interval_ms) and the
-- dashboard variables are expanded by Grafana; dashboards/macros.py expands them the same
-- way for tests/integration/test_dashboard_sql.py, which runs every query. Variables are
-- always written ${name:sqlstring} (a quoted SQL literal, quotes doubled), never bare: their
-- values come from URLs (`?var-site=...`). @name@ tokens are filled in by the dashboards
-- package when it builds a panel.
-- Time series read the 1-minute rollups while a point covers less than 5 minutes and the
-- hourly ones beyond (a month on a wall screen): the branch whose condition is false is
-- pruned by the planner, so only one is read.
-- What reads the 1-minute floor rollups across floors names the site's floors
-- (`r.floor = ANY (ARRAY(SELECT level FROM floors ...))`): a range of the primary key
-- for each floor, their only index (migration 0019).

-- name: floor_series
-- One series per floor: @value@ of the floors' rollup rows of @metric@.
SELECT $__timeGroupAlias(r.bucket, $__interval), f.name AS metric, @value@ AS value
FROM floor_rollup_1m AS r
JOIN floors AS f ON f.site_id = r.site_id AND f.level = r.floor
WHERE $__interval_ms < 300000 AND r.site_id = ${site:sqlstring} AND r.metric = '@metric@'
  AND r.floor = ANY (ARRAY(SELECT level FROM floors WHERE site_id = ${site:sqlstring}))
  AND $__timeFilter(r.bucket)
GROUP BY 1, 2
UNION ALL
SELECT $__timeGroupAlias(r.bucket, $__interval), f.name AS metric, @value@ AS value
FROM floor_rollup_1h AS r
JOIN floors AS f ON f.site_id = r.site_id AND f.level = r.floor
WHERE $__interval_ms >= 300000 AND r.site_id = ${site:sqlstring} AND r.metric = '@metric@'
  AND $__timeFilter(r.bucket)
GROUP BY 1, 2
ORDER BY 1;

-- name: floor_metrics
-- One floor (the floor variable): one series per metric in @metrics@.
SELECT $__timeGroupAlias(r.bucket, $__interval), r.metric, @value@ AS value
FROM floor_rollup_1m AS r
WHERE $__interval_ms < 300000 AND r.site_id = ${site:sqlstring}
  AND r.floor = ${floor:sqlstring}::int
  AND r.metric IN (@metrics@) AND $__timeFilter(r.bucket)
GROUP BY 1, 2
UNION ALL
SELECT $__timeGroupAlias(r.bucket, $__interval), r.metric, @value@ AS value
FROM floor_rollup_1h AS r
WHERE $__interval_ms >= 300000 AND r.site_id = ${site:sqlstring}
  AND r.floor = ${floor:sqlstring}::int
  AND r.metric IN (@metrics@) AND $__timeFilter(r.bucket)
GROUP BY 1, 2
ORDER BY 1;

-- name: device_series
-- One series per device of @kind@: @value@ of its rollup rows of @metric@.
SELECT $__timeGroupAlias(r.bucket, $__interval), r.device_id AS metric, @value@ AS value
FROM device_rollup_1m AS r
WHERE $__interval_ms < 300000 AND r.site_id = ${site:sqlstring} AND r.kind = '@kind@'
  AND r.metric = '@metric@' AND $__timeFilter(r.bucket)
GROUP BY 1, 2
UNION ALL
SELECT $__timeGroupAlias(r.bucket, $__interval), r.device_id AS metric, @value@ AS value
FROM device_rollup_1h AS r
WHERE $__interval_ms >= 300000 AND r.site_id = ${site:sqlstring} AND r.kind = '@kind@'
  AND r.metric = '@metric@' AND $__timeFilter(r.bucket)
GROUP BY 1, 2
ORDER BY 1;

-- name: floor_status_history
-- Each floor's status in each slot: 2 alarm (a critical or major alert open), 1 warning
-- (another alert open), 3 offline (the floor has environment sensors and none reported),
-- 0 ok. Slots are at least a minute, or an hour once a point covers 5 minutes.
WITH step AS (
    SELECT CASE WHEN $__interval_ms >= 300000
                THEN greatest(make_interval(secs => $__interval_ms / 1000.0), interval '1 hour')
                ELSE greatest(make_interval(secs => $__interval_ms / 1000.0), interval '1 minute')
           END AS width
), slots AS (
    SELECT slot
    FROM step, generate_series(time_bucket(step.width, $__timeFrom()::timestamptz),
                               $__timeTo()::timestamptz, step.width) AS slot
), heard AS (
    SELECT DISTINCT time_bucket(step.width, r.bucket) AS slot, r.floor
    FROM floor_rollup_1m AS r, step
    WHERE $__interval_ms < 300000 AND r.site_id = ${site:sqlstring}
      AND r.floor = ANY (ARRAY(SELECT level FROM floors WHERE site_id = ${site:sqlstring}))
      AND r.metric IN ('temp_c', 'surface_temp_c') AND $__timeFilter(r.bucket)
    UNION
    SELECT DISTINCT time_bucket(step.width, r.bucket), r.floor
    FROM floor_rollup_1h AS r, step
    WHERE $__interval_ms >= 300000 AND r.site_id = ${site:sqlstring}
      AND r.metric IN ('temp_c', 'surface_temp_c') AND $__timeFilter(r.bucket)
), sensed AS (
    SELECT DISTINCT floor FROM devices WHERE site_id = ${site:sqlstring} AND kind = 'env'
), alerting AS (
    -- each open alert spread over the slots it overlaps: a hash join, not a range join
    SELECT a.floor, s.slot, bool_or(a.severity IN ('critical', 'major')) AS alarm
    FROM alerts AS a, step,
         generate_series(time_bucket(step.width, greatest(a.opened_at, $__timeFrom()::timestamptz)),
                         least(coalesce(a.resolved_at, 'infinity'), $__timeTo()::timestamptz),
                         step.width) AS s (slot)
    WHERE a.site_id = ${site:sqlstring} AND a.floor IS NOT NULL
      AND a.opened_at <= $__timeTo()
      AND coalesce(a.resolved_at, 'infinity') >= $__timeFrom()
    GROUP BY 1, 2
)
SELECT s.slot AS "time", f.name AS metric,
       CASE WHEN a.alarm THEN 2
            WHEN a.floor IS NOT NULL THEN 1
            WHEN f.level IN (SELECT floor FROM sensed) AND h.floor IS NULL THEN 3
            ELSE 0 END AS value
FROM slots AS s
CROSS JOIN floors AS f
LEFT JOIN heard AS h ON h.slot = s.slot AND h.floor = f.level
LEFT JOIN alerting AS a ON a.slot = s.slot AND a.floor = f.level
WHERE f.site_id = ${site:sqlstring}
ORDER BY 1, f.level DESC;

-- name: floors_now
-- Each floor, top first, as the API's floor status has it, with its open alerts.
SELECT f.level, f.name AS floor,
       CASE WHEN coalesce(a.alarms, 0) > 0 THEN 'alarm'
            WHEN coalesce(a.open, 0) > 0 THEN 'warning'
            WHEN d.online = 0 AND d.offline > 0 THEN 'offline'
            ELSE 'ok' END AS status,
       d.workers, d.temp_c, d.rh_pct, d.pm10_ugm3, d.noise_dba,
       coalesce(a.open, 0) AS active_alerts
FROM floors AS f
CROSS JOIN LATERAL (
    SELECT count(*) FILTER (WHERE s.kind = 'tag'
                            AND s.last_seen_at > now() - interval '5 min') AS workers,
           avg((s.latest ->> 'temp_c')::float8) FILTER (WHERE s.kind = 'env'
                                                        AND NOT s.latest ? 'core_temp_c') AS temp_c,
           avg((s.latest ->> 'rh_pct')::float8) FILTER (WHERE s.kind = 'env') AS rh_pct,
           max((s.latest ->> 'pm10_ugm3')::float8) FILTER (WHERE s.kind = 'env') AS pm10_ugm3,
           max((s.latest ->> 'noise_dba')::float8) FILTER (WHERE s.kind = 'env') AS noise_dba,
           count(*) FILTER (WHERE s.kind = 'env' AND s.online) AS online,
           count(*) FILTER (WHERE s.kind = 'env' AND NOT s.online) AS offline
    FROM device_state AS s
    WHERE s.site_id = f.site_id AND s.floor = f.level
) AS d
LEFT JOIN (
    SELECT floor, count(*) AS open,
           count(*) FILTER (WHERE severity IN ('critical', 'major')) AS alarms
    FROM alerts WHERE site_id = ${site:sqlstring} AND state <> 'resolved'
    GROUP BY floor
) AS a ON a.floor = f.level
WHERE f.site_id = ${site:sqlstring} @floor_filter@
ORDER BY f.level DESC;

-- name: cranes_now
SELECT c.id AS crane, (s.latest ->> 'moment_pct')::float8 AS moment_pct,
       (s.latest ->> 'wind_mps')::float8 AS wind_mps, (s.latest ->> 'load_t')::float8 AS load_t,
       (s.latest ->> 'radius_m')::float8 AS radius_m, (s.latest ->> 'tilt_deg')::float8 AS tilt_deg,
       coalesce(s.online, false) AS online, s.last_ts AS last_reading
FROM cranes AS c
LEFT JOIN device_state AS s ON s.device_id = c.id
WHERE c.site_id = ${site:sqlstring}
ORDER BY c.id;

-- name: crane_lifts_today
-- Each crane's work cycles (crane_lifts) begun since the site's midnight.
SELECT c.id AS crane, count(l.started_at)::int AS lifts,
       coalesce(sum(l.max_load_t), 0)::float8 AS tonnes,
       (coalesce(sum(extract(epoch FROM l.ended_at - l.started_at)), 0) / 3600.0)::float8
           AS hours_loaded,
       max(l.max_moment_pct) AS max_moment_pct
FROM cranes AS c
JOIN sites AS s ON s.id = c.site_id
LEFT JOIN crane_lifts AS l ON l.site_id = c.site_id AND l.crane_id = c.id
     AND l.started_at >= date_trunc('day', now(), s.timezone)
WHERE c.site_id = ${site:sqlstring}
GROUP BY c.id
ORDER BY c.id;

-- name: crane_now
-- One value of each crane's latest reading: a bar per crane on the wall.
SELECT c.id AS crane, (s.latest ->> '@metric@')::float8 AS @metric@
FROM cranes AS c
LEFT JOIN device_state AS s ON s.device_id = c.id
WHERE c.site_id = ${site:sqlstring}
ORDER BY c.id;

-- name: workers_on_site
SELECT count(*) AS workers
FROM device_state
WHERE site_id = ${site:sqlstring} AND kind = 'tag' AND last_seen_at > now() - interval '5 min'
  @floor_filter@;

-- name: open_alerts
SELECT count(*) AS open_alerts,
       count(*) FILTER (WHERE severity IN ('critical', 'major')) AS alarms
FROM alerts
WHERE site_id = ${site:sqlstring} AND state <> 'resolved' @floor_filter@;

-- name: newest_alerts
SELECT raised_at AS "time", severity, state, floor, title, message
FROM alerts
WHERE site_id = ${site:sqlstring} @floor_filter@
ORDER BY raised_at DESC
LIMIT @limit@;

-- name: alerts_in_range
SELECT raised_at AS "time", severity, state, rule_id, subject, floor, title, value,
       worst_value, breaches, acknowledged_by, acknowledged_at, resolved_at
FROM alerts
WHERE site_id = ${site:sqlstring} AND raised_at <= $__timeTo()
  AND coalesce(resolved_at, 'infinity') >= $__timeFrom()
ORDER BY raised_at DESC
LIMIT 500;

-- name: alerts_raised
-- Alerts raised (opened or reopened) per bucket, one series per severity.
SELECT $__timeGroupAlias(e.at, $__interval), a.severity AS metric, count(*) AS value
FROM alert_events AS e
JOIN alerts AS a ON a.id = e.alert_id
WHERE a.site_id = ${site:sqlstring} AND e.kind IN ('opened', 'reopened') AND $__timeFilter(e.at)
GROUP BY 1, 2
ORDER BY 1;

-- name: alerts_by_rule
SELECT rule_id, count(*) AS alerts, sum(raised) AS raised,
       count(*) FILTER (WHERE state <> 'resolved') AS open
FROM alerts
WHERE site_id = ${site:sqlstring} AND raised_at <= $__timeTo()
  AND coalesce(resolved_at, 'infinity') >= $__timeFrom()
GROUP BY rule_id
ORDER BY alerts DESC;

-- name: alerts_response
-- How long alerts raised in the range waited for a person, median and worst, minutes.
SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY ack_min) AS median_ack_min,
       max(ack_min) AS worst_ack_min,
       count(*) FILTER (WHERE acknowledged_at IS NULL AND state = 'active') AS unacknowledged
FROM (
    SELECT state, acknowledged_at,
           extract(epoch FROM acknowledged_at - raised_at) / 60 AS ack_min
    FROM alerts
    WHERE site_id = ${site:sqlstring} AND $__timeFilter(raised_at)
) AS a;

-- name: floor_devices
SELECT d.id AS device, d.kind, d.zone, coalesce(s.online, false) AS online, s.last_ts AS last_reading,
       (s.latest ->> 'temp_c')::float8 AS temp_c, (s.latest ->> 'rh_pct')::float8 AS rh_pct,
       (s.latest ->> 'pm10_ugm3')::float8 AS pm10_ugm3,
       (s.latest ->> 'noise_dba')::float8 AS noise_dba,
       (s.latest ->> 'core_temp_c')::float8 AS core_temp_c
FROM devices AS d
LEFT JOIN device_state AS s ON s.device_id = d.id
WHERE d.site_id = ${site:sqlstring} AND d.kind = 'env'
  AND d.floor = ${floor:sqlstring}::int
ORDER BY d.id;

-- name: noise_limit
-- The site's construction noise limit at the boundary on the site's clock: 70 dB(A) by
-- day, 55 dB(A) at night, 22:00-06:00 (GB 12523-2011), in 5-minute steps.
SELECT slot AS "time",
       CASE WHEN extract(hour FROM slot AT TIME ZONE s.timezone) >= 22
              OR extract(hour FROM slot AT TIME ZONE s.timezone) < 6 THEN 55 ELSE 70
       END AS "limit"
FROM sites AS s,
     generate_series(time_bucket('5 minutes', $__timeFrom()::timestamptz),
                     $__timeTo()::timestamptz, interval '5 minutes') AS slot
WHERE s.id = ${site:sqlstring}
ORDER BY 1;

-- name: noise_over_limit
-- Minutes in the range whose loudest reading on the floor was above the limit of that
-- minute on the site's clock.
SELECT f.name AS floor, count(*) AS minutes_over, max(r.max) AS loudest_dba
FROM floor_rollup_1m AS r
JOIN floors AS f ON f.site_id = r.site_id AND f.level = r.floor
JOIN sites AS s ON s.id = r.site_id
WHERE r.site_id = ${site:sqlstring} AND r.metric = 'noise_dba' AND $__timeFilter(r.bucket)
  AND r.floor = ANY (ARRAY(SELECT level FROM floors WHERE site_id = ${site:sqlstring}))
  AND r.max > CASE WHEN extract(hour FROM r.bucket AT TIME ZONE s.timezone) >= 22
                     OR extract(hour FROM r.bucket AT TIME ZONE s.timezone) < 6 THEN 55 ELSE 70
              END
GROUP BY f.level, f.name
ORDER BY f.level DESC;

-- name: task_excursions
-- Per task: its excursions (a quality spec's condition held on the task's floors while it
-- was under way) overlapping the range, and the minutes they lasted within it.
SELECT x.task_id AS task, t.name, t.type, count(*) AS excursions,
       round((sum(extract(epoch FROM least(coalesce(x.ended_at, now()), $__timeTo())
                                   - greatest(x.started_at, $__timeFrom()))) / 60)::numeric, 1)
           AS minutes_out_of_spec,
       string_agg(DISTINCT x.rule_id, ', ') AS rules,
       count(*) FILTER (WHERE x.ended_at IS NULL) AS ongoing,
       max(x.started_at) AS last_started
FROM task_excursions AS x
JOIN tasks AS t ON t.site_id = x.site_id AND t.id = x.task_id
WHERE x.site_id = ${site:sqlstring} AND x.started_at <= $__timeTo()
  AND coalesce(x.ended_at, 'infinity') >= $__timeFrom()
GROUP BY x.task_id, t.name, t.type
ORDER BY minutes_out_of_spec DESC;

-- name: tasks_under_way
-- The tasks under way now, with their open alerts and whether their crew is on site.
SELECT t.id AS task, t.name, t.type, array_to_string(t.floors, ', ') AS floors,
       t.planned_start, t.planned_finish, t.status, t.crew_planned,
       (SELECT count(*) FROM alerts AS a
        WHERE a.site_id = t.site_id AND a.task_id = t.id AND a.state <> 'resolved') AS open_alerts
FROM tasks AS t
WHERE t.site_id = ${site:sqlstring} AND t.removed_at IS NULL
  AND lower(t.active) <= now() AND (upper(t.active) IS NULL OR upper(t.active) > now())
ORDER BY t.planned_start, t.id;

-- name: task_excursion_list
-- Each excursion in the range: which spec, which sensor, from when to when, the worst value.
SELECT x.started_at AS time, x.task_id AS task, x.rule_id AS rule, x.device_id AS sensor,
       x.ended_at AS ended, round((extract(epoch FROM coalesce(x.ended_at, now())
                                                   - x.started_at) / 60)::numeric, 1) AS minutes,
       x.worst_value
FROM task_excursions AS x
WHERE x.site_id = ${site:sqlstring} AND x.started_at <= $__timeTo()
  AND coalesce(x.ended_at, 'infinity') >= $__timeFrom()
ORDER BY x.started_at;

-- name: pour_strength
-- Each pour's in-place strength per probe over time: the Nurse-Saul temperature-time
-- factor over the probe's core readings since the pour (trapezoids, readings further apart
-- than the site's gap limit not bridged, no gain below the datum), through the grade's
-- curve S = a + b log10(M). The method of concrete/maturity.py and concrete/strength.py,
-- which the API uses; tests/concrete/test_strength_panel.py holds the two to one value.
WITH pours AS (
    SELECT t.site_id, t.id, t.floors, t.zones, coalesce(t.actual_start, t.planned_start) AS since,
           (c.settings->>'datum_c')::float8 AS datum_c,
           make_interval(secs => (c.settings->>'gap_limit_h')::float8 * 3600) AS gap_limit,
           c.settings->'curves'->coalesce(t.grade, c.settings->>'default_grade') AS curve
    FROM tasks AS t
    JOIN site_concrete AS c ON c.site_id = t.site_id
    WHERE t.site_id = ${site:sqlstring} AND t.type = 'pour' AND t.removed_at IS NULL
      AND coalesce(t.actual_start, t.planned_start) <= $__timeTo()
      AND coalesce(t.actual_start, t.planned_start) > $__timeFrom()::timestamptz - interval '90 days'
), steps AS (
    SELECT p.id, r.device_id, r.ts, p.curve,
           CASE WHEN r.ts - lag(r.ts) OVER w <= p.gap_limit
                THEN greatest((r.core_temp_c + lag(r.core_temp_c) OVER w) / 2 - p.datum_c, 0)
                     * extract(epoch FROM r.ts - lag(r.ts) OVER w) / 3600
                ELSE 0 END AS gained
    FROM pours AS p
    JOIN env_readings AS r
      ON r.site_id = p.site_id AND r.floor = ANY(p.floors)
     AND (cardinality(p.zones) = 0 OR r.zone = ANY(p.zones))
     AND r.core_temp_c IS NOT NULL AND r.ts >= p.since AND r.ts <= $__timeTo()
    WINDOW w AS (PARTITION BY p.id, r.device_id ORDER BY r.ts)
), matured AS (
    SELECT id, device_id, ts, curve,
           sum(gained) OVER (PARTITION BY id, device_id ORDER BY ts) AS maturity
    FROM steps
)
SELECT $__timeGroupAlias(ts, $__interval), id || ' ' || device_id AS metric,
       max(CASE WHEN maturity > 0
                THEN greatest(0, (curve->>'a_mpa')::float8
                                 + (curve->>'b_mpa')::float8 * log(maturity))
                ELSE 0 END) AS value
FROM matured
WHERE $__timeFilter(ts)
GROUP BY 1, 2
ORDER BY 1;

-- name: var_sites
SELECT id AS __value, name AS __text FROM sites ORDER BY id;

-- name: var_floors
SELECT level AS __value, name AS __text FROM floors WHERE site_id = ${site:sqlstring}
ORDER BY level DESC;
