-- Readings, one hypertable per kind, typed columns per CONTRACT §1. A reading is
-- identified by (device_id, ts); floor and zone are resolved at ingest.
-- ts_from_receive: the device sent no ts, so the receive time stands in for it.

CREATE TABLE crane_readings (
    ts               timestamptz NOT NULL,
    device_id        text NOT NULL,
    site_id          text NOT NULL,
    received_at      timestamptz NOT NULL,
    ts_from_receive  boolean NOT NULL DEFAULT false,
    seq              bigint,
    floor            integer,
    zone             text,
    load_t           double precision,
    radius_m         double precision,
    height_m         double precision,
    slew_deg         double precision,
    moment_pct       double precision,
    wind_mps         double precision,
    tilt_deg         double precision,
    UNIQUE (device_id, ts)
);
SELECT create_hypertable('crane_readings', by_range('ts', INTERVAL '1 day'));

CREATE TABLE tag_readings (
    ts               timestamptz NOT NULL,
    device_id        text NOT NULL,
    site_id          text NOT NULL,
    received_at      timestamptz NOT NULL,
    ts_from_receive  boolean NOT NULL DEFAULT false,
    seq              bigint,
    floor            integer,
    zone             text,
    x_m              double precision,
    y_m              double precision,
    z_m              double precision,
    battery_pct      double precision,
    sos              boolean,
    UNIQUE (device_id, ts)
);
-- The busiest table: no default (ts) index; (device_id, ts) and (site_id, floor, ts)
-- serve its queries, and chunk exclusion serves time ranges.
SELECT create_hypertable('tag_readings', by_range('ts', INTERVAL '6 hours'),
                         create_default_indexes => false);
CREATE INDEX tag_readings_floor ON tag_readings (site_id, floor, ts DESC);

CREATE TABLE env_readings (
    ts               timestamptz NOT NULL,
    device_id        text NOT NULL,
    site_id          text NOT NULL,
    received_at      timestamptz NOT NULL,
    ts_from_receive  boolean NOT NULL DEFAULT false,
    seq              bigint,
    floor            integer,
    zone             text,
    temp_c           double precision,
    rh_pct           double precision,
    pm25_ugm3        double precision,
    pm10_ugm3        double precision,
    noise_dba        double precision,
    core_temp_c      double precision,
    UNIQUE (device_id, ts)
);
SELECT create_hypertable('env_readings', by_range('ts', INTERVAL '1 day'));
CREATE INDEX env_readings_floor ON env_readings (site_id, floor, ts DESC);

-- Refused input, kept with the reason so that a person can act and replay it.
-- One row per (topic, payload, item): a redelivery of the same message counts as a repeat.
CREATE TABLE dead_letters (
    id                bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    received_at       timestamptz NOT NULL,
    last_received_at  timestamptz NOT NULL,
    repeats           integer NOT NULL DEFAULT 1,
    topic             text NOT NULL,
    site_id           text,
    payload           bytea NOT NULL,
    payload_sha256    bytea NOT NULL,
    -- which part of the message was refused: '' the whole message, '[3]' the fourth
    -- reading of a batch, 'tag-0412' or 'tag-0412[2]' a gateway child's reading
    item              text NOT NULL DEFAULT '',
    reason            text NOT NULL,
    replayed_at       timestamptz,
    UNIQUE (topic, payload_sha256, item)
);
CREATE INDEX dead_letters_site ON dead_letters (site_id, received_at DESC);
CREATE INDEX dead_letters_pending ON dead_letters (received_at) WHERE replayed_at IS NULL;

-- The latest known values of each device (by ts, not by arrival) and its presence.
CREATE TABLE device_state (
    device_id          text PRIMARY KEY,
    site_id            text NOT NULL,
    kind               text NOT NULL,
    last_ts            timestamptz,
    last_seen_at       timestamptz,
    latest             jsonb NOT NULL DEFAULT '{}',
    floor              integer,
    zone               text,
    online             boolean,
    status_changed_at  timestamptz,
    status_reason      text
);
CREATE INDEX device_state_site ON device_state (site_id, kind);
