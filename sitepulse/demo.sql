-- name: site_clock
-- The newest reading's time on the site's clock (the simulator's, in the demo).
SELECT to_char(max(s.last_ts) AT TIME ZONE t.timezone, 'YYYY-MM-DD HH24:MI:SS')
FROM device_state AS s JOIN sites AS t ON t.id = s.site_id
WHERE s.site_id = %(site)s
GROUP BY t.timezone;

-- name: task_types
SELECT id, type FROM tasks WHERE site_id = %(site)s AND removed_at IS NULL;
