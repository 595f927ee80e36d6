-- name: report
INSERT INTO service_metrics AS m (service, instance, name, value, updated_at)
SELECT %(service)s, %(instance)s, name, value, now()
FROM unnest(%(names)s::text[], %(values)s::float8[]) AS t (name, value)
ON CONFLICT (service, instance, name) DO UPDATE SET value = excluded.value, updated_at = now();
