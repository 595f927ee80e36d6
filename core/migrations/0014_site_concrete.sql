-- A site's concrete settings as its site file states them (concrete/config.py), every
-- default filled in and the shipped strength-maturity curves beside the site's own, so
-- that a read (the API, Grafana's strength panel) needs nothing but this row.
CREATE TABLE site_concrete (
    site_id     text PRIMARY KEY REFERENCES sites ON DELETE CASCADE,
    settings    jsonb NOT NULL CHECK (jsonb_typeof(settings) = 'object'),
    updated_at  timestamptz NOT NULL DEFAULT now()
);
GRANT SELECT ON site_concrete TO sitepulse_grafana;
