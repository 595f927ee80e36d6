-- Sessions: a key exchanged for a cookie (core/migrations/0015_sessions.sql).

-- name: create
INSERT INTO sessions (token_sha256, key_id, expires_at)
VALUES (%(sha)s, %(key_id)s, now() + %(ttl)s);

-- name: find
-- The session's key while neither has ended.
SELECT k.id, k.name, k.role
FROM sessions AS s JOIN api_keys AS k ON k.id = s.key_id
WHERE s.token_sha256 = %(sha)s AND s.expires_at > now() AND k.revoked_at IS NULL;

-- name: end
DELETE FROM sessions WHERE token_sha256 = %(sha)s;

-- name: purge
-- Sessions past their expiry or of a revoked key: never found again, so dropped.
DELETE FROM sessions AS s USING api_keys AS k
WHERE k.id = s.key_id AND (s.expires_at <= now() OR k.revoked_at IS NOT NULL);
