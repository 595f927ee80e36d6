-- A site's schedule: tasks imported by `sitepulse schedule import` from CSV, Microsoft
-- Project XML or P6 XER. The id is the source's own (CSV id, MSPDI UID, P6 activity ID).
-- A task a later import no longer lists is marked removed_at, never deleted: alerts and
-- quality records may point at it.
CREATE TABLE tasks (
    site_id         text NOT NULL REFERENCES sites ON DELETE CASCADE,
    id              text NOT NULL CHECK (length(id) BETWEEN 1 AND 100),
    wbs             text,
    name            text NOT NULL,
    -- NULL: the mapping found no type (reported at import)
    type            text CHECK (type IN ('formwork', 'rebar', 'pour', 'curing', 'lift',
                        'erection', 'climbing', 'dismantling', 'noisy', 'masonry',
                        'finishing', 'other')),
    floors          integer[] NOT NULL DEFAULT '{}',
    zones           text[] NOT NULL DEFAULT '{}',
    planned_start   timestamptz NOT NULL,
    planned_finish  timestamptz NOT NULL CHECK (planned_finish >= planned_start),
    actual_start    timestamptz,
    actual_finish   timestamptz CHECK (actual_finish >= actual_start),
    status          text NOT NULL CHECK (status IN ('planned', 'in_progress', 'done')),
    crew_planned    integer CHECK (crew_planned >= 0),
    trade           text,
    predecessors    text[] NOT NULL DEFAULT '{}',
    source_file     text NOT NULL,
    source_format   text NOT NULL CHECK (source_format IN ('csv', 'mspdi', 'xer')),
    imported_at     timestamptz NOT NULL DEFAULT now(),
    removed_at      timestamptz,
    -- When the task is under way: from the actual start (else the planned one) to the
    -- actual finish; started and not done, it runs on until someone enters a finish;
    -- otherwise (not started, or done with no finish entered) it ends at the planned finish.
    active          tstzrange NOT NULL GENERATED ALWAYS AS (
        tstzrange(
            coalesce(actual_start, planned_start),
            CASE
                WHEN actual_finish IS NOT NULL
                    THEN greatest(actual_finish, coalesce(actual_start, planned_start))
                WHEN actual_start IS NOT NULL AND status <> 'done' THEN NULL
                ELSE greatest(planned_finish, coalesce(actual_start, planned_start))
            END,
            '[)')
    ) STORED,
    PRIMARY KEY (site_id, id)
);

-- "Active tasks on floor F at time T": floors @> ARRAY[F] AND active @> T.
CREATE INDEX tasks_floors ON tasks USING gin (floors) WHERE removed_at IS NULL;
CREATE INDEX tasks_active ON tasks USING gist (active) WHERE removed_at IS NULL;
