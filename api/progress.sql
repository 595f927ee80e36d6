-- A site's floors and tasks against plan (progress/plan.py decides).

-- name: floors
SELECT level, name FROM floors WHERE site_id = %(site)s ORDER BY level DESC;

-- name: tasks
-- The schedule as it stands (removed tasks left out); one floor's when asked.
SELECT id, name, type, floors, planned_start, planned_finish, actual_start, actual_finish,
       status, trade, crew_planned
FROM tasks
WHERE site_id = %(site)s AND removed_at IS NULL
  AND (%(floor)s::int IS NULL OR floors @> ARRAY[%(floor)s::int])
ORDER BY planned_start, id;
