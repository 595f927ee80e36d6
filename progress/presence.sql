-- Where a task's crew was present: workers whose tag was heard on one of the task's
-- floors (only the task's trade when it has one). The dates a person may enter are
-- suggested from these, never written over (progress/presence.py).

-- name: crew_days
-- Workers present per site-local day in the window, each day beside the crew planned.
SELECT (r.ts AT TIME ZONE (SELECT timezone FROM sites WHERE id = %(site)s))::date AS date,
       count(DISTINCT w.id)::int AS workers_present, %(crew_planned)s::int AS crew_planned,
       min(r.ts) AS first_seen, max(r.ts) AS last_seen
FROM tag_readings AS r
JOIN workers AS w ON w.tag_id = r.device_id AND w.site_id = r.site_id
WHERE r.site_id = %(site)s AND r.floor = ANY(%(floors)s) AND r.ts >= %(from)s AND r.ts < %(to)s
  AND (%(trade)s::text IS NULL OR w.trade = %(trade)s)
GROUP BY 1
ORDER BY 1;

-- name: crew_spans
-- The same presence for several tasks at once, each in its own window: when its crew was
-- first and last heard there (the first day's first_seen, the last day's last_seen).
SELECT w.id, p.first_seen, p.last_seen
FROM unnest(%(ids)s::text[], %(from)s::timestamptz[], %(to)s::timestamptz[])
     AS w(id, from_ts, to_ts)
JOIN tasks AS t ON t.site_id = %(site)s AND t.id = w.id
CROSS JOIN LATERAL (
    SELECT min(r.ts) AS first_seen, max(r.ts) AS last_seen
    FROM tag_readings AS r
    JOIN workers AS k ON k.tag_id = r.device_id AND k.site_id = r.site_id
    WHERE r.site_id = %(site)s AND r.floor = ANY(t.floors)
      AND r.ts >= w.from_ts AND r.ts < w.to_ts
      AND (t.trade IS NULL OR k.trade = t.trade)
) AS p
WHERE p.first_seen IS NOT NULL;
