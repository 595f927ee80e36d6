-- name: site
SELECT id, name, timezone FROM sites WHERE id = %(site)s;

-- name: sites
SELECT id, name, timezone FROM sites ORDER BY id;
