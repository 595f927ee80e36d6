-- Task quality: each excursion of a task's spec (a quality rule's condition held on the
-- task's floors while it was under way), and the site's concreting regimes.

CREATE TABLE task_excursions (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    site_id      text NOT NULL,
    task_id      text NOT NULL,
    rule_id      text NOT NULL,
    device_id    text,
    metric       text,
    -- when the condition began to hold, and when its clear condition began (or the task
    -- ended); NULL while it lasts
    started_at   timestamptz NOT NULL,
    ended_at     timestamptz CHECK (ended_at >= started_at),
    worst_value  double precision,
    alert_id     bigint REFERENCES alerts ON DELETE SET NULL,
    FOREIGN KEY (site_id, task_id) REFERENCES tasks ON DELETE CASCADE
);
CREATE INDEX task_excursions_task ON task_excursions (site_id, task_id, started_at);
CREATE UNIQUE INDEX task_excursions_one_open ON task_excursions (site_id, task_id, rule_id, device_id)
    WHERE ended_at IS NULL;

-- Winter concreting (five days running with a daily mean below 5 °C, until five days
-- running above) and hot weather (a daily mean of 30 °C or more), on the site's clock.
CREATE TABLE site_regimes (
    site_id     text NOT NULL REFERENCES sites ON DELETE CASCADE,
    regime      text NOT NULL CHECK (regime IN ('winter', 'hot')),
    started_on  date NOT NULL,
    ended_on    date CHECK (ended_on > started_on),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (site_id, regime, started_on)
);
