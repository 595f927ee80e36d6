-- Sessions on a phone: an API key exchanged once for a cookie (api/sessions.py), so that
-- the key leaves the address bar and the history. Only a SHA-256 of each session token
-- is kept (tokens are 256-bit random, as keys are). A session ends at expires_at, when
-- signed out (deleted), and with its key: a revoked key's sessions are no longer found,
-- a deleted key's go with it.
CREATE TABLE sessions (
    token_sha256  bytea PRIMARY KEY,
    key_id        bigint NOT NULL REFERENCES api_keys ON DELETE CASCADE,
    created_at    timestamptz NOT NULL DEFAULT now(),
    expires_at    timestamptz NOT NULL CHECK (expires_at > created_at)
);
CREATE INDEX sessions_key ON sessions (key_id);
CREATE INDEX sessions_expiry ON sessions (expires_at);
