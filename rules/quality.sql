-- name: task
SELECT id, name, type, floors, zones, lower(active), upper(active), planned_start,
       planned_finish, actual_start, actual_finish, status
FROM tasks WHERE site_id = %(site)s AND id = %(task)s;

-- name: excursions
SELECT rule_id, device_id, metric, started_at, ended_at, worst_value, alert_id
FROM task_excursions WHERE site_id = %(site)s AND task_id = %(task)s
ORDER BY started_at, id;

-- name: alerts
SELECT id, rule_id, state, severity, title, message, raised_at, resolved_at
FROM alerts WHERE site_id = %(site)s AND task_id = %(task)s ORDER BY id;

-- name: name
SELECT name, type FROM tasks WHERE site_id = %(site)s AND id = %(task)s;
