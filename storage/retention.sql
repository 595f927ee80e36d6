-- name: drop_chunks
-- Whole chunks whose every row is older than the horizon; returns the chunks dropped.
SELECT drop_chunks(%(table)s::regclass, older_than => %(older_than)s::interval);

-- name: license
SELECT current_setting('timescaledb.license');

-- name: compression_enabled
SELECT compression_enabled FROM timescaledb_information.hypertables
WHERE hypertable_name = %(table)s;

-- name: compression_policy
-- Only where the license is `timescale` (storage/retention.py checks first).
SELECT add_compression_policy(%(table)s::regclass, compress_after => %(after)s::interval,
                              if_not_exists => true);
