-- name: task_title
SELECT name, type FROM tasks WHERE site_id = %(site)s AND id = %(task)s;
