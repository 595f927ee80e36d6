-- name: services
-- Counters reported by running services; an instance silent for 5 minutes is left out.
SELECT service, instance, name, value FROM service_metrics
WHERE updated_at > now() - interval '5 minutes'
ORDER BY service, name, instance;

-- name: dead_letters_pending
SELECT coalesce(site_id, ''), count(*) FROM dead_letters WHERE replayed_at IS NULL GROUP BY 1;

-- name: devices
SELECT d.site_id, d.kind,
       count(*) FILTER (WHERE s.online),
       count(*) FILTER (WHERE s.online IS FALSE),
       count(*) FILTER (WHERE s.online IS NULL)
FROM devices AS d LEFT JOIN device_state AS s ON s.device_id = d.id
GROUP BY 1, 2 ORDER BY 1, 2;

-- name: alerts_open
SELECT site_id, severity, state, count(*) FROM alerts WHERE state <> 'resolved'
GROUP BY 1, 2, 3 ORDER BY 1, 2, 3;

-- name: deliveries
SELECT channel,
       count(*) FILTER (WHERE delivered_at IS NULL AND failed_at IS NULL),
       count(*) FILTER (WHERE failed_at IS NOT NULL),
       count(*) FILTER (WHERE delivered_at IS NOT NULL)
FROM deliveries GROUP BY 1 ORDER BY 1;
