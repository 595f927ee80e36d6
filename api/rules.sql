-- name: upsert
INSERT INTO rule_overrides (site_id, rule_id, patch, updated_by)
VALUES (%(site)s, %(rule)s, %(patch)s, %(by)s)
ON CONFLICT (site_id, rule_id) DO UPDATE
SET patch = excluded.patch, updated_by = excluded.updated_by, updated_at = now();

-- name: delete
DELETE FROM rule_overrides WHERE site_id = %(site)s AND rule_id = %(rule)s;
