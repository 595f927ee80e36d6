-- One floor as a manager on site looks at it (api/floor_detail.py).

-- name: env_devices
-- The floor's environment sensors and concrete probes with their latest values.
SELECT device_id, last_ts, latest
FROM device_state
WHERE site_id = %(site)s AND floor = %(floor)s AND kind = 'env' AND last_ts IS NOT NULL
ORDER BY device_id;

-- name: workers_by_trade
-- Workers whose tag was heard on the floor in the last 5 minutes (as the floor's status
-- counts them), by trade.
SELECT w.trade, count(*)::int AS workers
FROM device_state AS s
JOIN workers AS w ON w.tag_id = s.device_id AND w.site_id = s.site_id
WHERE s.site_id = %(site)s AND s.floor = %(floor)s AND s.kind = 'tag'
  AND s.last_seen_at > now() - interval '5 min'
GROUP BY w.trade
ORDER BY count(*) DESC, w.trade;

-- name: open_alerts
-- The floor's open (active or acknowledged) alerts, newest first.
SELECT id, state, severity, title, message, floor, raised_at
FROM alerts
WHERE site_id = %(site)s AND floor = %(floor)s AND state IN ('active', 'acknowledged')
ORDER BY id DESC
LIMIT 50;
