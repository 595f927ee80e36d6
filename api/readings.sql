-- name: device
SELECT kind FROM devices WHERE id = %(device)s;

-- name: readings
-- A device's readings: ts and its kind's measurements as stored (`columns`, filled in by
-- api/readings.py from core/measurements.py; a tag's floor is its floor and zone).
SELECT {columns}
FROM {source}
WHERE device_id = %(device)s AND ts >= %(from)s AND ts < %(to)s
ORDER BY ts LIMIT %(limit)s;
