-- Crane work cycles (records/lifts.py), recorded by the storage service's lifts job from
-- the crane readings as they arrive: a cycle's readings received late make the job find
-- the cycles of their stretch again and replace them, so the rows are always those the
-- readings stored so far give. Positions are the hook's at the first and last loaded
-- reading; set_floor is the highest slab at or below the hook where it was set down.
CREATE TABLE crane_lifts (
    site_id         text NOT NULL REFERENCES sites ON DELETE CASCADE,
    crane_id        text NOT NULL,
    started_at      timestamptz NOT NULL,
    ended_at        timestamptz NOT NULL CHECK (ended_at > started_at),
    max_load_t      double precision NOT NULL,
    max_moment_pct  double precision,
    max_wind_mps    double precision,
    pick_radius_m   double precision,
    pick_slew_deg   double precision,
    pick_height_m   double precision,
    pick_floor      integer,
    set_radius_m    double precision,
    set_slew_deg    double precision,
    set_height_m    double precision,
    set_floor       integer,
    readings        integer NOT NULL,
    recorded_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, crane_id, started_at)
);
CREATE INDEX crane_lifts_site_time ON crane_lifts (site_id, started_at);

-- The readings received up to here have been looked at (one row: the job's watermark).
CREATE TABLE lift_watermark (
    one            boolean PRIMARY KEY DEFAULT true CHECK (one),
    received_upto  timestamptz NOT NULL
);
GRANT SELECT ON crane_lifts TO sitepulse_grafana;
