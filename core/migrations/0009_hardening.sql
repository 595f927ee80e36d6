-- Dead letters keep each refused message's payload once (by its hash), however many of
-- its items were refused; a letter is identified by a hash of (topic, payload, item), so
-- that no id a device sends can grow an index row past PostgreSQL's limit.
CREATE TABLE dead_letter_payloads (
    sha256      bytea PRIMARY KEY,          -- of the whole payload as it came
    payload     bytea NOT NULL,             -- the payload, or its first bytes when truncated
    size_bytes  integer NOT NULL,           -- the whole payload's size
    truncated   boolean NOT NULL DEFAULT false
);

CREATE FUNCTION dead_letter_key(topic text, payload_sha256 bytea, item text) RETURNS bytea
LANGUAGE sql IMMUTABLE PARALLEL SAFE
RETURN sha256(convert_to(topic, 'UTF8') || '\x00'::bytea || payload_sha256 || '\x00'::bytea
              || convert_to(item, 'UTF8'));

INSERT INTO dead_letter_payloads (sha256, payload, size_bytes)
SELECT DISTINCT ON (payload_sha256) payload_sha256, payload, octet_length(payload)
FROM dead_letters
ORDER BY payload_sha256, id;

ALTER TABLE dead_letters ADD COLUMN letter_key bytea;
UPDATE dead_letters SET letter_key = dead_letter_key(topic, payload_sha256, item);
ALTER TABLE dead_letters
    ALTER COLUMN letter_key SET NOT NULL,
    DROP CONSTRAINT dead_letters_topic_payload_sha256_item_key,
    ADD CONSTRAINT dead_letters_letter_key UNIQUE (letter_key),
    ADD CONSTRAINT dead_letters_payload FOREIGN KEY (payload_sha256)
        REFERENCES dead_letter_payloads (sha256),
    DROP COLUMN payload;
CREATE INDEX dead_letters_payload ON dead_letters (payload_sha256);

-- "Latest" values are those of the reading with the greatest min(ts, received_at): a
-- reading stamped ahead of its arrival (a fast device clock, accepted up to 5 minutes)
-- counts from its arrival, so it cannot hold the device's values still until its clock
-- is caught up. clock_ahead_s flags how far that reading's ts was ahead (0: not).
ALTER TABLE device_state
    ADD COLUMN latest_at timestamptz,
    ADD COLUMN clock_ahead_s real NOT NULL DEFAULT 0;
UPDATE device_state SET latest_at = least(last_ts, last_seen_at) WHERE last_ts IS NOT NULL;
