-- The site registry: what exists on a site and where. Written by `sitepulse site load`.
CREATE EXTENSION IF NOT EXISTS timescaledb;

CREATE TABLE sites (
    id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
    name        text NOT NULL,
    timezone    text NOT NULL,
    updated_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE floors (
    site_id      text NOT NULL REFERENCES sites ON DELETE CASCADE,
    level        integer NOT NULL CHECK (level BETWEEN -10 AND 200),
    name         text NOT NULL,
    elevation_m  double precision NOT NULL,
    PRIMARY KEY (site_id, level)
);

CREATE TABLE zones (
    site_id  text NOT NULL REFERENCES sites ON DELETE CASCADE,
    id       text NOT NULL,
    floor    integer NOT NULL,
    name     text,
    -- [[x_m, y_m], ...] in site coordinates, at least three points
    polygon  jsonb NOT NULL CHECK (jsonb_array_length(polygon) >= 3),
    hazard   boolean NOT NULL DEFAULT false,
    PRIMARY KEY (site_id, id),
    FOREIGN KEY (site_id, floor) REFERENCES floors ON DELETE CASCADE
);

CREATE TABLE cranes (
    site_id  text NOT NULL REFERENCES sites ON DELETE CASCADE,
    id       text NOT NULL,
    name     text,
    x_m      double precision NOT NULL,
    y_m      double precision NOT NULL,
    jib_m    double precision NOT NULL CHECK (jib_m > 0),
    rated_t  double precision NOT NULL CHECK (rated_t > 0),
    PRIMARY KEY (site_id, id)
);

-- Device ids are global: the device id is the MQTT user name on the broker.
CREATE TABLE devices (
    id          text PRIMARY KEY CHECK (id ~ '^[A-Za-z0-9_-]{1,64}$'),
    site_id     text NOT NULL REFERENCES sites ON DELETE CASCADE,
    kind        text NOT NULL CHECK (kind IN ('crane', 'tag', 'env', 'gateway')),
    name        text,
    floor       integer,
    zone        text,
    gateway_id  text REFERENCES devices DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (site_id, floor) REFERENCES floors DEFERRABLE INITIALLY DEFERRED,
    FOREIGN KEY (site_id, zone) REFERENCES zones DEFERRABLE INITIALLY DEFERRED
);
CREATE INDEX devices_site ON devices (site_id, kind);

CREATE TABLE workers (
    site_id  text NOT NULL REFERENCES sites ON DELETE CASCADE,
    id       text NOT NULL,
    name     text NOT NULL,
    trade    text NOT NULL,
    tag_id   text UNIQUE REFERENCES devices DEFERRABLE INITIALLY DEFERRED,
    PRIMARY KEY (site_id, id)
);

-- Bumped by every registry change; ingest polls it to refresh its cache.
CREATE TABLE registry_version (
    singleton  boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    version    bigint NOT NULL
);
INSERT INTO registry_version VALUES (true, 0);
