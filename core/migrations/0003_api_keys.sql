-- API keys: only a SHA-256 of each key is kept (keys are 256-bit random tokens, so a
-- fast hash is enough); the key itself is shown once, when created.
CREATE TABLE api_keys (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('viewer', 'manager', 'admin')),
    key_sha256  bytea NOT NULL UNIQUE,
    prefix      text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    revoked_at  timestamptz
);
