-- name: task_hours
-- Hours per worker, floor and task in [from, to) (one site-local day).
-- Gap rule: a tag reading covers the time until the same tag's next reading if that comes
-- at most %(gap)s later (a longer gap: off site, off shift, tag asleep: counts nothing).
-- Covered spans that follow each other on one floor make a presence interval; a floor
-- change or a gap ends it. An interval's hours go to one task: the one active on that
-- floor when the interval began and of the worker's trade (or of no trade), the worker's
-- trade first, then the earliest planned; none: the hours have no task.
WITH readings AS (
    SELECT w.id AS worker, r.ts, r.floor,
           lead(r.ts) OVER (PARTITION BY w.id ORDER BY r.ts) AS next_ts
    FROM workers AS w
    JOIN tag_readings AS r ON r.device_id = w.tag_id AND r.site_id = w.site_id
    WHERE w.site_id = %(site)s AND r.ts >= %(from)s AND r.ts < %(to)s
), spans AS (
    SELECT worker, floor, ts, next_ts,
           CASE WHEN lag(next_ts) OVER w = ts AND lag(floor) OVER w IS NOT DISTINCT FROM floor
                THEN 0 ELSE 1 END AS starts
    FROM readings
    WHERE next_ts - ts <= %(gap)s
    WINDOW w AS (PARTITION BY worker ORDER BY ts)
), islands AS (
    SELECT worker, floor, ts, next_ts,
           sum(starts) OVER (PARTITION BY worker ORDER BY ts) AS island
    FROM spans
), intervals AS (
    SELECT worker, floor, min(ts) AS began, max(next_ts) AS ended
    FROM islands
    GROUP BY worker, floor, island
)
SELECT %(day)s::date AS day, i.worker, w.name, w.trade, i.floor, k.id AS task,
       k.name AS task_name, (sum(extract(epoch FROM i.ended - i.began)) / 3600)::float8 AS hours
FROM intervals AS i
JOIN workers AS w ON w.site_id = %(site)s AND w.id = i.worker
LEFT JOIN LATERAL (
    SELECT t.id, t.name FROM tasks AS t
    WHERE t.site_id = %(site)s AND t.removed_at IS NULL
      AND t.floors @> ARRAY[i.floor] AND t.active @> i.began
      AND (t.trade IS NULL OR t.trade = w.trade)
    ORDER BY t.trade IS NULL, t.planned_start, t.id
    LIMIT 1
) AS k ON true
GROUP BY i.worker, w.name, w.trade, i.floor, k.id, k.name
ORDER BY w.trade, i.worker, i.floor NULLS LAST, k.id NULLS LAST;

-- name: timezone
SELECT timezone FROM sites WHERE id = %(site)s;
