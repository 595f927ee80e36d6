-- Importing a schedule: upserts that leave identical rows untouched (so a second import
-- of the same file changes nothing), and a removal mark for what the file no longer lists
-- of the projects it holds (other projects' tasks are left alone).

-- name: site
SELECT timezone FROM sites WHERE id = %(site)s;

-- name: floors
SELECT level, name FROM floors WHERE site_id = %(site)s;

-- name: zones
SELECT id FROM zones WHERE site_id = %(site)s;

-- name: upsert_task
INSERT INTO tasks AS t (site_id, id, wbs, name, type, floors, zones, planned_start,
                        planned_finish, actual_start, actual_finish, status, crew_planned,
                        trade, predecessors, source_file, source_format, grade, project)
VALUES (%(site)s, %(id)s, %(wbs)s, %(name)s, %(type)s, %(floors)s, %(zones)s,
        %(planned_start)s, %(planned_finish)s, %(actual_start)s, %(actual_finish)s,
        %(status)s, %(crew_planned)s, %(trade)s, %(predecessors)s, %(source_file)s,
        %(source_format)s, %(grade)s, %(project)s)
ON CONFLICT (site_id, id) DO UPDATE
SET wbs = excluded.wbs, name = excluded.name, type = excluded.type, floors = excluded.floors,
    zones = excluded.zones, planned_start = excluded.planned_start,
    planned_finish = excluded.planned_finish, actual_start = excluded.actual_start,
    actual_finish = excluded.actual_finish, status = excluded.status,
    crew_planned = excluded.crew_planned, trade = excluded.trade,
    predecessors = excluded.predecessors, source_file = excluded.source_file,
    source_format = excluded.source_format, grade = excluded.grade,
    project = excluded.project, imported_at = now(), removed_at = NULL
WHERE (t.wbs, t.name, t.type, t.floors, t.zones, t.planned_start, t.planned_finish,
       t.actual_start, t.actual_finish, t.status, t.crew_planned, t.trade, t.predecessors,
       t.source_file, t.source_format, t.grade, t.project, t.removed_at IS NULL)
    IS DISTINCT FROM
      (excluded.wbs, excluded.name, excluded.type, excluded.floors, excluded.zones,
       excluded.planned_start, excluded.planned_finish, excluded.actual_start,
       excluded.actual_finish, excluded.status, excluded.crew_planned, excluded.trade,
       excluded.predecessors, excluded.source_file, excluded.source_format, excluded.grade,
       excluded.project, true);

-- name: held
-- The site's tasks with these ids: whose project holds them, and whether they are live.
SELECT id, project, source_file, removed_at IS NULL AS live
FROM tasks WHERE site_id = %(site)s AND id = ANY(%(ids)s)
ORDER BY id;

-- name: projects_before
-- Each project's live tasks and the file they came from, before an import.
SELECT project, count(*) AS tasks, max(source_file) AS source_file
FROM tasks WHERE site_id = %(site)s AND removed_at IS NULL
GROUP BY project;

-- name: remove_missing
UPDATE tasks SET removed_at = now()
WHERE site_id = %(site)s AND project = %(project)s AND removed_at IS NULL
  AND NOT (id = ANY(%(keep)s));

-- name: sites
SELECT id FROM sites ORDER BY id LIMIT 3;

-- name: site_projects
-- A site's schedules: each project's live and removed tasks, its file and last import.
SELECT project, count(*) FILTER (WHERE removed_at IS NULL) AS live,
       count(*) FILTER (WHERE removed_at IS NOT NULL) AS removed,
       (array_agg(source_file ORDER BY imported_at DESC))[1] AS source_file,
       max(imported_at) AS imported_at
FROM tasks WHERE site_id = %(site)s
GROUP BY project
ORDER BY project;
