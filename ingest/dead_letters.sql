-- name: list
SELECT id, received_at, last_received_at, repeats, topic, site_id, item, reason, replayed_at, payload
FROM dead_letters
WHERE (%(site)s::text IS NULL OR site_id = %(site)s)
  AND (%(include_replayed)s OR replayed_at IS NULL)
ORDER BY received_at DESC, id DESC
LIMIT %(limit)s;

-- name: pending_for_replay
SELECT id, received_at, topic, payload, item
FROM dead_letters
WHERE replayed_at IS NULL AND (%(site)s::text IS NULL OR site_id = %(site)s)
ORDER BY topic, payload_sha256, received_at
LIMIT %(limit)s
FOR UPDATE SKIP LOCKED;

-- name: mark_replayed
UPDATE dead_letters SET replayed_at = now() WHERE id = ANY(%(ids)s);

-- name: update_reason
UPDATE dead_letters SET reason = %(reason)s WHERE id = %(id)s;
