-- name: device_accounts
SELECT id, site_id, kind FROM devices ORDER BY id;
