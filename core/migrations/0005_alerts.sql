-- Rules, alerts, their audit trail, and the notification outbox.

-- The jib's height above ground: with two cranes' heights known, anti-collision also
-- checks jib against jib.
ALTER TABLE cranes ADD COLUMN height_m double precision CHECK (height_m > 0);

-- A site's changes to a shipped rule: a patch merged over the pack's rule (a threshold,
-- a duration, a severity, `enabled: false`), validated like the rule itself before it is
-- stored. The rules service polls this table and applies changes without a restart.
CREATE TABLE rule_overrides (
    site_id     text NOT NULL REFERENCES sites ON DELETE CASCADE,
    rule_id     text NOT NULL,
    patch       jsonb NOT NULL CHECK (jsonb_typeof(patch) = 'object'),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    updated_by  text NOT NULL,
    PRIMARY KEY (site_id, rule_id)
);

-- One open alert per (site, rule, subject). The subject is what the alert is about: a
-- device, a worker's tag, a pair of cranes, a floor. A re-trigger within the flapping
-- window reopens the resolved alert instead of adding one.
CREATE TABLE alerts (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id           text NOT NULL REFERENCES sites ON DELETE CASCADE,
    rule_id           text NOT NULL,
    subject           text NOT NULL,
    state             text NOT NULL CHECK (state IN ('active', 'acknowledged', 'resolved')),
    severity          text NOT NULL CHECK (severity IN ('critical', 'major', 'minor', 'warning')),
    title             text NOT NULL,
    message           text NOT NULL,
    floor             integer,
    zone              text,
    device_id         text,
    task_id           text,
    value             double precision,
    worst_value       double precision,
    breaches          integer NOT NULL DEFAULT 1,
    raised            integer NOT NULL DEFAULT 1,
    opened_at         timestamptz NOT NULL,
    raised_at         timestamptz NOT NULL,
    last_breach_at    timestamptz NOT NULL,
    acknowledged_at   timestamptz,
    acknowledged_by   text,
    resolved_at       timestamptz,
    resolved_by       text,
    escalation_level  integer NOT NULL DEFAULT 0,
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX alerts_one_open ON alerts (site_id, rule_id, subject)
    WHERE state <> 'resolved';
CREATE INDEX alerts_site_state ON alerts (site_id, state, raised_at DESC);
CREATE INDEX alerts_site_updated ON alerts (site_id, updated_at DESC);
CREATE INDEX alerts_last_resolved ON alerts (site_id, rule_id, subject, resolved_at DESC)
    WHERE state = 'resolved';

-- Every transition with who or what made it. Also the outbox: written in the transaction
-- of the transition; the notifier turns each event into deliveries exactly once.
CREATE TABLE alert_events (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    alert_id       bigint NOT NULL REFERENCES alerts ON DELETE CASCADE,
    at             timestamptz NOT NULL DEFAULT now(),
    kind           text NOT NULL CHECK (kind IN ('opened', 'reopened', 'acknowledged',
                                                 'resolved', 'escalated', 'commented')),
    actor          text NOT NULL,
    note           text,
    value          double precision,
    level          integer NOT NULL DEFAULT 0,
    dispatched_at  timestamptz
);
CREATE INDEX alert_events_alert ON alert_events (alert_id, id);
CREATE INDEX alert_events_pending ON alert_events (id) WHERE dispatched_at IS NULL;

-- One row per (event, route, channel): a restart never sends the same thing twice.
CREATE TABLE deliveries (
    id               bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    event_id         bigint NOT NULL REFERENCES alert_events ON DELETE CASCADE,
    route            text NOT NULL,
    channel          text NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz NOT NULL DEFAULT now(),
    delivered_at     timestamptz,
    failed_at        timestamptz,
    last_error       text,
    UNIQUE (event_id, route, channel)
);
CREATE INDEX deliveries_due ON deliveries (next_attempt_at)
    WHERE delivered_at IS NULL AND failed_at IS NULL;

CREATE TABLE delivery_attempts (
    delivery_id  bigint NOT NULL REFERENCES deliveries ON DELETE CASCADE,
    at           timestamptz NOT NULL DEFAULT now(),
    ok           boolean NOT NULL,
    status       integer,
    detail       text,
    elapsed_ms   double precision NOT NULL
);
CREATE INDEX delivery_attempts_delivery ON delivery_attempts (delivery_id, at);
