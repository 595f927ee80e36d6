-- Each running service's counters, written every few seconds by the service itself and
-- served by the API at /metrics (so one scrape covers every process, wherever it runs).
CREATE TABLE service_metrics (
    service     text NOT NULL,
    instance    text NOT NULL,
    name        text NOT NULL,
    value       double precision NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (service, instance, name)
);
