-- name: labor
-- Hours on site per worker for one site-local day: the 5-minute spans in which the
-- worker's tag was heard, so a tag heard every 10 s counts its time and a gap of more
-- than 5 minutes (off site, tag asleep) does not.
SELECT w.id AS worker, w.name, w.trade,
       round(count(DISTINCT time_bucket('5 minutes', r.ts)) * 5 / 60.0, 2)::float8 AS hours,
       min(r.ts) AS first_seen, max(r.ts) AS last_seen
FROM workers AS w
JOIN tag_readings AS r ON r.device_id = w.tag_id AND r.site_id = w.site_id
WHERE w.site_id = %(site)s AND r.ts >= %(from)s AND r.ts < %(to)s
GROUP BY w.id, w.name, w.trade
ORDER BY w.trade, w.id;
