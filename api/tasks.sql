-- name: task
SELECT t.site_id AS site, t.project, t.id, t.wbs, t.name, t.type, t.grade, t.floors, t.zones,
       t.planned_start, t.planned_finish, t.actual_start, t.actual_finish, t.status,
       t.crew_planned, t.trade, t.predecessors, t.source_file, t.source_format,
       t.imported_at, t.removed_at, lower(t.active) AS active_from, upper(t.active) AS active_to
FROM tasks AS t
WHERE t.id = %(task)s AND (%(site)s::text IS NULL OR t.site_id = %(site)s)
ORDER BY t.site_id
LIMIT 2;

-- name: tasks
-- A site's tasks; on a floor and active at a time when asked ("active" as in the tasks
-- table: the GIN index on floors and the GiST index on active serve it).
SELECT t.site_id AS site, t.project, t.id, t.wbs, t.name, t.type, t.grade, t.floors, t.zones,
       t.planned_start, t.planned_finish, t.actual_start, t.actual_finish, t.status,
       t.crew_planned, t.trade, t.predecessors, t.source_file, t.source_format,
       t.imported_at, t.removed_at, lower(t.active) AS active_from, upper(t.active) AS active_to
FROM tasks AS t
WHERE t.site_id = %(site)s
  AND (t.removed_at IS NULL OR %(removed)s)
  AND (%(floor)s::int IS NULL OR t.floors @> ARRAY[%(floor)s::int])
  AND (%(at)s::timestamptz IS NULL OR t.active @> %(at)s::timestamptz)
  AND (%(status)s::text IS NULL OR t.status = %(status)s)
ORDER BY t.planned_start, t.id
LIMIT %(limit)s OFFSET %(offset)s;

-- name: regimes_today
-- Concreting regimes the site is in today (its own clock).
SELECT r.regime FROM site_regimes AS r JOIN sites AS s ON s.id = r.site_id
WHERE r.site_id = %(site)s
  AND r.started_on <= (now() AT TIME ZONE s.timezone)::date
  AND (r.ended_on IS NULL OR r.ended_on > (now() AT TIME ZONE s.timezone)::date);
