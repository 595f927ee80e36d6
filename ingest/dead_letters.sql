-- Dead letters: listed without their payloads (one letter's payload is read on its own),
-- replayed message by message.

-- name: list
SELECT l.id, l.received_at, l.last_received_at, l.repeats, l.topic, l.site_id, l.item, l.reason,
       l.replayed_at, l.payload_sha256, p.size_bytes, p.truncated
FROM dead_letters AS l JOIN dead_letter_payloads AS p ON p.sha256 = l.payload_sha256
WHERE (%(site)s::text IS NULL OR l.site_id = %(site)s)
  AND (%(include_replayed)s OR l.replayed_at IS NULL)
ORDER BY l.received_at DESC, l.id DESC
LIMIT %(limit)s;

-- name: get
SELECT l.id, l.received_at, l.last_received_at, l.repeats, l.topic, l.site_id, l.item, l.reason,
       l.replayed_at, l.payload_sha256, p.size_bytes, p.truncated, p.payload
FROM dead_letters AS l JOIN dead_letter_payloads AS p ON p.sha256 = l.payload_sha256
WHERE l.id = %(id)s;

-- name: pending_for_replay
-- Whole messages, oldest first: every pending letter of each message within the limit.
SELECT l.id, l.received_at, l.topic, l.payload_sha256, l.item
FROM dead_letters AS l
WHERE l.replayed_at IS NULL AND (%(site)s::text IS NULL OR l.site_id = %(site)s)
ORDER BY l.topic, l.payload_sha256, l.received_at
LIMIT %(limit)s
FOR UPDATE SKIP LOCKED;

-- name: replay_payload
SELECT payload, truncated FROM dead_letter_payloads WHERE sha256 = %(sha256)s;

-- name: lettered_items
SELECT item FROM dead_letters WHERE topic = %(topic)s AND payload_sha256 = %(sha256)s;

-- name: mark_replayed
UPDATE dead_letters SET replayed_at = now() WHERE id = ANY(%(ids)s);

-- name: update_reason
UPDATE dead_letters SET reason = %(reason)s WHERE id = %(id)s;
