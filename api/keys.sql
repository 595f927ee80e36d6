-- name: create
INSERT INTO api_keys (name, role, key_sha256, prefix)
VALUES (%(name)s, %(role)s, %(sha)s, %(prefix)s)
RETURNING id, name, role;

-- name: revoke
UPDATE api_keys SET revoked_at = now() WHERE id = %(id)s AND revoked_at IS NULL;

-- name: find
SELECT id, name, role FROM api_keys WHERE key_sha256 = %(sha)s AND revoked_at IS NULL;

-- name: list
SELECT id, name, role, prefix, created_at, revoked_at FROM api_keys ORDER BY id;
