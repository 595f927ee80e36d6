-- name: zones
SELECT id, floor, name, polygon, hazard FROM zones WHERE site_id = %(site)s ORDER BY floor, id;

-- name: devices
SELECT d.id, d.kind, d.name, d.floor, d.zone, d.gateway_id AS gateway,
       s.online, s.status_changed_at, s.status_reason, s.last_seen_at, s.last_ts, s.latest
FROM devices AS d LEFT JOIN device_state AS s ON s.device_id = d.id
WHERE d.site_id = %(site)s AND (%(kind)s::text IS NULL OR d.kind = %(kind)s)
ORDER BY d.id LIMIT %(limit)s OFFSET %(offset)s;

-- name: workers
-- Present: the worker's tag was heard in the last 5 minutes; where it was then.
SELECT w.id, w.name, w.trade, w.tag_id AS tag,
       coalesce(s.last_seen_at > now() - interval '5 min', false) AS present, s.floor, s.zone,
       s.last_ts
FROM workers AS w LEFT JOIN device_state AS s ON s.device_id = w.tag_id
WHERE w.site_id = %(site)s
ORDER BY w.id LIMIT %(limit)s OFFSET %(offset)s;
